//! One big file on every core: the text cut at line ends into blocks of a
//! fixed size, each parsed by whichever thread of the pool is free, the
//! values handed on in block order (docs/reference.md, "Big inputs").
//!
//! This is the one reader of plain text: [`read_values`](super::read_values)
//! is it with no helpers. A buffer of [`BLOCK_SIZE`] is filled, cut after
//! its last line end, the rest carried, and each block is parsed by the same
//! scanner, so the values,
//! the invalid tokens and every error (its line: each block's newlines are
//! counted and added up in order) are those of a plain read, whatever the
//! number of threads. The size of a block never depends on that number.
//!
//! The bytes are read (and hashed, by the caller's reader) in order on the
//! calling thread; only the parsing is shared. At most as many blocks are
//! in flight as [`Helpers`] has slots, so memory stays a few blocks.

use std::cell::Cell;
use std::io::Read;
use std::sync::mpsc;
use std::thread::{self, ThreadId};
use std::time::Duration;

use super::error::ReadError;
use super::text::{CHUNK_SIZE, Scanner, UTF8_BOM, chunk_end, fill, is_blank};
use crate::pool::{Helpers, thread_cpu_time};

/// The size of a block: that of the plain reader's chunk, so that a token
/// too long for it is invalid either way.
pub const BLOCK_SIZE: usize = CHUNK_SIZE;

/// A test knob (undocumented for users): the block size in bytes, so tests
/// put block boundaries anywhere in small files. A token longer than a
/// block is then invalid, as one of 1 MiB is normally.
pub const BLOCK_SIZE_ENV: &str = "DP_BLOCK_SIZE";

/// [`BLOCK_SIZE`], or the test knob [`BLOCK_SIZE_ENV`] (at least 8 bytes).
pub fn block_size() -> usize {
    std::env::var(BLOCK_SIZE_ENV)
        .ok()
        .and_then(|size| size.parse::<usize>().ok())
        .map_or(BLOCK_SIZE, |size| size.clamp(8, BLOCK_SIZE))
}

/// What reading in blocks found besides the values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlocksRead {
    /// Tokens skipped as invalid.
    pub invalid: u64,
    /// CPU time other threads spent parsing the input's blocks (the
    /// reading thread's own is on its own clock).
    pub cpu_elsewhere: Duration,
}

/// Reads the values of `input` as [`read_values`](super::read_values) does,
/// parsing blocks of `block_size` bytes on the threads of `helpers`, and
/// hands each block's values, in order, to `take`. An error of `take` stops
/// the reading.
pub fn read_values_in_blocks(
    mut input: impl Read,
    skip_invalid: bool,
    block_size: usize,
    helpers: &Helpers,
    mut take: impl FnMut(&[f64]) -> Result<(), ReadError>,
) -> Result<BlocksRead, ReadError> {
    let mut ordered = Ordered {
        helpers,
        skip_invalid,
        reader: thread::current().id(),
        in_flight: std::collections::VecDeque::new(),
        spare: SPARE.take(),
        spare_values: SPARE_VALUES.take(),
        lines_before: 0,
        invalid: 0,
        cpu_elsewhere: Duration::ZERO,
    };
    let result = cut_blocks(&mut input, block_size, &mut ordered, &mut take);
    // Blocks still in flight after an error are waited for (and dropped):
    // their slots are the pool's.
    let drained = ordered.drain(&mut take);
    let mut spare = std::mem::take(&mut ordered.spare);
    spare.truncate(KEPT_BUFFERS);
    SPARE.set(spare);
    let mut spare_values = std::mem::take(&mut ordered.spare_values);
    spare_values.truncate(KEPT_BUFFERS);
    SPARE_VALUES.set(spare_values);
    result.and(drained)?;
    Ok(BlocksRead {
        invalid: ordered.invalid,
        cpu_elsewhere: ordered.cpu_elsewhere,
    })
}

thread_local! {
    /// The reading buffers a thread keeps between inputs: a fresh one would
    /// be zeroed by the allocator for every file (glibc serves a freed
    /// 1 MiB from its heap and clears it all), which cost a small file
    /// more than parsing it.
    static SPARE: Cell<Vec<Vec<u8>>> = const { Cell::new(Vec::new()) };
    /// The vectors of values that go with them: a fresh one would grow
    /// from nothing, reallocating ten times for a file of 1000 values.
    static SPARE_VALUES: Cell<Vec<Vec<f64>>> = const { Cell::new(Vec::new()) };
}

/// How many buffers [`SPARE`] (and [`SPARE_VALUES`]) keep: the two a
/// reading thread uses at once (docs/reference.md, "Big inputs", counts
/// them in `--max-memory`).
const KEPT_BUFFERS: usize = 2;

/// What a block asks of its parser.
enum Block {
    /// Whole lines (the last, at the end of the input, maybe unfinished).
    Text {
        buffer: Vec<u8>,
        start: usize,
        end: usize,
    },
    /// A token longer than a block: invalid.
    Overlong { buffer: Vec<u8>, start: usize },
    /// Text up to a NUL byte: binary data, on the line of the NUL.
    Binary {
        buffer: Vec<u8>,
        start: usize,
        nul: usize,
    },
}

/// A parsed block: its values, or the error it ends with (lines counted
/// from the block's start), and its buffer for reuse.
struct Parsed {
    values: Vec<f64>,
    newlines: u64,
    invalid: u64,
    error: Option<ReadError>,
    buffer: Vec<u8>,
    /// The CPU time it took, when parsed on another thread than the reader's.
    cpu_elsewhere: Duration,
}

/// [`parse`] on whichever thread runs it, timed when that is not `reader`.
fn parse_for(reader: ThreadId, block: Block, values: Vec<f64>, skip_invalid: bool) -> Parsed {
    if thread::current().id() == reader {
        return parse(block, values, skip_invalid);
    }
    let start = thread_cpu_time();
    let mut parsed = parse(block, values, skip_invalid);
    parsed.cpu_elsewhere = thread_cpu_time().saturating_sub(start);
    parsed
}

/// Parses `block` into `values` (a vector to reuse, empty).
fn parse(block: Block, mut values: Vec<f64>, skip_invalid: bool) -> Parsed {
    let mut scanner = Scanner {
        values: &mut values,
        skip_invalid,
        line: 1,
        invalid: 0,
    };
    let (result, buffer) = match block {
        Block::Text { buffer, start, end } => (scanner.scan(&buffer[start..end]), buffer),
        Block::Overlong { buffer, start } => (scanner.reject(&buffer[start..]), buffer),
        Block::Binary { buffer, start, nul } => {
            let newlines = memchr::memchr_iter(b'\n', &buffer[start..nul]).count();
            let line = 1 + newlines as u64;
            (Err(ReadError::Binary { line }), buffer)
        }
    };
    let (newlines, invalid) = (scanner.line - 1, scanner.invalid);
    Parsed {
        values,
        newlines,
        invalid,
        error: result.err(),
        buffer,
        cpu_elsewhere: Duration::ZERO,
    }
}

/// The blocks sent to be parsed, and their results taken back in order.
struct Ordered<'a> {
    helpers: &'a Helpers,
    skip_invalid: bool,
    /// The thread that reads, whose CPU time is on its own clock.
    reader: ThreadId,
    /// Results to come, oldest first: a slot each.
    in_flight: std::collections::VecDeque<mpsc::Receiver<Parsed>>,
    spare: Vec<Vec<u8>>,
    /// Vectors of values taken, to parse the next blocks into.
    spare_values: Vec<Vec<f64>>,
    /// Lines ended in the blocks taken so far.
    lines_before: u64,
    invalid: u64,
    cpu_elsewhere: Duration,
}

impl Ordered<'_> {
    /// A buffer of `size` bytes, reused where one is spare.
    fn buffer(&mut self, size: usize) -> Vec<u8> {
        match self.spare.pop() {
            Some(mut buffer) => {
                buffer.resize(size, 0);
                buffer
            }
            None => vec![0; size],
        }
    }

    /// An empty vector for a block's values, reused where one is spare.
    fn values(&mut self) -> Vec<f64> {
        self.spare_values.pop().unwrap_or_default()
    }

    /// Parses `block` on a free thread, or here when no thread is free, or
    /// no slot and none of this reader's blocks is in flight, or when it is
    /// the only one (a small file: handing it over would only cost).
    fn send(
        &mut self,
        block: Block,
        last: bool,
        take: &mut impl FnMut(&[f64]) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        loop {
            if last && self.in_flight.is_empty() {
                let parsed = parse(block, self.values(), self.skip_invalid);
                return self.use_parsed(parsed, take);
            }
            if self.helpers.anyone_idle() && self.helpers.take_slot() {
                let (sender, receiver) = mpsc::sync_channel(1);
                let (skip_invalid, reader, values) =
                    (self.skip_invalid, self.reader, self.values());
                self.helpers.submit(Box::new(move || {
                    let _ = sender.send(parse_for(reader, block, values, skip_invalid));
                }));
                self.in_flight.push_back(receiver);
                return Ok(());
            }
            if self.in_flight.is_empty() {
                let parsed = parse(block, self.values(), self.skip_invalid);
                return self.use_parsed(parsed, take);
            }
            // Every slot is taken: this reader's oldest block first.
            self.take_oldest(take)?;
        }
    }

    /// Waits for the oldest block in flight (running queued tasks
    /// meanwhile) and hands its values on.
    fn take_oldest(
        &mut self,
        take: &mut impl FnMut(&[f64]) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        let Some(receiver) = self.in_flight.pop_front() else {
            return Ok(());
        };
        let parsed = loop {
            match receiver.try_recv() {
                Ok(parsed) => break parsed,
                Err(mpsc::TryRecvError::Empty) => {
                    if !self.helpers.help() {
                        // Our block is running on another thread.
                        break receiver.recv().expect("a block's parser panicked");
                    }
                }
                Err(mpsc::TryRecvError::Disconnected) => panic!("a block's parser panicked"),
            }
        };
        self.helpers.release();
        self.use_parsed(parsed, take)
    }

    fn use_parsed(
        &mut self,
        parsed: Parsed,
        take: &mut impl FnMut(&[f64]) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        self.spare.push(parsed.buffer);
        self.cpu_elsewhere += parsed.cpu_elsewhere;
        // The values before an error are handed on, as the plain reader
        // keeps them.
        let taken = take(&parsed.values);
        let mut values = parsed.values;
        values.clear();
        self.spare_values.push(values);
        taken?;
        if let Some(error) = parsed.error {
            return Err(shifted(error, self.lines_before));
        }
        self.lines_before += parsed.newlines;
        self.invalid += parsed.invalid;
        Ok(())
    }

    /// Takes every block still in flight; after an error, only waits for them.
    fn drain(
        &mut self,
        take: &mut impl FnMut(&[f64]) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        let mut result = Ok(());
        while !self.in_flight.is_empty() {
            if result.is_ok() {
                result = self.take_oldest(take);
            } else {
                self.take_oldest(&mut |_| Ok(())).ok();
            }
        }
        result
    }
}

/// `error`, found `lines` lines into the text.
fn shifted(error: ReadError, lines: u64) -> ReadError {
    match error {
        ReadError::Invalid { line, token } => ReadError::Invalid {
            line: line + lines,
            token,
        },
        ReadError::Binary { line } => ReadError::Binary { line: line + lines },
        other => other,
    }
}

/// Cuts `input` into blocks at the ends [`chunk_end`] gives: the one cutter
/// of text, also behind [`read_values`](super::read_values).
fn cut_blocks(
    input: &mut impl Read,
    block_size: usize,
    ordered: &mut Ordered,
    take: &mut impl FnMut(&[f64]) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    let mut buf = ordered.buffer(block_size);
    let mut carried = 0;
    let mut discarding = false;
    let mut first_block = true;
    loop {
        let (filled, at_end) = fill(input, &mut buf, carried)?;
        if let Some(nul) = memchr::memchr(0, &buf[carried..filled]) {
            let block = Block::Binary {
                buffer: buf,
                start: 0,
                nul: carried + nul,
            };
            return ordered.send(block, true, take);
        }
        let data = &buf[..filled];
        let mut start = 0;
        if first_block {
            first_block = false;
            if data.starts_with(UTF8_BOM) {
                start = UTF8_BOM.len();
            }
        }
        if discarding {
            match data.iter().position(|&b| is_blank(b)) {
                Some(blank) => {
                    start = blank;
                    discarding = false;
                }
                None if at_end => return Ok(()),
                None => {
                    carried = 0;
                    continue;
                }
            }
        }
        let Some(end) = chunk_end(data, start, at_end) else {
            let next = ordered.buffer(block_size);
            let block = Block::Overlong { buffer: buf, start };
            buf = next;
            ordered.send(block, false, take)?;
            discarding = true;
            carried = 0;
            continue;
        };
        if at_end {
            let block = Block::Text {
                buffer: buf,
                start,
                end,
            };
            return ordered.send(block, true, take);
        }
        let mut next = ordered.buffer(block_size);
        next[..filled - end].copy_from_slice(&buf[end..filled]);
        carried = filled - end;
        let block = Block::Text {
            buffer: std::mem::replace(&mut buf, next),
            start,
            end,
        };
        ordered.send(block, false, take)?;
    }
}

#[cfg(test)]
mod tests {
    //! Every block size against the plain reader, on every number of
    //! threads; the binaries' behaviour is tested in dp-stats' tests.

    use super::*;
    use crate::parse::read_values;
    use crate::pool::{Cancelled, for_each_in_order_helped};

    const TEXT: &str = "1 -2.5\r\n\r\n  .5\t5.\n1e3 x\n\n\t+7\r\n0.000001\x0c8 nan 9\n  \n12345 6";

    /// Panics where two reads differ, saying where (not the whole values).
    fn same(
        got: &(Vec<f64>, Result<u64, String>),
        expected: &(Vec<f64>, Result<u64, String>),
        what: &str,
    ) {
        assert_eq!(got.1, expected.1, "{what}");
        if got.1.is_err() {
            // What was read before an error is not used (and a NUL is
            // found a chunk ahead of the parsing, and blocks are smaller).
            return;
        }
        assert_eq!(got.0.len(), expected.0.len(), "{what}: count");
        if let Some(at) = (0..got.0.len()).find(|&i| got.0[i].to_bits() != expected.0[i].to_bits())
        {
            panic!("{what}: value {at}: {} for {}", got.0[at], expected.0[at]);
        }
    }

    fn plain(text: &[u8], skip_invalid: bool) -> (Vec<f64>, Result<u64, String>) {
        let mut values = Vec::new();
        let result = read_values(text, &mut values, skip_invalid)
            .map_err(|err| format!("line {:?}: {err}", err.line()));
        (values, result)
    }

    /// Reads `text` in blocks on `jobs` threads of a pool (one item: the
    /// text; the other threads only help).
    fn in_blocks(
        text: &[u8],
        skip_invalid: bool,
        block: usize,
        jobs: usize,
    ) -> (Vec<f64>, Result<u64, String>) {
        let helpers = Helpers::new(if jobs > 1 { 2 * jobs } else { 0 });
        let mut out = None;
        for_each_in_order_helped(
            jobs,
            [text],
            &helpers,
            || {
                |text: &[u8], _: &Cancelled| {
                    // Blocks are shared once another thread is free: wait
                    // for one, so that the test reads in parallel.
                    while jobs > 1 && !helpers.anyone_idle() {
                        std::thread::yield_now();
                    }
                    let mut values = Vec::new();
                    let result =
                        read_values_in_blocks(text, skip_invalid, block, &helpers, |block| {
                            values.extend_from_slice(block);
                            Ok(())
                        })
                        .map(|read| read.invalid)
                        .map_err(|err| format!("line {:?}: {err}", err.line()));
                    (values, result)
                }
            },
            &mut |result| {
                out = Some(result);
                Ok::<_, ()>(())
            },
        )
        .unwrap();
        out.unwrap()
    }

    #[test]
    fn blocks_read_what_the_plain_reader_reads() {
        let texts: Vec<Vec<u8>> = vec![
            TEXT.as_bytes().to_vec(),
            format!("\u{feff}{TEXT}").into_bytes(),
            b"1\r\n\r\n2 3\n\n\n4\r\n   \r\n5 6 oops\n7\n".to_vec(),
            b"1\n2\n\n3\n4 5 6 7 8 9 10 11 12 13\n14\x0015\n".to_vec(),
            b"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20".to_vec(),
            b"1 22222222222222222222 3\n4".to_vec(),
            b"".to_vec(),
            b"\n\n\n".to_vec(),
        ];
        for text in &texts {
            for skip_invalid in [false, true] {
                let expected = plain(text, skip_invalid);
                for jobs in [1, 2, 3, 8] {
                    // Blocks longer than the longest token (20 bytes) and a blank.
                    for block in 22..=text.len() + 1 {
                        let what = format!(
                            "{:?} skip {skip_invalid} jobs {jobs} block {block}",
                            String::from_utf8_lossy(text)
                        );
                        same(
                            &in_blocks(text, skip_invalid, block, jobs),
                            &expected,
                            &what,
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn many_blocks_keep_their_order_and_lines() {
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!("{i}.5\r\n"));
            if i % 7 == 0 {
                text.push_str("\n3 4\n");
            }
        }
        text.push_str("bad\n");
        for skip_invalid in [false, true] {
            let expected = plain(text.as_bytes(), skip_invalid);
            for jobs in [1, 2, 8] {
                for block in [64, 1000, 4096] {
                    let got = in_blocks(text.as_bytes(), skip_invalid, block, jobs);
                    same(&got, &expected, &format!("jobs {jobs} block {block}"));
                }
            }
        }
    }
}
