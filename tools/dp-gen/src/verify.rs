//! `dp-gen --verify`: checks the files without writing anything, one
//! `verify` record per file.
//!
//! Every file must exist and hold exactly `--count` values, read by the same
//! parser dp-stats uses. With `--seed`, the file must also be byte for byte
//! what dp-gen writes, which is regenerated in memory and compared line by
//! line so the first differing line can be named. A compressed file is
//! checked by its text, decompressed, and must be of the `--compress`
//! format (plain text without it).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use anyhow::Context;
use dp_core::cli;
use dp_core::io::{RECORDS_TO_STDOUT, RecordWriter};
use dp_core::parse::{ReadError, read_values};
use dp_core::pool::{Cancelled, for_each_in_order};
use dp_core::record::{Record, VerifyRecord};
use dp_core::source::{self, Format, Text};

use crate::plan::Plan;

/// Longest excerpt of a line quoted in a reason.
const EXCERPT_CHARS: usize = 40;

/// Why a file failed the check, and on which line if one applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub line: Option<u64>,
    pub message: String,
}

impl Failure {
    fn whole_file(message: impl Into<String>) -> Self {
        Self {
            line: None,
            message: message.into(),
        }
    }

    /// As the record's `reason`: `line 17: …`.
    pub fn reason(&self) -> String {
        match self.line {
            Some(line) => format!("line {line}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// Checks every file of `plan` on `jobs` threads; exit 1 if any failed.
pub fn verify(plan: &Plan, seed: Option<u64>, jobs: usize) -> anyhow::Result<()> {
    let mut out = RecordWriter::stdout();
    for_each_in_order(
        jobs,
        1..=plan.files,
        || |index, _: &Cancelled| (index, check_file(plan, seed, index)),
        &mut |(index, checked): (u64, Result<(), Failure>)| -> anyhow::Result<()> {
            let path = plan.path_text(index);
            if let Err(failure) = &checked {
                cli::fail_at(&path, failure.line, &failure.message);
            }
            let record = VerifyRecord {
                path,
                index,
                ok: checked.is_ok(),
                reason: checked.err().map(|failure| failure.reason()),
            };
            out.write(&Record::Verify(record))
                .context(RECORDS_TO_STDOUT)
        },
    )
}

/// Checks file `index`: present, `plan.count` valid values, and with a seed
/// the exact bytes.
pub fn check_file(plan: &Plan, seed: Option<u64>, index: u64) -> Result<(), Failure> {
    let path = plan.path(index);
    let open = || {
        source::open(&path).map_err(|err| match err.kind() {
            io::ErrorKind::NotFound => Failure::whole_file("missing"),
            _ => Failure::whole_file(format!("cannot open: {err}")),
        })
    };
    check_format(&path, plan.compress.format())?;
    let mut values = Vec::new();
    read_values(open()?, &mut values, false).map_err(|err| match err {
        ReadError::Io(err) => Failure::whole_file(format!("cannot read: {err}")),
        err => Failure {
            line: err.line(),
            message: err.to_string(),
        },
    })?;
    let count = values.len() as u64;
    let difference = match seed {
        Some(seed) => first_difference(open()?, plan, seed, index)
            .map_err(|err| Failure::whole_file(format!("cannot read: {err}")))?,
        None => None,
    };
    match (count == plan.count, difference) {
        (true, None) => Ok(()),
        (true, Some(difference)) => Err(difference),
        (false, difference) => {
            let noun = if count == 1 { "value" } else { "values" };
            let mut message = format!("holds {count} {noun}, expected {}", plan.count);
            if let Some(difference) = difference {
                message += &format!("; first difference at {}", difference.reason());
            }
            Err(Failure::whole_file(message))
        }
    }
}

/// Fails unless the file at `path` is stored as `expected` (plain text or
/// the `--compress` format), by its magic bytes: data of another format is
/// not what this dp-gen would write, so `make data` writes it again.
fn check_format(path: &Path, expected: Format) -> Result<(), Failure> {
    let file = File::open(path).map_err(|err| match err.kind() {
        io::ErrorKind::NotFound => Failure::whole_file("missing"),
        _ => Failure::whole_file(format!("cannot open: {err}")),
    })?;
    let mut start = Vec::new();
    file.take(8)
        .read_to_end(&mut start)
        .map_err(|err| Failure::whole_file(format!("cannot read: {err}")))?;
    let found = Format::of(&start);
    if found == expected {
        return Ok(());
    }
    let shown = |format: Format| match format {
        Format::Plain => "plain text".to_owned(),
        other => format!("{} compressed", other.name()),
    };
    Err(Failure::whole_file(format!(
        "is {}, expected {}",
        shown(found),
        shown(expected)
    )))
}

/// Compares the file with what dp-gen writes for `seed`, line by line; the
/// first line that differs, if any.
fn first_difference(file: Text, plan: &Plan, seed: u64, index: u64) -> io::Result<Option<Failure>> {
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut values = plan.values(seed, index);
    let mut expected = Vec::new();
    let mut found = Vec::new();
    for line in 1..=plan.count {
        expected.clear();
        found.clear();
        values.push_line(&mut expected);
        reader.read_until(b'\n', &mut found)?;
        if found != expected {
            return Ok(Some(Failure {
                line: Some(line),
                message: describe_difference(&expected, &found),
            }));
        }
    }
    found.clear();
    if reader.read_until(b'\n', &mut found)? > 0 {
        return Ok(Some(Failure {
            line: Some(plan.count + 1),
            message: format!("expected the end of the file, found '{}'", excerpt(&found)),
        }));
    }
    Ok(None)
}

fn describe_difference(expected: &[u8], found: &[u8]) -> String {
    if found.is_empty() {
        format!(
            "expected '{}', found the end of the file",
            excerpt(expected)
        )
    } else if expected.strip_suffix(b"\n") == Some(found) {
        format!("'{}' lacks its final newline", excerpt(found))
    } else {
        format!(
            "expected '{}', found '{}'",
            excerpt(expected),
            excerpt(found)
        )
    }
}

/// A line as quoted in a message: without its `\n`, control characters
/// escaped, cut to a readable length.
fn excerpt(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    let text = String::from_utf8_lossy(line);
    let mut shown: String = text
        .chars()
        .take(EXCERPT_CHARS)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if text.chars().count() > EXCERPT_CHARS {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_described_plainly() {
        assert_eq!(
            describe_difference(b"12.5\n", b"12.6\n"),
            "expected '12.5', found '12.6'"
        );
        assert_eq!(
            describe_difference(b"12.5\n", b""),
            "expected '12.5', found the end of the file"
        );
        assert_eq!(
            describe_difference(b"12.5\n", b"12.5"),
            "'12.5' lacks its final newline"
        );
        assert_eq!(
            describe_difference(b"12.5\n", b"12.5\r\n"),
            "expected '12.5', found '12.5\\r'"
        );
    }

    #[test]
    fn excerpts_are_cut_and_escaped() {
        assert_eq!(excerpt(b"a\tb\n"), "a\\tb");
        let long = "9".repeat(100);
        assert_eq!(
            excerpt(long.as_bytes()),
            format!("{}…", "9".repeat(EXCERPT_CHARS))
        );
    }

    #[test]
    fn failures_name_their_line() {
        let failure = Failure {
            line: Some(17),
            message: "'abc' is not a finite number".into(),
        };
        assert_eq!(failure.reason(), "line 17: 'abc' is not a finite number");
        assert_eq!(Failure::whole_file("missing").reason(), "missing");
    }
}
