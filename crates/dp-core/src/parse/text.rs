//! The text reader: whitespace-separated values, any number a line.
//!
//! It works on bytes: it reads 1 MiB chunks into one reused buffer and
//! parses the tokens in place, in one pass that also counts lines, so
//! nothing but the `f64` values grows with the size of the input. A chunk
//! is scanned by two cursors at once, from its start and from its middle
//! ([`two_cursors`]), for the core to work on two tokens at a time.

use std::cell::Cell;
use std::io::{self, Read};

use super::error::ReadError;
use super::number::{scan_number, scan_short};
use crate::pool::Helpers;

/// White space between values: space, tab, line feed, vertical tab, form
/// feed and carriage return (C's `isspace`).
#[inline(always)]
pub(super) fn is_blank(byte: u8) -> bool {
    BLANKS[usize::from(byte)]
}

/// Which bytes are blanks: one load where the comparisons take five
/// instructions, in loops that test a byte after every token.
static BLANKS: [bool; 256] = {
    let mut blanks = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        blanks[byte] = byte == b' ' as usize || (byte >= 9 && byte <= 13);
        byte += 1;
    }
    blanks
};

/// `bytes` without the blanks at either end.
pub(super) fn trim_blanks(mut bytes: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = bytes
        && is_blank(*first)
    {
        bytes = rest;
    }
    while let [rest @ .., last] = bytes
        && is_blank(*last)
    {
        bytes = rest;
    }
    bytes
}

/// How much the text reader reads at a time; also the longest token it
/// accepts (a longer one is reported as invalid, so memory stays bounded).
pub(super) const CHUNK_SIZE: usize = 1 << 20;

/// Appends every value of `input` (numbers separated by white space, any
/// number a line, `\r\n` allowed) to `values`. Returns how many invalid
/// tokens were skipped (always 0 unless `skip_invalid`).
///
/// White space is space, tab, `\n`, `\v`, `\f` and `\r`; lines end at `\n`;
/// a UTF-8 byte order mark at the start is skipped.
/// On error `values` holds part of what came before it. A NUL byte makes the
/// input binary ([`ReadError::Binary`], even with `skip_invalid`); it is
/// looked for a chunk ahead of the parsing, so in an input under 1 MiB it is
/// found before any invalid token. A token of 1 MiB or more is invalid.
pub fn read_values(
    input: impl Read,
    values: &mut Vec<f64>,
    skip_invalid: bool,
) -> Result<u64, ReadError> {
    read_values_chunked(input, values, skip_invalid, CHUNK_SIZE)
}

/// [`read_values`] with a given chunk size, so tests can put chunk
/// boundaries anywhere. The one cutter of text into chunks is
/// [`read_values_in_blocks`](super::read_values_in_blocks): here with no
/// helpers, so every block is parsed on this thread.
fn read_values_chunked(
    input: impl Read,
    values: &mut Vec<f64>,
    skip_invalid: bool,
    chunk_size: usize,
) -> Result<u64, ReadError> {
    let read =
        super::read_values_in_blocks(input, skip_invalid, chunk_size, &Helpers::new(0), |block| {
            values.extend_from_slice(block);
            Ok(())
        })?;
    Ok(read.invalid)
}

pub(super) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where the text of `data[start..]` that can be scanned now ends: whole
/// lines, as the unfinished last one waits for the next chunk; or, if the
/// chunk holds no line end, up to its unfinished token; everything at the
/// input's end. `None` when a full buffer holds not one blank: a token
/// longer than the buffer. The rule by which blocks are cut.
pub(super) fn chunk_end(data: &[u8], start: usize, at_end: bool) -> Option<usize> {
    if at_end {
        Some(data.len())
    } else if let Some(newline) = memchr::memrchr(b'\n', &data[start..]) {
        Some(start + newline + 1)
    } else {
        let blank = data[start..].iter().rposition(|&b| is_blank(b))?;
        Some(start + blank + 1)
    }
}

/// Reads into `buf` after its first `kept` bytes until it is full or the
/// input ends; returns how many bytes `buf` holds and whether the input ended.
pub(super) fn fill(
    input: &mut impl Read,
    buf: &mut [u8],
    kept: usize,
) -> io::Result<(usize, bool)> {
    let mut filled = kept;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => return Ok((filled, true)),
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok((filled, false))
}

/// Turns whole lines of text into values, counting lines for errors.
pub(super) struct Scanner<'a> {
    pub(super) values: &'a mut Vec<f64>,
    pub(super) skip_invalid: bool,
    /// The 1-based line the next byte scanned is on.
    pub(super) line: u64,
    pub(super) invalid: u64,
}

thread_local! {
    /// The values the second of [`two_cursors`] read, until the first's
    /// are all in place: a buffer each thread keeps from text to text.
    static LATER: Cell<Vec<f64>> = const { Cell::new(Vec::new()) };
}

/// Texts from this long on are scanned by [`two_cursors`]: any length
/// works, shorter ones gain nothing (and so tests with short blocks and
/// chunks put the second cursor everywhere).
const TWO_CURSORS_FROM: usize = 32;

/// How far [`two_cursors`] got.
struct TwoCursors {
    /// Where the first cursor stopped, and the line ends before it.
    first: usize,
    first_lines: u64,
    /// Where the second stopped, and the line ends from its start to it.
    second: usize,
    second_lines: u64,
}

/// Reads `text` from its start (into `values`) and from `second`, just
/// after a line end (into `later`), both at once, as long as each finds
/// blanks and the common short tokens ([`scan_short`]); stops where either
/// finds anything else, or the first reaches `second`.
///
/// Where one token ends the next begins, so one cursor is a chain of
/// dependent loads and bit tricks; two independent chains in one loop keep
/// more of the core busy: `read_values` on 10 million `%.6f` values went
/// from 640 to 690 MB/s (best of 5, three times each, `parse_throughput`
/// example with this and with one cursor, on a busy 2-core machine).
#[inline(never)]
fn two_cursors(
    text: &[u8],
    second: usize,
    values: &mut Vec<f64>,
    later: &mut Vec<f64>,
) -> TwoCursors {
    let (mut a, mut b) = (0, second);
    let (mut a_lines, mut b_lines) = (0, 0);
    let (mut a_values, mut b_values) = (std::mem::take(values), std::mem::take(later));
    let len = text.len();
    loop {
        while a < second && is_blank(text[a]) {
            a_lines += u64::from(text[a] == b'\n');
            a += 1;
        }
        while b < len && is_blank(text[b]) {
            b_lines += u64::from(text[b] == b'\n');
            b += 1;
        }
        if a == second {
            break;
        }
        let (Some((x, a_end, a_newline)), Some((y, b_end, b_newline))) =
            (scan_short(text, a), scan_short(text, b))
        else {
            break;
        };
        a_values.push(x);
        b_values.push(y);
        // A short token ends at a blank: past it already.
        a_lines += u64::from(a_newline);
        b_lines += u64::from(b_newline);
        (a, b) = (a_end + 1, b_end + 1);
    }
    (*values, *later) = (a_values, b_values);
    TwoCursors {
        first: a,
        first_lines: a_lines,
        second: b,
        second_lines: b_lines,
    }
}

impl Scanner<'_> {
    /// Scans `text`: whole lines, the last one possibly unfinished, in one
    /// pass that skips blanks, counts line ends and parses tokens in place.
    ///
    /// A long text is taken by two cursors at once, one from its start and
    /// one from a line end near its middle ([`two_cursors`]), as far as
    /// they read common tokens; the rest one token after the other.
    pub(super) fn scan(&mut self, text: &[u8]) -> Result<(), ReadError> {
        let middle = text.len() / 2;
        let second = (text.len() >= TWO_CURSORS_FROM)
            .then(|| memchr::memchr(b'\n', &text[middle..]))
            .flatten()
            .map(|newline| middle + newline + 1);
        let Some(second) = second else {
            return self.scan_range(text, 0, text.len());
        };
        let mut later = LATER.take();
        later.clear();
        let read = two_cursors(text, second, self.values, &mut later);
        self.line += read.first_lines;
        let first = self.scan_range(text, read.first, second);
        if first.is_ok() {
            self.values.extend_from_slice(&later);
        }
        LATER.set(later);
        first?;
        self.line += read.second_lines;
        self.scan_range(text, read.second, text.len())
    }

    /// Scans `text[from..to]`, where `to` is the end of `text` or just
    /// after a line end, one token after the other.
    #[inline(never)]
    fn scan_range(&mut self, text: &[u8], from: usize, to: usize) -> Result<(), ReadError> {
        // Locals, not the fields, in the loop: they stay in registers.
        let mut line = self.line;
        let mut values = std::mem::take(self.values);
        let mut i = from;
        let result = loop {
            if i >= to {
                break Ok(());
            }
            let byte = text[i];
            if is_blank(byte) {
                line += u64::from(byte == b'\n');
                i += 1;
                continue;
            }
            if let Some((value, end, _)) = scan_short(text, i) {
                values.push(value);
                i = end;
                continue;
            }
            let (used, number) = scan_number(&text[i..to]);
            let mut end = i + used;
            if end == to || is_blank(text[end]) {
                if let Some(value) = number.and_then(|number| number.value(&text[i..end])) {
                    values.push(value);
                    i = end;
                    continue;
                }
            } else {
                // Not a number, and where the grammar stopped is not its end.
                end = text[end..to]
                    .iter()
                    .position(|&b| is_blank(b))
                    .map_or(to, |blank| end + blank);
            }
            self.line = line;
            if let Err(err) = self.reject(&text[i..end]) {
                break Err(err);
            }
            i = end;
        };
        *self.values = values;
        if result.is_ok() {
            self.line = line;
        }
        result
    }

    /// An invalid token: an error, or one more skipped with `skip_invalid`.
    pub(super) fn reject(&mut self, token: &[u8]) -> Result<(), ReadError> {
        if looks_binary(token) {
            Err(ReadError::Binary { line: self.line })
        } else if self.skip_invalid {
            self.invalid += 1;
            Ok(())
        } else {
            Err(ReadError::invalid(self.line, token))
        }
    }
}

/// Whether a bad token is a sign of binary data rather than a typo: bytes
/// that are not UTF-8, the rule grep uses beside NUL bytes (a NUL alone would
/// miss most binary files).
fn looks_binary(token: &[u8]) -> bool {
    std::str::from_utf8(token).is_err()
}

#[cfg(test)]
mod tests {
    //! Chunk boundaries at every position, with chunks a few bytes long;
    //! the public API is tested in `tests/parse.rs`.

    use super::*;

    /// Lines with several tokens, blank lines, CRLF, runs of blanks and a
    /// few bad tokens: every token fits the smallest chunk tried.
    const TEXT: &str = "1 -2.5\r\n\r\n  .5\t5.\n1e3 x\n\n\t+7\r\n0.000001\x0c8 nan 9\n  \n12345 6";

    fn read(text: &str, skip_invalid: bool, chunk: usize) -> (Vec<f64>, Result<u64, String>) {
        let mut values = Vec::new();
        let result = read_values_chunked(text.as_bytes(), &mut values, skip_invalid, chunk)
            .map_err(|err| format!("line {:?}: {err}", err.line()));
        (values, result)
    }

    /// What a scanner found: values (as bits), the outcome, lines, invalid.
    type Scanned = (Vec<u64>, Result<(), String>, u64, u64);

    fn scanned(text: &[u8], skip_invalid: bool, two_cursors: bool) -> Scanned {
        let mut values = Vec::new();
        let mut scanner = Scanner {
            values: &mut values,
            skip_invalid,
            line: 1,
            invalid: 0,
        };
        let result = if two_cursors {
            scanner.scan(text)
        } else {
            scanner.scan_range(text, 0, text.len())
        };
        let (line, invalid) = (scanner.line, scanner.invalid);
        let result = result.map_err(|err| format!("line {:?}: {err}", err.line()));
        let values = if result.is_ok() {
            values.iter().map(|x| x.to_bits()).collect()
        } else {
            // What was read before an error is not used.
            Vec::new()
        };
        (values, result, line, invalid)
    }

    #[test]
    fn two_cursors_read_what_one_reads() {
        let mut texts = vec![
            TEXT.to_owned(),
            "1\r\n\r\n2 3\n\n\n4\r\n   \r\n5 6 oops\n7\n".to_owned(),
            "12.5 1e5\n-3.25e-2 +.5\n123456789.125\n\t7.\r\n".repeat(9),
        ];
        let mut x: u64 = 3;
        let mut many = String::new();
        for i in 0..600 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            many.push_str(&format!("{:.6}", (x >> 11) as f64 / (1u64 << 40) as f64));
            many.push_str(if i % 50 == 7 { " \r\n\n" } else { "\n" });
        }
        texts.push(many.clone());
        texts.push(many.replacen("\n", "\nbad\n", 1));
        texts.push(format!(
            "{}x{}",
            &many[..many.len() / 2],
            &many[many.len() / 2..]
        ));
        for text in &texts {
            let bytes = text.as_bytes();
            // Every length moves the middle, and cuts the end anywhere.
            for len in 0..=bytes.len() {
                for skip_invalid in [false, true] {
                    let text = &bytes[..len];
                    assert_eq!(
                        scanned(text, skip_invalid, true),
                        scanned(text, skip_invalid, false),
                        "{:?} skip {skip_invalid}",
                        String::from_utf8_lossy(text)
                    );
                }
            }
        }
    }

    #[test]
    fn every_chunk_size_reads_the_same() {
        let expected = (
            vec![1.0, -2.5, 0.5, 5.0, 1e3, 7.0, 1e-6, 8.0, 9.0, 12345.0, 6.0],
            Ok(2),
        );
        assert_eq!(read(TEXT, true, CHUNK_SIZE), expected);
        let error = Err("line Some(4): 'x' is not a finite number".to_owned());
        assert_eq!(read(TEXT, false, CHUNK_SIZE).1, error);
        for chunk in 9..=TEXT.len() + 1 {
            assert_eq!(read(TEXT, true, chunk), expected, "chunk {chunk}");
            let with_bom = format!("\u{feff}{TEXT}");
            assert_eq!(read(&with_bom, true, chunk), expected, "chunk {chunk}");
            assert_eq!(read(TEXT, false, chunk).1, error, "chunk {chunk}");
        }
    }

    #[test]
    fn line_numbers_survive_every_chunk_size() {
        let text = "1\r\n\r\n2 3\n\n\n4\r\n   \r\n5 6 oops\n7\n";
        for chunk in 8..=text.len() + 1 {
            let (values, result) = read(text, false, chunk);
            assert_eq!(values, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "chunk {chunk}");
            let error = "line Some(8): 'oops' is not a finite number";
            assert_eq!(result, Err(error.to_owned()), "chunk {chunk}");
            // A NUL past the bad token is found in the same chunk or later.
            let binary = format!("{text}\n\n8\x00");
            let (_, result) = read(&binary, true, chunk);
            assert_eq!(
                result,
                Err("line Some(12): binary data, not text".to_owned())
            );
        }
    }

    #[test]
    fn tokens_longer_than_a_chunk_are_invalid() {
        let text = "1 22222222222222222222 3\n4";
        for chunk in 8..20 {
            assert_eq!(
                read(text, true, chunk),
                (vec![1.0, 3.0, 4.0], Ok(1)),
                "chunk {chunk}"
            );
            let (_, result) = read(text, false, chunk);
            assert_eq!(
                result,
                Err(format!(
                    "line Some(1): '{}' is not a finite number",
                    &text[2..2 + chunk]
                ))
            );
        }
        let long: f64 = "22222222222222222222".parse().unwrap();
        assert_eq!(read(text, false, 32), (vec![1.0, long, 3.0, 4.0], Ok(0)));
    }
}
