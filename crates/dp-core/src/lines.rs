//! Reading text a line at a time with a limit: every reader of lines in dp
//! (record streams, file lists, joblogs) goes through [`LineReader`], so
//! none grows without bound on `/dev/zero` or a binary file given by
//! mistake. Records are under 4 KiB by design; a line of more than
//! [`MAX_LINE`] bytes, or one holding a NUL byte, is not text dp wrote, and
//! the reader stops there with an error naming the line.

use std::io::{self, BufRead};

/// The longest line a reader accepts, without its `\n`: 4 MiB, a
/// thousand times a record.
pub const MAX_LINE: usize = 4 << 20;

/// Why a reader stopped before the end of its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    #[error("a line longer than 4 MiB: not text that dp reads; the rest is not read")]
    TooLong,
    #[error("a NUL byte: binary data, not text; the rest is not read")]
    Binary,
}

/// Lines of `input`, numbered from 1, `\n` (and a `\r` before it) removed.
pub struct LineReader<R> {
    input: R,
    line: u64,
    buf: Vec<u8>,
    limit: usize,
    stopped: bool,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(input: R) -> Self {
        Self::with_limit(input, MAX_LINE)
    }

    /// A reader with another limit (for tests).
    pub fn with_limit(input: R, limit: usize) -> Self {
        Self {
            input,
            line: 0,
            buf: Vec::new(),
            limit,
            stopped: false,
        }
    }

    /// The number of the line last returned.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The next line and its number; `None` at the end, and after an error
    /// (a [`LineError`] is returned once, then the reader is done).
    #[allow(clippy::type_complexity)]
    pub fn next_line(&mut self) -> Option<io::Result<Result<(u64, &[u8]), LineError>>> {
        if self.stopped {
            return None;
        }
        self.buf.clear();
        match read_capped(&mut self.input, &mut self.buf, self.limit) {
            Err(err) => {
                self.stopped = true;
                return Some(Err(err));
            }
            Ok(false) => return None,
            Ok(true) => {}
        }
        self.line += 1;
        let content = self.buf.len() - usize::from(self.buf.ends_with(b"\n"));
        let problem = if content > self.limit {
            Some(LineError::TooLong)
        } else if memchr::memchr(0, &self.buf).is_some() {
            Some(LineError::Binary)
        } else {
            None
        };
        if let Some(problem) = problem {
            self.stopped = true;
            return Some(Ok(Err(problem)));
        }
        let mut text = &self.buf[..];
        text = text.strip_suffix(b"\n").unwrap_or(text);
        text = text.strip_suffix(b"\r").unwrap_or(text);
        Some(Ok(Ok((self.line, text))))
    }
}

/// Appends the next line of `input` (through its `\n`) to `buf`, but no
/// more than `limit + 1` bytes of it; `false` at the end of the input.
fn read_capped(input: &mut impl BufRead, buf: &mut Vec<u8>, limit: usize) -> io::Result<bool> {
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if available.is_empty() {
            return Ok(!buf.is_empty());
        }
        let (ends, take) = match memchr::memchr(b'\n', available) {
            Some(at) => (true, at + 1),
            None => (false, available.len()),
        };
        // Room for `limit` bytes and a `\n`, and one byte more to tell a
        // line that is too long.
        let room = (limit + 2).saturating_sub(buf.len());
        if take > room {
            buf.extend_from_slice(&available[..room]);
            input.consume(room);
            return Ok(true);
        }
        buf.extend_from_slice(&available[..take]);
        input.consume(take);
        if ends {
            return Ok(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], limit: usize) -> Vec<Result<(u64, String), LineError>> {
        let mut reader = LineReader::with_limit(input, limit);
        let mut out = Vec::new();
        while let Some(item) = reader.next_line() {
            out.push(
                item.unwrap()
                    .map(|(n, text)| (n, String::from_utf8_lossy(text).into_owned())),
            );
        }
        out
    }

    #[test]
    fn lines_lose_their_ends_and_keep_their_numbers() {
        let got = lines(b"a\r\n\nbcd\nlast", 8);
        let expected: Vec<Result<(u64, String), LineError>> = vec![
            Ok((1, "a".into())),
            Ok((2, String::new())),
            Ok((3, "bcd".into())),
            Ok((4, "last".into())),
        ];
        assert_eq!(got, expected);
    }

    #[test]
    fn a_line_at_the_limit_passes_and_one_byte_more_stops_the_reader() {
        assert_eq!(lines(b"12345678\nx\n", 8).len(), 2);
        assert_eq!(
            lines(b"ok\n123456789\nnever read\n", 8),
            vec![Ok((1, "ok".into())), Err(LineError::TooLong)]
        );
        let zeros = std::io::repeat(0).take(1 << 20);
        let mut reader = LineReader::with_limit(std::io::BufReader::new(zeros), 1000);
        assert_eq!(
            reader.next_line().unwrap().unwrap(),
            Err(LineError::TooLong)
        );
        assert!(reader.next_line().is_none());
    }

    #[test]
    fn a_nul_byte_is_binary() {
        assert_eq!(
            lines(b"1\n2\x003\n4\n", 100),
            vec![Ok((1, "1".into())), Err(LineError::Binary)]
        );
    }

    use std::io::Read as _;
}
