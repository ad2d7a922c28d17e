//! Where dp-stats' inputs come from: FILE arguments, or a list of files on
//! stdin (paths or JSON records with a `path`, such as dp-gen's), read as the
//! work goes so `dp-gen | dp-stats` starts before dp-gen ends.

use std::ffi::{OsStr, OsString};
use std::io::{self, BufRead};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use serde::Deserialize;

/// The name records give to stdin.
pub const STDIN_NAME: &str = "-";

/// One unit of work.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Numbers on stdin (`-`).
    Stdin,
    /// A data file. `listed_number` is set when the file came from the stdin
    /// list and its name reads as a number: the user probably meant `-`.
    File { path: PathBuf, listed_number: bool },
    /// A line of the stdin list that names no file.
    BadListing { line: u64, message: String },
}

impl Input {
    /// The input's name in records and messages.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin | Input::BadListing { .. } => STDIN_NAME.to_owned(),
            Input::File { path, .. } => path.to_string_lossy().into_owned(),
        }
    }
}

/// The inputs of one run, in order.
pub enum Inputs {
    Args(std::vec::IntoIter<OsString>),
    /// Stdin lists the files, one a line.
    List {
        stdin: io::Stdin,
        line: u64,
        buf: Vec<u8>,
        ended: bool,
    },
}

impl Inputs {
    /// FILE arguments if there are any, else the list on stdin.
    pub fn new(files: Vec<OsString>) -> Self {
        if files.is_empty() {
            Inputs::List {
                stdin: io::stdin(),
                line: 0,
                buf: Vec::new(),
                ended: false,
            }
        } else {
            Inputs::Args(files.into_iter())
        }
    }

    /// How many inputs there are, when known in advance.
    pub fn known_count(&self) -> Option<usize> {
        match self {
            Inputs::Args(files) => Some(files.len()),
            Inputs::List { .. } => None,
        }
    }
}

impl Iterator for Inputs {
    /// An error reading the stdin list ends the run.
    type Item = io::Result<Input>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Inputs::Args(files) => files.next().map(|file| Ok(from_argument(file))),
            Inputs::List {
                stdin,
                line,
                buf,
                ended,
            } => loop {
                if *ended {
                    return None;
                }
                buf.clear();
                match stdin.lock().read_until(b'\n', buf) {
                    Ok(0) => {
                        *ended = true;
                        return None;
                    }
                    Ok(_) => {}
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    Err(err) => {
                        *ended = true;
                        return Some(Err(err));
                    }
                }
                *line += 1;
                if let Some(input) = from_listed_line(buf, *line) {
                    return Some(Ok(input));
                }
            },
        }
    }

    /// Exact for FILE arguments, so the pool starts no more threads than files.
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Inputs::Args(files) => files.size_hint(),
            Inputs::List { .. } => (0, None),
        }
    }
}

fn from_argument(file: OsString) -> Input {
    if file == STDIN_NAME {
        Input::Stdin
    } else {
        Input::File {
            path: PathBuf::from(file),
            listed_number: false,
        }
    }
}

/// What a record on the list must hold; its other fields are ignored.
#[derive(Deserialize)]
struct Listed {
    path: String,
}

/// The input a line of the stdin list names; `None` for a blank line.
pub fn from_listed_line(line: &[u8], number: u64) -> Option<Input> {
    let text = line.trim_ascii();
    if text.is_empty() {
        return None;
    }
    if text.starts_with(b"{") {
        return Some(match serde_json::from_slice::<Listed>(text) {
            Ok(listed) => Input::File {
                path: PathBuf::from(listed.path),
                listed_number: false,
            },
            Err(err) => Input::BadListing {
                line: number,
                message: format!("not a record with a path: {}", strip_position(&err)),
            },
        });
    }
    Some(Input::File {
        path: PathBuf::from(OsStr::from_bytes(text)),
        listed_number: dp_core::parse::parse_value(text).is_some(),
    })
}

/// serde_json's message without its `at line 1 column 7`: the line is ours.
fn strip_position(err: &serde_json::Error) -> String {
    let message = err.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> Option<Input> {
        Some(Input::File {
            path: PathBuf::from(path),
            listed_number: false,
        })
    }

    #[test]
    fn listed_lines_are_paths_or_records_with_a_path() {
        assert_eq!(from_listed_line(b"data/a.txt\n", 1), file("data/a.txt"));
        assert_eq!(from_listed_line(b"  b c.txt \r\n", 1), file("b c.txt"));
        assert_eq!(from_listed_line(b" \r\n", 1), None);
        let record = br#"{"type":"file","path":"/tmp/d/data1.txt","index":1,"count":5}"#;
        assert_eq!(from_listed_line(record, 1), file("/tmp/d/data1.txt"));
    }

    #[test]
    fn a_record_without_a_path_is_a_bad_listing_on_its_line() {
        match from_listed_line(br#"{"type":"file"}"#, 7) {
            Some(Input::BadListing { line, message }) => {
                assert_eq!(line, 7);
                assert!(message.contains("missing field `path`"), "{message}");
            }
            other => panic!("expected a bad listing, got {other:?}"),
        }
    }
}
