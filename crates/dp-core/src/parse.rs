//! Reading numbers from data files: whitespace-separated decimal values, or
//! one column of a CSV file (SPEC §2).
//!
//! API CONTRACT (stub; the parse helper replaces every `todo!`).

use std::io::{self, Read};

/// Why the values of a data file could not be read. `Display` gives the
/// message without the location: callers print `PATH:LINE: message`.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A token that is not a finite decimal number (token cut to a readable length).
    #[error("'{token}' is not a finite number")]
    Invalid { line: u64, token: String },
    /// A NUL byte: the file is binary, not text.
    #[error("binary data, not text")]
    Binary { line: u64 },
    /// A CSV problem: a missing column, a malformed record.
    #[error("{message}")]
    Csv { line: Option<u64>, message: String },
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl ReadError {
    /// The 1-based line the error is on, where one applies.
    pub fn line(&self) -> Option<u64> {
        todo!()
    }
}

/// Which CSV column to read: by header name, or by 1-based index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Name(String),
    Index(usize),
}

/// Parses one token as a finite decimal number (`12`, `-3.5`, `+4`, `.5`,
/// `5.`, `1e-3`); `None` for anything else (`nan`, `inf`, hex, `1,000`, `1e400`).
pub fn parse_value(token: &[u8]) -> Option<f64> {
    let _ = token;
    todo!()
}

/// Appends every value of `input` (numbers separated by white space, any
/// number a line, `\r\n` allowed) to `values`. Returns how many invalid
/// tokens were skipped (always 0 unless `skip_invalid`).
pub fn read_values(
    input: impl Read,
    values: &mut Vec<f64>,
    skip_invalid: bool,
) -> Result<u64, ReadError> {
    let _ = (input, values, skip_invalid);
    todo!()
}

/// Like [`read_values`], for one column of a CSV file with a header row.
pub fn read_csv_column(
    input: impl Read,
    column: &Column,
    values: &mut Vec<f64>,
    skip_invalid: bool,
) -> Result<u64, ReadError> {
    let _ = (input, column, values, skip_invalid);
    todo!()
}
