//! Reading a run's data files again, for exact overall quantiles.
//!
//! A file read again must still be the one its record describes before its
//! values count as exact: the same count, min and max, the same sum bit for
//! bit (dp-core sums the values read as dp-stats did), and, where the
//! record has one, the same checksum of its text. A file edited in place
//! can keep its count, min and max (`seq 1 1001` with its middle values
//! replaced); it rarely keeps its sum, and never its checksum. A file
//! that holds more values than its record counted is noticed as it is
//! read, so a data file since grown to gigabytes costs no memory.
//!
//! A compressed file is read through [`dp_core::source`], as dp-stats read
//! it, so its checksum is that of the same decompressed text, and its
//! decompressor's memory counts in the limit as there.
//!
//! Runs over the same files (a sequential and a parallel run) have the same
//! values, so the answer is kept by file set and the data read only once.
//!
//! The values are held within `--max-memory`, as dp-stats holds them
//! ([`dp_core::memory`]): when a run's values do not fit, its files are
//! read again, as many times as the exact quantiles need, each time checked
//! as the first.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

use crate::group::FileStats;
use dp_core::checksum::Checksummed;
use dp_core::cli::Location;
use dp_core::memory::{Again, Budget, Held, Values};
use dp_core::parse::{BLOCK_SIZE, ReadError, read_values_in_blocks};
use dp_core::pool::Helpers;
use dp_core::source;
use dp_core::stats::Tally;
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// The exact overall quantiles of a run's values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactQuantiles {
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
}

/// Why a run's files could not be read again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RereadError {
    /// The file is gone (or its values came from stdin): the normal case
    /// for records made elsewhere.
    Missing { path: String, reason: String },
    /// The file is there but unreadable, or no longer holds the values its
    /// record describes (`line`: where it stopped making sense).
    Changed {
        path: String,
        line: Option<u64>,
        reason: String,
    },
}

impl fmt::Display for RereadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, line, reason) = match self {
            RereadError::Missing { path, reason } => (path, None, reason),
            RereadError::Changed { path, line, reason } => (path, *line, reason),
        };
        write!(f, "{}: {reason}", Location { path, line })
    }
}

/// What a record says that a file read again is checked against: two
/// records that say the same of a file get the same answer.
type Described<'a> = (&'a str, u64, u64, Option<&'a str>, [Option<u64>; 3]);

fn described(stats: &FileStats) -> Described<'_> {
    let bits = |value: Option<f64>| value.map(f64::to_bits);
    (
        &stats.path,
        stats.count,
        stats.invalid,
        stats.checksum.as_deref(),
        [bits(stats.sum()), bits(stats.min()), bits(stats.max())],
    )
}

/// The same for the same files in any order: a sum of a hash (XXH3) of
/// each file's path and count. Sets of equal fingerprints are compared
/// whole.
fn fingerprint(files: &[&FileStats]) -> u64 {
    files
        .iter()
        .map(|stats| xxh3_64_with_seed(stats.path.as_bytes(), stats.count))
        .fold(0, u64::wrapping_add)
}

/// Whether `files` and `others` are the same files, in any order.
fn same_files(files: &[&FileStats], others: &[&FileStats]) -> bool {
    fn sorted<'a>(files: &[&'a FileStats]) -> Vec<Described<'a>> {
        let mut described: Vec<Described> = files.iter().map(|stats| described(stats)).collect();
        described.sort_unstable();
        described
    }
    files.len() == others.len() && sorted(files) == sorted(others)
}

/// Reads data files again, once per distinct set of files.
#[derive(Debug)]
pub struct Rereader<'a> {
    /// Each set of files read, by [`fingerprint`], and what it gave. Only a
    /// set met again is sorted, to be compared: sorting and SipHashing
    /// every run's descriptions took 3.6% of dp-agg's instructions over
    /// 20,000 records, and more with more (n log n).
    known: Vec<Known<'a>>,
    /// `--max-memory`: bytes of values held at once.
    max_memory: usize,
}

#[derive(Debug)]
struct Known<'a> {
    fingerprint: u64,
    files: Vec<&'a FileStats>,
    result: Result<ExactQuantiles, RereadError>,
}

impl Default for Rereader<'_> {
    fn default() -> Self {
        Self::new(Budget::default_limit())
    }
}

impl<'a> Rereader<'a> {
    /// A rereader holding at most `max_memory` bytes of values.
    pub fn new(max_memory: usize) -> Self {
        Self {
            known: Vec::new(),
            max_memory,
        }
    }

    /// The exact quantiles of all the values of `files`, which must still
    /// hold what their records describe.
    pub fn quantiles(&mut self, files: &[&'a FileStats]) -> Result<ExactQuantiles, RereadError> {
        let fingerprint = fingerprint(files);
        let known = self
            .known
            .iter()
            .find(|known| known.fingerprint == fingerprint && same_files(&known.files, files));
        if let Some(known) = known {
            return known.result.clone();
        }
        let result = read_all(files, self.max_memory);
        self.known.push(Known {
            fingerprint,
            files: files.to_vec(),
            result: result.clone(),
        });
        result
    }
}

fn read_all(files: &[&FileStats], max_memory: usize) -> Result<ExactQuantiles, RereadError> {
    // A file gone is the usual reason not to read: find out before reading
    // (and allocating for) all the others.
    for stats in files {
        if let Some(reason) = missing(&stats.path) {
            return Err(RereadError::Missing {
                path: stats.path.to_string(),
                reason,
            });
        }
    }
    // The values grow with what is actually read (records may claim more
    // than the files hold), within the budget.
    // One block read at a time, with its values: that much is not for values.
    let budget = Budget::new(max_memory, 2 * BLOCK_SIZE);
    let mut held = Held::default();
    let mut values = Values::new(&budget, &mut held, &[], Again::Caller);
    for stats in files {
        read_file(stats, &budget, &mut |block| values.take(block))?;
    }
    // A file that fails when read again stops the pass; its error is kept.
    let mut failed = None;
    let summarized = values.summarize(|take| {
        for stats in files {
            read_file(stats, &budget, &mut |block| {
                take(block);
                Ok(())
            })
            .map_err(|err| {
                failed = Some(err);
                ReadError::Io(io::Error::other("read again"))
            })?;
        }
        Ok(())
    });
    let summary = match (summarized, failed) {
        (Ok((summary, _passes)), _) => summary,
        (Err(_), Some(failed)) => return Err(failed),
        (Err(err), None) => {
            return Err(RereadError::Changed {
                path: files
                    .first()
                    .map_or_else(String::new, |stats| stats.path.to_string()),
                line: None,
                reason: err.to_string(),
            });
        }
    };
    Ok(ExactQuantiles {
        median: summary.median,
        q1: summary.q1,
        q3: summary.q3,
    })
}

/// Hands the values of one file to `take`, checking they are the ones its
/// record describes (module doc).
fn read_file(
    stats: &FileStats,
    budget: &Budget,
    take: &mut dyn FnMut(&[f64]) -> Result<(), ReadError>,
) -> Result<(), RereadError> {
    let path = &stats.path;
    let changed = |reason: String| RereadError::Changed {
        path: path.to_string(),
        line: None,
        reason,
    };
    let file = source::open_within(Path::new(&**path), budget).map_err(|err| match err.kind() {
        // Gone since `read_all` looked.
        io::ErrorKind::NotFound => RereadError::Missing {
            path: path.to_string(),
            reason: err.to_string(),
        },
        _ => changed(err.to_string()),
    })?;
    let tokens = stats.count.saturating_add(stats.invalid);
    let mut text = Checksummed::new(AtMostTokens::new(file, tokens));
    let mut tally = Tally::default();
    // Tokens the record skipped as invalid are skipped again, and counted below.
    let skip_invalid = stats.invalid > 0;
    let one_thread = Helpers::new(0);
    read_values_in_blocks(&mut text, skip_invalid, BLOCK_SIZE, &one_thread, |block| {
        tally.add(block);
        take(block)
    })
    .map(|_| ())
    .map_err(|err| match err {
        ReadError::Io(err)
            if err
                .get_ref()
                .is_some_and(|inner| inner.is::<TooManyTokens>()) =>
        {
            changed(format!(
                "now holds more values than its record counted ({})",
                stats.count
            ))
        }
        err => RereadError::Changed {
            path: path.to_string(),
            line: err.line(),
            reason: err.to_string(),
        },
    })?;
    let read = tally.finish();
    if read.count != stats.count {
        return Err(changed(format!(
            "now holds {} values, its record counted {}",
            read.count, stats.count
        )));
    }
    if let Some(checksum) = &stats.checksum
        && *text.checksum() != **checksum
    {
        return Err(changed(
            "its text changed since its record was made (the checksum differs)".into(),
        ));
    }
    if !same(read.min, stats.min()) || !same(read.max, stats.max()) {
        return Err(changed(
            "its values changed since its record was made (min or max differ)".into(),
        ));
    }
    // A sum that overflowed on the way is not checked (it would take a
    // scaled pass): the checksum, where the record has one, still is.
    if read.sum.is_some_and(|sum| sum != stats.sum()) {
        return Err(changed(
            "its values changed since its record was made (the sum differs)".into(),
        ));
    }
    Ok(())
}

/// A reader that fails once its text holds more than a given number of
/// tokens (runs of non-blank bytes), before they are parsed.
struct AtMostTokens<R> {
    inner: R,
    left: u64,
    /// Whether the last byte read was part of a token.
    in_token: bool,
}

/// The error [`AtMostTokens`] fails with.
#[derive(Debug)]
struct TooManyTokens;

impl fmt::Display for TooManyTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("more tokens than the record counted")
    }
}

impl std::error::Error for TooManyTokens {}

impl<R> AtMostTokens<R> {
    fn new(inner: R, tokens: u64) -> Self {
        Self {
            inner,
            left: tokens,
            in_token: false,
        }
    }
}

impl<R: Read> Read for AtMostTokens<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let Some(&last) = buf[..n].last() else {
            return Ok(0);
        };
        let starts = token_starts(&buf[..n], self.in_token);
        self.in_token = !is_blank(last);
        match self.left.checked_sub(starts) {
            Some(left) => self.left = left,
            None => return Err(io::Error::other(TooManyTokens)),
        }
        Ok(n)
    }
}

/// How many tokens start in `bytes`, the byte before them part of a token
/// or not: a comparison of neighbours, with no state carried from byte to
/// byte.
fn token_starts(bytes: &[u8], after_token: bool) -> u64 {
    let first = u64::from(!after_token && !is_blank(bytes[0]));
    let rest: u64 = bytes
        .iter()
        .zip(&bytes[1..])
        .map(|(&before, &byte)| u64::from(is_blank(before) & !is_blank(byte)))
        .sum();
    first + rest
}

/// White space between values, as dp-core's reader has it (C's `isspace`).
fn is_blank(byte: u8) -> bool {
    byte == b' ' || byte.wrapping_sub(b'\t') < 5
}

/// Why `path` cannot be there to read, if it cannot.
/// Only a regular file can be read again: a FIFO (`dp-stats <(seq 10)`
/// read `/dev/fd/63`) would block dp-agg, a terminal would wait for
/// typing, and neither holds the same values twice.
fn missing(path: &str) -> Option<String> {
    if path == "-" {
        return Some("its values came from stdin".into());
    }
    match std::fs::metadata(path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Some(err.to_string()),
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            Some("not a regular file: its values cannot be read again".into())
        }
        _ => None,
    }
}

/// Equal as numbers: which zero a minimum keeps is not a change of data.
fn same(a: Option<f64>, b: Option<f64>) -> bool {
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;
    use dp_core::stats::summarize;

    use dp_core::record::StatsRecord;

    fn record(path: &str, values: &[f64]) -> FileStats {
        let mut data = values.to_vec();
        let summary = summarize(&mut data, &[]);
        FileStats::of(&mut StatsRecord::from_summary(path.to_owned(), summary))
    }

    #[test]
    fn runs_over_the_same_files_read_them_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.txt");
        std::fs::write(&a, "1\n2\n3\n").unwrap();
        std::fs::write(&b, "10\n20\n").unwrap();
        let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
        let first = record(a, &[1.0, 2.0, 3.0]);
        let second = record(b, &[10.0, 20.0]);
        let mut rereader = Rereader::default();
        let exact = rereader.quantiles(&[&first, &second]).unwrap();
        assert_eq!(exact.median, Some(3.0));
        assert_eq!(exact.q1, Some(2.0));
        assert_eq!(exact.q3, Some(10.0));
        // Gone now, yet the same set of files (in another order) is known.
        std::fs::remove_file(a).unwrap();
        assert_eq!(rereader.quantiles(&[&second, &first]), Ok(exact));
        // Another set is read, and the missing file said to be missing.
        match rereader.quantiles(&[&first]) {
            Err(RereadError::Missing { path, .. }) => assert_eq!(path, a),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_changed_file_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "1\n2\n4\n").unwrap();
        let stale = record(path.to_str().unwrap(), &[1.0, 2.0, 3.0]);
        let err = Rereader::default().quantiles(&[&stale]).unwrap_err();
        assert!(matches!(err, RereadError::Changed { .. }), "{err}");
        assert!(err.to_string().ends_with("min or max differ)"), "{err}");
    }

    #[test]
    fn tokens_are_counted_across_reads() {
        for (text, tokens) in [
            (&b"1 2\n3"[..], 3),
            (b"  12.5\t\r\n-3 ", 2),
            (b"", 0),
            (b"\n\n", 0),
            (b"abc,def x", 2),
        ] {
            // In pieces of every size, so a token spans reads.
            for size in 1..=text.len().max(1) {
                let (mut counted, mut after_token) = (0, false);
                for piece in text.chunks(size) {
                    counted += token_starts(piece, after_token);
                    after_token = !is_blank(*piece.last().unwrap());
                }
                let text = String::from_utf8_lossy(text);
                assert_eq!(counted, tokens, "{text:?} in pieces of {size}");
            }
        }
        let mut reader = AtMostTokens::new(&b"1\n2\n3\n"[..], 2);
        let err = reader.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(err.get_ref().unwrap().is::<TooManyTokens>());
        let mut reader = AtMostTokens::new(&b"1\n2\n3\n"[..], 3);
        assert_eq!(reader.read_to_end(&mut Vec::new()).unwrap(), 6);
    }
}
