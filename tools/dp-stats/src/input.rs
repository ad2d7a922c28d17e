//! Where dp-stats' inputs come from: FILE arguments, or a list of files on
//! stdin (paths or JSON records with a `path`, such as dp-gen's), read as the
//! work goes so `dp-gen | dp-stats` starts before dp-gen ends.

use std::ffi::OsString;
use std::io::{self, BufReader};
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;

use dp_core::lines::LineReader;
use serde::Deserialize;

/// The name records give to stdin.
pub const STDIN_NAME: &str = "-";

/// One unit of work.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Numbers on stdin (`-`), and their name in records and messages:
    /// `-`, or `--stdin-name`'s.
    Stdin { name: String },
    /// A data file, and its name in records and messages (its path, which
    /// is UTF-8). `listed_number` is set when the file came from the stdin
    /// list and its name reads as a number: the user probably meant `-`.
    File {
        path: PathBuf,
        name: String,
        listed_number: bool,
    },
    /// An input that names no file dp can read and record: a line of the
    /// stdin list that is neither a path nor a record with one (`name` is
    /// `-`, `line` its line), or a file name that is not UTF-8.
    Refused {
        name: String,
        line: Option<u64>,
        message: String,
    },
}

impl Input {
    /// The input's name in records and messages.
    pub fn name(&self) -> &str {
        match self {
            Input::Stdin { name } | Input::File { name, .. } | Input::Refused { name, .. } => name,
        }
    }

    /// The data file `path`, or a refusal if its name is not UTF-8: a
    /// record names files by UTF-8 text, and a name changed to fit (`�`
    /// for each bad byte) would name another file, or none.
    fn file(path: Vec<u8>, listed_number: bool) -> Self {
        match String::from_utf8(path) {
            Ok(name) => Input::File {
                path: PathBuf::from(&name),
                name,
                listed_number,
            },
            Err(err) => Input::Refused {
                name: escaped(err.as_bytes()),
                line: None,
                message: NOT_UTF8.to_owned(),
            },
        }
    }
}

/// Why a file whose name is not UTF-8 is refused.
pub const NOT_UTF8: &str = "the file name is not UTF-8 (its other bytes shown as \\xHH): \
                            records name files as UTF-8 text, so rename it";

/// A name that is not UTF-8, readable: its UTF-8 parts as they are, every
/// other byte as `\xHH`.
fn escaped(name: &[u8]) -> String {
    let mut shown = String::with_capacity(name.len() + 8);
    for chunk in name.utf8_chunks() {
        shown.push_str(chunk.valid());
        for byte in chunk.invalid() {
            shown.push_str(&format!("\\x{byte:02x}"));
        }
    }
    shown
}

/// The inputs of one run, in order.
pub enum Inputs {
    /// FILE arguments, and the name `-` among them stands for.
    Args(std::vec::IntoIter<OsString>, String),
    /// Stdin lists the files, one a line, read through the capped
    /// [`LineReader`]: a line of more than 4 MiB or a NUL byte (`dp-stats <
    /// /dev/zero`) stops the list with an error on its line.
    List(LineReader<BufReader<io::Stdin>>),
}

impl Inputs {
    /// FILE arguments if there are any, else the list on stdin; `-` among
    /// them is named `stdin_name` (`-` if `None`).
    pub fn new(files: Vec<OsString>, stdin_name: Option<String>) -> Self {
        if files.is_empty() {
            Inputs::List(LineReader::new(BufReader::new(io::stdin())))
        } else {
            let stdin_name = stdin_name.unwrap_or_else(|| STDIN_NAME.to_owned());
            Inputs::Args(files.into_iter(), stdin_name)
        }
    }

    /// How many inputs there are, when known in advance.
    pub fn known_count(&self) -> Option<usize> {
        match self {
            Inputs::Args(files, _) => Some(files.len()),
            Inputs::List(_) => None,
        }
    }
}

impl Iterator for Inputs {
    /// An error reading the stdin list ends the run.
    type Item = io::Result<Input>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Inputs::Args(files, stdin_name) => {
                files.next().map(|file| Ok(from_argument(file, stdin_name)))
            }
            Inputs::List(lines) => loop {
                match lines.next_line()? {
                    Err(err) => return Some(Err(err)),
                    Ok(Err(problem)) => {
                        // The reader stops here: this is the list's last input.
                        return Some(Ok(Input::Refused {
                            name: STDIN_NAME.to_owned(),
                            line: Some(lines.line()),
                            message: problem.to_string(),
                        }));
                    }
                    Ok(Ok((number, line))) => {
                        if let Some(input) = from_listed_line(line, number) {
                            return Some(Ok(input));
                        }
                    }
                }
            },
        }
    }

    /// Exact for FILE arguments, so the pool starts no more threads than files.
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Inputs::Args(files, _) => files.size_hint(),
            Inputs::List(_) => (0, None),
        }
    }
}

fn from_argument(file: OsString, stdin_name: &str) -> Input {
    if file == STDIN_NAME {
        Input::Stdin {
            name: stdin_name.to_owned(),
        }
    } else {
        Input::file(file.into_vec(), false)
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
            Ok(listed) => Input::file(listed.path.into_bytes(), false),
            Err(err) => Input::Refused {
                name: STDIN_NAME.to_owned(),
                line: Some(number),
                message: format!("not a record with a path: {}", strip_position(&err)),
            },
        });
    }
    Some(Input::file(
        text.to_vec(),
        dp_core::parse::parse_value(text).is_some(),
    ))
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
            name: path.to_owned(),
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
            Some(Input::Refused {
                name,
                line,
                message,
            }) => {
                assert_eq!((name.as_str(), line), ("-", Some(7)));
                assert!(message.contains("missing field `path`"), "{message}");
            }
            other => panic!("expected a bad listing, got {other:?}"),
        }
    }

    #[test]
    fn a_name_that_is_not_utf8_is_refused_and_shown_with_its_bytes() {
        match from_listed_line(b"caf\xe9 \xff\xfe.txt\n", 3) {
            Some(Input::Refused {
                name,
                line,
                message,
            }) => {
                assert_eq!(name, "caf\\xe9 \\xff\\xfe.txt");
                assert_eq!(line, None);
                assert_eq!(message, NOT_UTF8);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(from_listed_line("café.txt".as_bytes(), 1), file("café.txt"));
    }
}
