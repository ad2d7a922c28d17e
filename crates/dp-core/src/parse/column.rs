//! One column of a CSV file with a header row.

use std::borrow::Cow;
use std::io::{self, Read};

use super::error::ReadError;
use super::number::parse_value;
use super::text::{UTF8_BOM, trim_blanks};
use crate::lines::{LineError, MAX_LINE};

/// Which CSV column to read: by header name, or by 1-based index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Name(String),
    Index(usize),
}

/// Like [`read_values`](super::read_values), for one column of a CSV file with a header row.
///
/// The column is a header name (matched exactly, after trimming blanks and a
/// UTF-8 byte order mark) or a 1-based index, as `cut -f` counts. Fields may
/// be quoted; blanks around a value are ignored; an empty cell is an invalid
/// token. Records must all have as many fields as the header. Line numbers
/// are those where each record starts. An empty input (not even a header)
/// holds no values and is not an error.
pub fn read_csv_column(
    input: impl Read,
    column: &Column,
    values: &mut Vec<f64>,
    skip_invalid: bool,
) -> Result<u64, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(LineCapped::new(input));
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record).map_err(csv_error)? {
        return Ok(0);
    }
    let header_line = record.position().map_or(1, csv::Position::line);
    if memchr::memchr(0, record.as_slice()).is_some() {
        return Err(ReadError::Binary { line: header_line });
    }
    let index = column_index(&record, column)?;

    let mut invalid = 0;
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, csv::Position::line);
        if memchr::memchr(0, record.as_slice()).is_some() {
            return Err(ReadError::Binary { line });
        }
        let cell = trim_blanks(record.get(index).unwrap_or_default());
        match parse_value(cell) {
            Some(value) => values.push(value),
            None if skip_invalid => invalid += 1,
            None => return Err(ReadError::invalid(line, cell)),
        }
    }
    Ok(invalid)
}

/// The 0-based position of `column` in the header row.
fn column_index(header: &csv::ByteRecord, column: &Column) -> Result<usize, ReadError> {
    let names: Vec<Cow<str>> = header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let name = if i == 0 {
                name.strip_prefix(UTF8_BOM).unwrap_or(name)
            } else {
                name
            };
            String::from_utf8_lossy(trim_blanks(name))
        })
        .collect();
    let found = match column {
        Column::Name(wanted) => names.iter().position(|name| name == wanted.as_str()),
        Column::Index(number) => number.checked_sub(1).filter(|&i| i < names.len()),
    };
    found.ok_or_else(|| {
        let wanted = match column {
            Column::Name(name) => format!("no column named '{name}'"),
            Column::Index(number) => format!("no column {number}"),
        };
        let available: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, name)| format!("{} '{name}'", i + 1))
            .collect();
        ReadError::Csv {
            line: None,
            message: format!(
                "{wanted}: the header has {} column{}: {}",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                available.join(", ")
            ),
        }
    })
}

fn csv_error(err: csv::Error) -> ReadError {
    let line = err.position().map(csv::Position::line);
    let message = err.to_string();
    match err.into_kind() {
        csv::ErrorKind::Io(err) => match err.get_ref().and_then(|e| e.downcast_ref::<TooLong>()) {
            Some(TooLong { line }) => ReadError::Csv {
                line: Some(*line),
                message: LineError::TooLong.to_string(),
            },
            None => ReadError::Io(err),
        },
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => ReadError::Csv {
            line,
            message: format!("a record of {len} fields, the header has {expected_len}"),
        },
        _ => ReadError::Csv { line, message },
    }
}

/// The CSV reader's input, stopped where a line passes [`MAX_LINE`]
/// bytes: the csv crate holds a record whole, of any length (1.5 GB of
/// memory for 300 MB without a line end), as every reader of lines in dp
/// must not ([`crate::lines`]).
struct LineCapped<R> {
    inner: R,
    /// The line being read, from 1.
    line: u64,
    /// Its bytes so far.
    length: usize,
}

/// The error [`LineCapped`] stops with, carried inside an `io::Error`.
#[derive(Debug, thiserror::Error)]
#[error("line {line} is longer than 4 MiB")]
struct TooLong {
    line: u64,
}

impl<R: Read> LineCapped<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            line: 1,
            length: 0,
        }
    }
}

impl<R: Read> Read for LineCapped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut rest = &buf[..n];
        loop {
            let (length, line_ends) = match memchr::memchr(b'\n', rest) {
                Some(at) => (at, true),
                None => (rest.len(), false),
            };
            // As `LineReader` counts: the `\n` not, a `\r` before it yes.
            self.length += length;
            if self.length > MAX_LINE {
                let line = self.line;
                return Err(io::Error::new(io::ErrorKind::InvalidData, TooLong { line }));
            }
            if !line_ends {
                return Ok(n);
            }
            self.line += 1;
            self.length = 0;
            rest = &rest[length + 1..];
        }
    }
}
