//! A data file's text, whether the file holds it plain or compressed
//! (docs/reference.md, "Compressed files").
//!
//! gzip, zstd and xz are recognised by their magic bytes, never by the
//! name: a `.txt` that is gzip is read as gzip, a `.gz` that holds plain
//! text as text. Every member of a concatenated gzip (`cat a.gz b.gz`),
//! every zstd frame and every xz stream is read. A stream that is corrupt
//! or ends early fails with an [`io::Error`] whose message names the format
//! (`truncated zstd stream`), so a reader's error for that file says why.
//!
//! A compressed file is decompressed on a thread of its own, a few buffers
//! ahead of the parser, as `zstdcat f.zst | dp-stats -` would on two cores:
//! decompressing inline would add zstd's time to the parser's instead of
//! overlapping them.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Chain, Cursor, Read};
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread;

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

/// Opens the data file at `path` for its text.
pub fn open(path: &Path) -> io::Result<Text> {
    from_reader(File::open(path)?)
}

/// The text on standard input, decompressed if it is compressed.
pub fn stdin() -> io::Result<Text> {
    from_reader(io::stdin())
}

/// The text of `input`, whose first bytes say how it is stored.
pub fn from_reader(input: impl Read + Send + 'static) -> io::Result<Text> {
    let (format, input) = peek(input)?;
    Ok(match format {
        Format::Plain => Box::new(input),
        Format::Gzip => decoded(
            format,
            flate2::bufread::MultiGzDecoder::new(Sourced::new(input)),
        ),
        Format::Zstd => decoded(
            format,
            zstd::stream::read::Decoder::with_buffer(Sourced::new(input))?,
        ),
        Format::Xz => decoded(
            format,
            liblzma::bufread::XzDecoder::new_multi_decoder(Sourced::new(input)),
        ),
    })
}

/// A reader whose first bytes were looked at, handed on again in front.
type Peeked<R> = Chain<Cursor<Vec<u8>>, R>;

/// `input` with its first bytes read to find its format, and handed on
/// again in front of the rest.
fn peek<R: Read>(mut input: R) -> io::Result<(Format, Peeked<R>)> {
    let mut start = Vec::with_capacity(MAGIC_LEN);
    // A pipe may deliver the magic bytes in pieces.
    (&mut input)
        .take(MAGIC_LEN as u64)
        .read_to_end(&mut start)?;
    Ok((Format::of(&start), Cursor::new(start).chain(input)))
}

/// A decompressed stream, on its own thread, its errors named.
fn decoded(format: Format, decoder: impl Read + Send + 'static) -> Text {
    Box::new(Prefetched::spawn(Named { format, decoder }))
}

/// The reader under a decoder: its errors are marked as the file's own, so
/// they are not taken for the stream's corruption.
struct Sourced<R>(R);

impl<R: Read> Sourced<R> {
    fn new(inner: R) -> BufReader<Self> {
        // Decoders read in small pieces.
        BufReader::with_capacity(128 << 10, Self(inner))
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

/// Why a compressed stream could not be read: it ends early or its bytes
/// make no sense.
#[derive(Debug)]
pub struct StreamError {
    pub format: Format,
    pub truncated: bool,
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.truncated {
            "truncated"
        } else {
            "corrupt"
        };
        write!(f, "{what} {} stream", self.format.name())
    }
}

impl std::error::Error for StreamError {}

/// A decoder whose own errors become [`StreamError`]s and whose file's
/// errors pass unchanged.
struct Named<D> {
    format: Format,
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
            let truncated = err.kind() == io::ErrorKind::UnexpectedEof;
            io::Error::new(
                io::ErrorKind::InvalidData,
                StreamError {
                    format: self.format,
                    truncated,
                },
            )
        })
    }
}

/// How much decompressed text one hand-over holds: the parser's chunk, so
/// that the threads meet once a MiB (a hand-over wakes a thread, which on
/// a busy machine waits for a core).
const PIECE: usize = 1 << 20;
/// How many pieces the decompressing thread may be ahead.
const AHEAD: usize = 3;

/// A reader whose source is read on another thread, up to [`AHEAD`]
/// pieces before they are asked for. Dropping it stops that thread after
/// its current piece.
struct Prefetched {
    pieces: Receiver<io::Result<Vec<u8>>>,
    /// Emptied pieces, sent back for reuse.
    spent: SyncSender<Vec<u8>>,
    current: Cursor<Vec<u8>>,
    done: bool,
}

impl Prefetched {
    fn spawn(mut source: impl Read + Send + 'static) -> Self {
        let (send_piece, pieces) = sync_channel(AHEAD);
        let (spent, take_spent) = sync_channel::<Vec<u8>>(AHEAD + 2);
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
                    return;
                }
            }
        });
        Self {
            pieces,
            spent,
            current: Cursor::new(Vec::new()),
            done: false,
        }
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
                Ok(Ok(piece)) => {
                    self.done = piece.is_empty();
                    let spent = std::mem::replace(&mut self.current, Cursor::new(piece));
                    let _ = self.spent.try_send(spent.into_inner());
                }
                Ok(Err(err)) => {
                    self.done = true;
                    return Err(err);
                }
                // The thread ended without an empty piece: it panicked.
                Err(_) => {
                    self.done = true;
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
