//! A data file's text, whether the file holds it plain or compressed
//! (docs/reference.md, "Compressed files").
//!
//! gzip, zstd and xz are recognised by their magic bytes, never by the
//! name: a `.txt` that is gzip is read as gzip, a `.gz` that holds plain
//! text as text. Every member of a concatenated gzip (`cat a.gz b.gz`),
//! every zstd frame and every xz stream is read. A stream that is corrupt
//! or ends early fails with an [`io::Error`] whose message names the format
//! (`truncated zstd stream`), so a reader's error for that file says why.
//! Zero bytes after the last gzip member are padding, as gzip(1) takes
//! them; anything else there is `trailing garbage after the gzip stream`
//! (which gzip only warns of: dp does not guess what it was).
//!
//! A compressed file is decompressed on a thread of its own, a few buffers
//! ahead of the parser, as `zstdcat f.zst | dp-stats -` would on two cores:
//! decompressing inline would add zstd's time to the parser's instead of
//! overlapping them.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

use crate::memory::{Budget, Reservation, mib};

/// How a data file's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Plain,
    Gzip,
    Zstd,
    Xz,
}

impl Format {
    /// The format whose magic bytes `start` begins with.
    pub fn of(start: &[u8]) -> Self {
        const MAGIC: [(&[u8], Format); 3] = [
            (&[0x1f, 0x8b], Format::Gzip),
            (&[0x28, 0xb5, 0x2f, 0xfd], Format::Zstd),
            (&[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], Format::Xz),
        ];
        MAGIC
            .iter()
            .find(|(magic, _)| start.starts_with(magic))
            .map_or(Format::Plain, |&(_, format)| format)
    }

    /// The name error messages use (`gzip`), `text` for plain text.
    pub fn name(self) -> &'static str {
        match self {
            Format::Plain => "text",
            Format::Gzip => "gzip",
            Format::Zstd => "zstd",
            Format::Xz => "xz",
        }
    }
}

/// The longest magic number: how many bytes are looked at.
const MAGIC_LEN: usize = 6;

/// The text of a data file, decompressed if it is compressed.
pub type Text = Box<dyn Read + Send>;

/// Opens the data file at `path` for its text, its decompressor's memory
/// unbounded (a file dp wrote itself).
pub fn open(path: &Path) -> io::Result<Text> {
    from_reader(File::open(path)?)
}

/// Opens the data file at `path` for its text, what decompresses it held
/// within `budget` until its end (module doc).
pub fn open_within(path: &Path, budget: &Budget) -> io::Result<Text> {
    text_of(File::open(path)?, Some(budget))
}

/// The text on standard input, decompressed within `budget`.
pub fn stdin_within(budget: &Budget) -> io::Result<Text> {
    text_of(io::stdin(), Some(budget))
}

/// The text of `input`, whose first bytes say how it is stored.
pub fn from_reader(input: impl Read + Send + 'static) -> io::Result<Text> {
    text_of(input, None)
}

fn text_of(input: impl Read + Send + 'static, budget: Option<&Budget>) -> io::Result<Text> {
    let (format, start, rest) = peek(input)?;
    let window = Window::of(format, &start);
    let input = Cursor::new(start).chain(rest);
    let Some(window) = window else {
        return Ok(Box::new(input));
    };
    let (ahead, reservation) = match budget {
        None => (AHEAD, None),
        Some(budget) => {
            // Short of room, decompress a piece at a time rather than fail.
            let ahead = if window.needs(AHEAD) <= budget.limit() {
                AHEAD
            } else {
                0
            };
            let reservation = budget.reserve(window.needs(ahead)).map_err(|over| {
                let what = format!("to decompress ({})", window.describe());
                io::Error::new(io::ErrorKind::OutOfMemory, over.describe(&what))
            })?;
            (ahead, Some(reservation))
        }
    };
    // Bounded, the decoder's own limit refuses a later frame or block that
    // needs more than the first.
    let bounded = budget.is_some();
    let input = Sourced::new(input);
    Ok(match format {
        Format::Plain => unreachable!("plain text has no window"),
        Format::Gzip => decoded(window, reservation, ahead, GzipMembers::new(input)),
        Format::Zstd => {
            let mut decoder = zstd::stream::read::Decoder::with_buffer(input)?;
            if bounded {
                decoder.window_log_max(window.bytes.trailing_zeros())?;
            }
            decoded(window, reservation, ahead, decoder)
        }
        Format::Xz => {
            let memlimit = if bounded {
                window.bytes.saturating_add(XZ_STATE) as u64
            } else {
                u64::MAX
            };
            let stream = liblzma::stream::Stream::new_stream_decoder(
                memlimit,
                liblzma::stream::CONCATENATED,
            )?;
            decoded(
                window,
                reservation,
                ahead,
                liblzma::bufread::XzDecoder::new_stream(input, stream),
            )
        }
    })
}

/// The bytes a compressed stream's first header is in, whichever comes
/// first of those and the stream's end: the magic number with a zstd
/// frame header, an xz stream header with its first block header.
fn peek<R: Read>(mut input: R) -> io::Result<(Format, Vec<u8>, R)> {
    let mut start = Vec::with_capacity(MAGIC_LEN);
    read_up_to(&mut input, &mut start, MAGIC_LEN)?;
    let format = Format::of(&start);
    match format {
        Format::Zstd => read_up_to(&mut input, &mut start, ZSTD_HEADER_MAX)?,
        Format::Xz => {
            read_up_to(&mut input, &mut start, XZ_STREAM_HEADER + 1)?;
            if let Some(&size) = start.get(XZ_STREAM_HEADER) {
                let block_header = (usize::from(size) + 1) * 4;
                read_up_to(&mut input, &mut start, XZ_STREAM_HEADER + block_header)?;
            }
        }
        Format::Plain | Format::Gzip => {}
    }
    Ok((format, start, input))
}

/// Reads into `start` until it holds `len` bytes or `input` ends (a pipe
/// may deliver them in pieces).
fn read_up_to(input: &mut impl Read, start: &mut Vec<u8>, len: usize) -> io::Result<()> {
    if let Some(more) = len.checked_sub(start.len()) {
        input.take(more as u64).read_to_end(start)?;
    }
    Ok(())
}

/// The longest zstd frame header: magic, descriptor, window, dictionary
/// id and content size.
const ZSTD_HEADER_MAX: usize = 4 + 1 + 1 + 4 + 8;
/// An xz stream header: magic, flags and their CRC32.
const XZ_STREAM_HEADER: usize = 12;
/// A gzip decoder's window (deflate's longest distance).
const GZIP_WINDOW: usize = 32 << 10;
/// What a decoder holds besides its window, a generous bound: zlib-rs's
/// inflate state is ~10 KiB, zstd's context with its block buffers
/// ~400 KiB, liblzma's decoder's probabilities and index ~100 KiB.
const GZIP_STATE: usize = 32 << 10;
const ZSTD_STATE: usize = 512 << 10;
const XZ_STATE: usize = 1 << 20;

/// What a compressed stream's decoder holds: the window its first header
/// asks for (rounded up to a power of two for zstd, whose decoder is
/// limited by a power of two).
#[derive(Debug, Clone, Copy)]
struct Window {
    format: Format,
    bytes: usize,
}

impl Window {
    /// `None` for plain text; a header that cannot be read gives the
    /// smallest window, and its decoder names the fault.
    fn of(format: Format, start: &[u8]) -> Option<Self> {
        let bytes = match format {
            Format::Plain => return None,
            Format::Gzip => GZIP_WINDOW,
            Format::Zstd => {
                let window = zstd_window(start).unwrap_or(0);
                // zstd's smallest window is 1 KiB, its largest 2 GiB.
                let log = window.max(1 << 10).next_power_of_two().trailing_zeros();
                1 << log.min(31)
            }
            Format::Xz => usize::try_from(xz_dictionary(start).unwrap_or(0)).unwrap_or(usize::MAX),
        };
        Some(Self { format, bytes })
    }

    /// Bytes reserved while the stream is read with `ahead` pieces
    /// decompressed ahead: the window, the decoder's state, its input
    /// buffer and the pieces.
    fn needs(&self, ahead: usize) -> usize {
        let state = match self.format {
            Format::Plain => 0,
            Format::Gzip => GZIP_STATE,
            Format::Zstd => ZSTD_STATE,
            Format::Xz => XZ_STATE,
        };
        self.bytes
            .saturating_add(state)
            .saturating_add(SOURCE_BUFFER + live_pieces(ahead) * PIECE)
    }

    /// `xz dictionary of 64 MiB`.
    fn describe(&self) -> String {
        let what = match self.format {
            Format::Xz => "dictionary",
            _ => "window",
        };
        format!("{} {what} of {}", self.format.name(), mib(self.bytes, true))
    }
}

/// The window a zstd frame header asks for (RFC 8878, 3.1.1.1): its
/// content size for a single-segment frame, else its window descriptor.
fn zstd_window(header: &[u8]) -> Option<usize> {
    let descriptor = *header.get(4)?;
    if descriptor & 0x08 != 0 {
        return None; // a reserved bit: the decoder refuses the frame
    }
    if descriptor & 0x20 == 0 {
        let window = *header.get(5)?;
        let base = 1usize << (10 + (window >> 3));
        return Some(base + base / 8 * usize::from(window & 7));
    }
    let dictionary_id = [0, 1, 2, 4][usize::from(descriptor & 3)];
    let (size_len, add) = [(1, 0), (2, 256), (4, 0), (8, 0)][usize::from(descriptor >> 6)];
    let at = 5 + dictionary_id;
    let field = header.get(at..at + size_len)?;
    let size = field
        .iter()
        .rev()
        .fold(0u64, |size, &byte| size << 8 | u64::from(byte));
    usize::try_from(size + add).ok()
}

/// The LZMA2 dictionary size of an xz stream's first block (the xz file
/// format, 3.1 and 5.3.1); `None` without a block or an LZMA2 filter.
fn xz_dictionary(start: &[u8]) -> Option<u64> {
    let header = start.get(XZ_STREAM_HEADER..)?;
    // 0: the index, which follows the last block.
    let size = (usize::from(*header.first().filter(|&&size| size != 0)?) + 1) * 4;
    let header = header.get(..size)?;
    let flags = *header.get(1)?;
    let mut at = 2;
    // The sizes, when the header has them.
    for present in [0x40, 0x80] {
        if flags & present != 0 {
            vli(header, &mut at)?;
        }
    }
    for _ in 0..=(flags & 3) {
        let (id, properties) = (vli(header, &mut at)?, vli(header, &mut at)?);
        let properties = usize::try_from(properties).ok()?;
        if id == 0x21 && properties == 1 {
            let bits = *header.get(at)?;
            return match bits {
                0..40 => Some(u64::from(2 | (bits & 1)) << (bits / 2 + 11)),
                40 => Some(u64::from(u32::MAX)),
                _ => None,
            };
        }
        at += properties;
    }
    None
}

/// An xz variable-length integer at `at`, which it moves past.
fn vli(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..63).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// A decompressed stream, on its own thread, its errors named, its
/// memory reserved until its end.
fn decoded(
    window: Window,
    reservation: Option<Reservation>,
    ahead: usize,
    decoder: impl Read + Send + 'static,
) -> Text {
    Box::new(Prefetched::spawn(
        Named { window, decoder },
        reservation,
        ahead,
    ))
}

/// The reader under a decoder: its errors are marked as the file's own, so
/// they are not taken for the stream's corruption.
struct Sourced<R>(R);

/// The buffer between a compressed file and its decoder, which reads in
/// small pieces.
const SOURCE_BUFFER: usize = 128 << 10;

impl<R: Read> Sourced<R> {
    fn new(inner: R) -> BufReader<Self> {
        BufReader::with_capacity(SOURCE_BUFFER, Self(inner))
    }
}

impl<R: Read> Read for Sourced<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0
            .read(buf)
            .map_err(|err| io::Error::new(err.kind(), SourceError(err)))
    }
}

/// An I/O error of the file under a decoder ([`Sourced`]).
#[derive(Debug)]
struct SourceError(io::Error);

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SourceError {}

/// Why a compressed stream could not be read.
#[derive(Debug)]
pub struct StreamError {
    pub format: Format,
    pub fault: Fault,
}

/// What is wrong with a compressed stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// It ends early.
    Truncated,
    /// Its bytes make no sense.
    Corrupt,
    /// It ends, and bytes of no stream follow it.
    TrailingGarbage,
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = self.format.name();
        match self.fault {
            Fault::Truncated => write!(f, "truncated {format} stream"),
            Fault::Corrupt => write!(f, "corrupt {format} stream"),
            Fault::TrailingGarbage => write!(f, "trailing garbage after the {format} stream"),
        }
    }
}

impl std::error::Error for StreamError {}

/// Every member of a gzip file, one after the other (flate2's
/// `MultiGzDecoder` takes whatever follows a member for the next one's
/// header, so trailing garbage read as a corrupt or truncated member).
struct GzipMembers<R> {
    /// The member being read; `None` once the file has ended.
    member: Option<flate2::bufread::GzDecoder<R>>,
}

impl<R: BufRead> GzipMembers<R> {
    fn new(input: R) -> Self {
        Self {
            member: Some(flate2::bufread::GzDecoder::new(input)),
        }
    }
}

impl<R: BufRead> Read for GzipMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while let Some(member) = &mut self.member {
            let read = member.read(buf)?;
            if read > 0 || buf.is_empty() {
                return Ok(read);
            }
            // The member has ended: its decoder read no further.
            let mut input = self.member.take().expect("a member").into_inner();
            if another_member(&mut input)? {
                self.member = Some(flate2::bufread::GzDecoder::new(input));
            }
        }
        Ok(0)
    }
}

/// Past the end of a gzip member: whether another one starts there
/// (`input` left at it). Zero bytes to the end are padding, skipped;
/// anything else is an error, trailing garbage.
fn another_member(input: &mut impl BufRead) -> io::Result<bool> {
    let garbage = || {
        let fault = Fault::TrailingGarbage;
        let error = StreamError {
            format: Format::Gzip,
            fault,
        };
        io::Error::new(io::ErrorKind::InvalidData, error)
    };
    let next = input.fill_buf()?;
    match next.first() {
        None => return Ok(false),
        // A member starts with its magic bytes; one byte of them left is
        // a truncated member, which its decoder reports.
        Some(&byte) if byte != 0 => {
            let member = next.starts_with(&[0x1f, 0x8b]) || next == [0x1f];
            return if member { Ok(true) } else { Err(garbage()) };
        }
        Some(_) => {}
    }
    loop {
        let zeros = input.fill_buf()?;
        if zeros.is_empty() {
            return Ok(false);
        }
        if zeros.iter().any(|&byte| byte != 0) {
            return Err(garbage());
        }
        let len = zeros.len();
        input.consume(len);
    }
}

/// A decoder whose own errors become [`StreamError`]s, but for a later
/// frame or block that needs a larger window than the first (which its
/// decoder's limit refuses), and whose file's errors pass unchanged.
struct Named<D> {
    window: Window,
    decoder: D,
}

impl<D: Read> Read for Named<D> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.decoder.read(buf).map_err(|err| {
            if err.kind() == io::ErrorKind::Interrupted {
                return err;
            }
            if let Some(source) = err.get_ref().and_then(|e| e.downcast_ref::<SourceError>()) {
                return io::Error::new(source.0.kind(), source.0.to_string());
            }
            if err.get_ref().is_some_and(|e| e.is::<StreamError>()) {
                return err;
            }
            let format = self.window.format;
            if over_the_window(&err) {
                let (part, what) = match format {
                    Format::Xz => ("block", "dictionary"),
                    _ => ("frame", "window"),
                };
                return io::Error::new(
                    io::ErrorKind::OutOfMemory,
                    format!(
                        "a later {} {part} needs a larger {what} than the first {part}'s {}",
                        format.name(),
                        mib(self.window.bytes, true),
                    ),
                );
            }
            let fault = if err.kind() == io::ErrorKind::UnexpectedEof {
                Fault::Truncated
            } else {
                Fault::Corrupt
            };
            io::Error::new(io::ErrorKind::InvalidData, StreamError { format, fault })
        })
    }
}

/// The decoder refused a window over its limit: liblzma's memlimit,
/// zstd's window_log_max (which zstd names only by its message).
fn over_the_window(err: &io::Error) -> bool {
    let inner = err.get_ref();
    inner
        .and_then(|e| e.downcast_ref::<liblzma::stream::Error>())
        .is_some_and(|e| matches!(e, liblzma::stream::Error::MemLimit))
        || inner.is_some_and(|e| e.to_string() == "Frame requires too much memory for decoding")
}

/// How much decompressed text one hand-over holds: the parser's chunk, so
/// that the threads meet once a MiB (a hand-over wakes a thread, which on
/// a busy machine waits for a core).
const PIECE: usize = 1 << 20;
/// How many pieces the decompressing thread may be ahead; none (a piece
/// handed over as the reader takes it) where `--max-memory` leaves too
/// little room for more.
const AHEAD: usize = 3;

/// How many pieces there are at most: those ahead, the one being filled
/// and the one being read (emptied ones are reused).
const fn live_pieces(ahead: usize) -> usize {
    ahead + 2
}

/// A reader whose source is read on another thread, up to `ahead` (at
/// most [`AHEAD`]) pieces before they are asked for. Dropping it stops that thread after
/// its current piece. The reservation for the decoder and the pieces ends
/// when both the thread (the decoder dropped) and the reader (its last
/// piece dropped) are done.
struct Prefetched {
    pieces: Receiver<io::Result<Vec<u8>>>,
    /// Emptied pieces, sent back for reuse.
    spent: SyncSender<Vec<u8>>,
    current: Cursor<Vec<u8>>,
    done: bool,
    reservation: Option<Arc<Reservation>>,
}

impl Prefetched {
    fn spawn(
        mut source: impl Read + Send + 'static,
        reservation: Option<Reservation>,
        ahead: usize,
    ) -> Self {
        let (send_piece, pieces) = sync_channel(ahead);
        let (spent, take_spent) = sync_channel::<Vec<u8>>(live_pieces(ahead));
        let reservation = reservation.map(Arc::new);
        let thread_s_part = reservation.clone();
        thread::spawn(move || {
            loop {
                let mut piece = take_spent.try_recv().unwrap_or_default();
                piece.resize(PIECE, 0);
                let filled = fill(&mut source, &mut piece);
                let end = match filled {
                    Ok(n) => {
                        piece.truncate(n);
                        n == 0
                    }
                    Err(_) => true,
                };
                let sent = send_piece.send(filled.map(|_| piece));
                if end || sent.is_err() {
                    break;
                }
            }
            // The decoder and the spare pieces go before their reservation.
            drop(source);
            drop(take_spent);
            drop(thread_s_part);
        });
        Self {
            pieces,
            spent,
            current: Cursor::new(Vec::new()),
            done: false,
            reservation,
        }
    }

    /// The stream has ended: the reader's part of the memory goes.
    fn finish(&mut self) {
        self.done = true;
        self.current = Cursor::new(Vec::new());
        self.reservation = None;
    }
}

/// Reads into `buf` until it is full or `source` ends; how many bytes.
fn fill(source: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

impl Read for Prefetched {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.current.read(buf)?;
            if n > 0 || buf.is_empty() || self.done {
                return Ok(n);
            }
            match self.pieces.recv() {
                Ok(Ok(piece)) if piece.is_empty() => self.finish(),
                Ok(Ok(piece)) => {
                    let spent = std::mem::replace(&mut self.current, Cursor::new(piece));
                    let _ = self.spent.try_send(spent.into_inner());
                }
                Ok(Err(err)) => {
                    self.finish();
                    return Err(err);
                }
                // The thread ended without an empty piece: it panicked.
                Err(_) => {
                    self.finish();
                    return Err(io::Error::other("the decompressing thread stopped"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const TEXT: &str = "1\n2.5\n-3\n";

    fn gzip(text: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(text).unwrap();
        encoder.finish().unwrap()
    }

    /// With a checksum, as the zstd command writes by default: without
    /// one, a changed literal goes unnoticed.
    fn zstd(text: &[u8]) -> Vec<u8> {
        let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 1).unwrap();
        encoder.include_checksum(true).unwrap();
        encoder.write_all(text).unwrap();
        encoder.finish().unwrap()
    }

    fn xz(text: &[u8]) -> Vec<u8> {
        let mut encoder = liblzma::write::XzEncoder::new(Vec::new(), 1);
        encoder.write_all(text).unwrap();
        encoder.finish().unwrap()
    }

    fn read(bytes: Vec<u8>) -> io::Result<String> {
        let mut text = String::new();
        from_reader(Cursor::new(bytes))?.read_to_string(&mut text)?;
        Ok(text)
    }

    fn error(bytes: Vec<u8>) -> String {
        read(bytes).unwrap_err().to_string()
    }

    #[test]
    fn formats_are_told_by_their_magic_bytes() {
        assert_eq!(Format::of(&gzip(b"1")), Format::Gzip);
        assert_eq!(Format::of(&zstd(b"1")), Format::Zstd);
        assert_eq!(Format::of(&xz(b"1")), Format::Xz);
        for plain in [&b""[..], b"1\n", b"\x1f", b"\xfd7zX"] {
            assert_eq!(Format::of(plain), Format::Plain, "{plain:?}");
        }
    }

    #[test]
    fn every_format_reads_as_its_text() {
        for (name, bytes) in [
            ("text", TEXT.as_bytes().to_vec()),
            ("gzip", gzip(TEXT.as_bytes())),
            ("zstd", zstd(TEXT.as_bytes())),
            ("xz", xz(TEXT.as_bytes())),
        ] {
            assert_eq!(read(bytes).unwrap(), TEXT, "{name}");
        }
        // Shorter than any magic number.
        assert_eq!(read(b"7".to_vec()).unwrap(), "7");
        assert_eq!(read(Vec::new()).unwrap(), "");
    }

    #[test]
    fn concatenated_members_and_frames_read_fully() {
        for compress in [gzip, zstd, xz] {
            let mut bytes = compress(b"1\n2\n");
            bytes.extend(compress(b"3\n"));
            assert_eq!(read(bytes).unwrap(), "1\n2\n3\n");
        }
    }

    #[test]
    fn zeros_after_gzip_members_are_padding_and_anything_else_is_garbage() {
        let members = [gzip(b"1\n2\n"), gzip(b"3\n")].concat();
        let padded = [&members[..], &[0; 300_000]].concat();
        assert_eq!(read(padded.clone()).unwrap(), "1\n2\n3\n");
        let garbage = "trailing garbage after the gzip stream";
        // Read as a header, these were a truncated (short) or corrupt member.
        for after in [
            &b"x"[..],
            b"junk\n",
            b"not a gzip member at all\n",
            b"\x1f\x8cxyzxyzxyz",
        ] {
            assert_eq!(error([&members[..], after].concat()), garbage, "{after:?}");
        }
        assert_eq!(error([&padded[..], b"\x1f\x8b"].concat()), garbage);
        // A member cut after its first magic byte is truncated, not garbage.
        assert_eq!(
            error([&members[..], b"\x1f"].concat()),
            "truncated gzip stream"
        );
    }

    #[test]
    fn more_text_than_one_piece_arrives_whole_and_in_order() {
        let text: String = (0..700_000).map(|i| format!("{i}\n")).collect();
        assert!(text.len() > 3 * PIECE);
        assert_eq!(read(zstd(text.as_bytes())).unwrap(), text);
    }

    #[test]
    fn truncated_streams_are_named() {
        for (name, compress) in [
            ("gzip", gzip as fn(&[u8]) -> Vec<u8>),
            ("zstd", zstd),
            ("xz", xz),
        ] {
            let mut bytes = compress(TEXT.repeat(100).as_bytes());
            bytes.truncate(bytes.len() - 5);
            assert_eq!(error(bytes), format!("truncated {name} stream"));
        }
    }

    #[test]
    fn corrupt_streams_are_named() {
        for (name, compress) in [
            ("gzip", gzip as fn(&[u8]) -> Vec<u8>),
            ("zstd", zstd),
            ("xz", xz),
        ] {
            let mut bytes = compress(TEXT.repeat(100).as_bytes());
            let middle = bytes.len() / 2;
            for byte in &mut bytes[middle..middle + 4] {
                *byte ^= 0x55;
            }
            assert_eq!(error(bytes), format!("corrupt {name} stream"), "{name}");
        }
    }

    /// zstd with a window of 2^`log`, the content's size unknown (as
    /// when piped), so that the frame says its window.
    fn zstd_window_of(text: &[u8], log: u32) -> Vec<u8> {
        let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 1).unwrap();
        encoder.window_log(log).unwrap();
        encoder.write_all(text).unwrap();
        encoder.finish().unwrap()
    }

    /// xz with an LZMA2 dictionary of `dictionary` bytes.
    fn xz_dictionary_of(text: &[u8], dictionary: u32) -> Vec<u8> {
        let mut options = liblzma::stream::LzmaOptions::new_preset(0).unwrap();
        options.dict_size(dictionary);
        let mut filters = liblzma::stream::Filters::new();
        filters.lzma2(&options);
        let stream =
            liblzma::stream::Stream::new_stream_encoder(&filters, liblzma::stream::Check::Crc64)
                .unwrap();
        let mut encoder = liblzma::write::XzEncoder::new_stream(Vec::new(), stream);
        encoder.write_all(text).unwrap();
        encoder.finish().unwrap()
    }

    fn window(bytes: &[u8]) -> usize {
        let (format, start, _) = peek(Cursor::new(bytes)).unwrap();
        Window::of(format, &start).unwrap().bytes
    }

    #[test]
    fn windows_are_read_from_the_first_header() {
        for log in [10, 17, 20, 23] {
            assert_eq!(window(&zstd_window_of(b"1\n", log)), 1 << log, "2^{log}");
        }
        // A single-segment frame's window is its content, at least 1 KiB.
        let single = |text: &[u8]| zstd::bulk::compress(text, 3).unwrap();
        assert_eq!(window(&single(b"1\n")), 1 << 10);
        let text = "1\n".repeat(100_000);
        assert_eq!(window(&single(text.as_bytes())), 256 << 10);
        for dictionary in [4 << 10, 1 << 20, 3 << 20, 8 << 20] {
            assert_eq!(
                window(&xz_dictionary_of(b"1\n", dictionary)),
                dictionary as usize
            );
        }
        assert_eq!(window(&xz(b"")), 0);
        assert_eq!(window(&gzip(b"1\n")), 32 << 10);
        // Cut inside the header: the smallest window; the decoder says why.
        assert_eq!(window(&xz(b"1")[..14]), 0);
        assert_eq!(window(&zstd_window_of(b"1", 20)[..5]), 1 << 10);
    }

    fn read_within(bytes: Vec<u8>, budget: &Budget) -> io::Result<String> {
        let mut text = String::new();
        text_of(Cursor::new(bytes), Some(budget))?.read_to_string(&mut text)?;
        Ok(text)
    }

    /// Waits for the decompressing thread to give its part back.
    fn wait_until_free(budget: &Budget) {
        let start = std::time::Instant::now();
        while budget.used() != 0 {
            assert!(
                start.elapsed().as_secs() < 10,
                "{} still used",
                budget.used()
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    #[test]
    fn the_decoder_s_memory_is_held_within_the_budget_until_the_end() {
        let budget = Budget::new(64 << 20, 0);
        let text = "1\n".repeat(100_000);
        let bytes = xz_dictionary_of(text.as_bytes(), 8 << 20);
        let mut reader = text_of(Cursor::new(bytes.clone()), Some(&budget)).unwrap();
        let needs = (8 << 20) + XZ_STATE + SOURCE_BUFFER + live_pieces(AHEAD) * PIECE;
        assert_eq!(budget.used(), needs);
        let mut read = String::new();
        reader.read_to_string(&mut read).unwrap();
        assert_eq!(read, text);
        wait_until_free(&budget);
        // Dropped before its end: given back as well.
        let reader = text_of(Cursor::new(bytes), Some(&budget)).unwrap();
        drop(reader);
        wait_until_free(&budget);
    }

    #[test]
    fn short_of_room_the_text_is_decompressed_a_piece_at_a_time() {
        // 12 MiB of room: an 8 MiB dictionary fits with no piece ahead.
        let budget = Budget::new(16 << 20, 4 << 20);
        let text = "1\n".repeat(100_000);
        let bytes = xz_dictionary_of(text.as_bytes(), 8 << 20);
        let mut reader = text_of(Cursor::new(bytes), Some(&budget)).unwrap();
        let needs = (8 << 20) + XZ_STATE + SOURCE_BUFFER + live_pieces(0) * PIECE;
        assert_eq!(budget.used(), needs);
        let mut read = String::new();
        reader.read_to_string(&mut read).unwrap();
        assert_eq!(read, text);
        wait_until_free(&budget);
    }

    #[test]
    fn a_window_over_the_limit_is_refused_by_its_size() {
        let budget = Budget::new(16 << 20, 4 << 20);
        let err = read_within(xz_dictionary_of(b"1\n", 12 << 20), &budget).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::OutOfMemory);
        assert_eq!(
            err.to_string(),
            "needs 16 MiB to decompress (xz dictionary of 12 MiB), \
             over the 12 MiB that --max-memory 16M leaves for it"
        );
        let err = read_within(zstd_window_of(b"1\n", 24), &budget).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("needs 19 MiB to decompress (zstd window of 16 MiB), over"),
            "{err}"
        );
        assert_eq!(budget.used(), 0);
        // Within the limit, the same streams read.
        let budget = Budget::new(64 << 20, 4 << 20);
        assert_eq!(
            read_within(xz_dictionary_of(b"1\n", 12 << 20), &budget).unwrap(),
            "1\n"
        );
        assert_eq!(
            read_within(zstd_window_of(b"1\n", 24), &budget).unwrap(),
            "1\n"
        );
    }

    #[test]
    fn a_later_part_needing_more_than_the_first_is_refused_by_its_decoder() {
        let budget = Budget::new(64 << 20, 0);
        let mut bytes = zstd_window_of(b"1\n", 20);
        bytes.extend(zstd_window_of(b"2\n", 23));
        assert_eq!(
            read_within(bytes, &budget).unwrap_err().to_string(),
            "a later zstd frame needs a larger window than the first frame's 1 MiB"
        );
        let mut bytes = xz_dictionary_of(b"1\n", 64 << 10);
        bytes.extend(xz_dictionary_of(b"2\n", 8 << 20));
        assert_eq!(
            read_within(bytes, &budget).unwrap_err().to_string(),
            "a later xz block needs a larger dictionary than the first block's 64 KiB"
        );
        // Without a budget, as before: no limit of dp's own.
        let mut bytes = xz_dictionary_of(b"1\n", 64 << 10);
        bytes.extend(xz_dictionary_of(b"2\n", 8 << 20));
        assert_eq!(read(bytes).unwrap(), "1\n2\n");
    }

    #[test]
    fn the_file_s_own_errors_pass_unchanged() {
        struct Failing(Vec<u8>);
        impl Read for Failing {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if self.0.is_empty() {
                    return Err(io::Error::other("disk on fire"));
                }
                let n = buf.len().min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0.drain(..n);
                Ok(n)
            }
        }
        let mut bytes = gzip(TEXT.as_bytes());
        bytes.truncate(bytes.len() - 3);
        let err = from_reader(Failing(bytes))
            .unwrap()
            .read_to_end(&mut Vec::new())
            .unwrap_err();
        assert_eq!(err.to_string(), "disk on fire");
    }
}
