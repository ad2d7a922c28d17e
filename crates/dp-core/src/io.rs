//! Reading and writing dp's JSON Lines.

use std::fs;
use std::io::{self, BufRead, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use serde::Serialize;

use crate::lines::LineReader;
use crate::record::{Record, StatsRecord};

/// Largest write a pipe keeps whole when several processes share it
/// (docs/reference.md, "Records").
pub const PIPE_BUF: usize = 4096;

/// A line of a record stream that is not a valid record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{source_name}:{line}: {message}")]
pub struct RecordError {
    pub source_name: String,
    pub line: u64,
    pub message: String,
}

/// Reads records from JSON Lines: blank lines skipped, unknown fields and
/// record types ignored (unknown types come back as [`Record::Unknown`]), a
/// line that is not a record reported with its number. A line too long or
/// holding a NUL byte ([`LineError`]) is reported once and ends the stream:
/// the input is not a record stream.
pub struct RecordReader<R> {
    lines: LineReader<R>,
    source_name: String,
}

impl<R: BufRead> RecordReader<R> {
    /// `source_name` names the input in errors (`-` or a path).
    pub fn new(input: R, source_name: impl Into<String>) -> Self {
        Self {
            lines: LineReader::new(input),
            source_name: source_name.into(),
        }
    }

    /// The next record with its 1-based line number, `None` at the end.
    /// An I/O error ends the stream (the caller sees it as `Err`).
    pub fn next_record(&mut self) -> Option<io::Result<Result<(u64, Record), RecordError>>> {
        loop {
            let (line, parsed) = match self.lines.next_line()? {
                Err(err) => return Some(Err(err)),
                Ok(Err(problem)) => (self.lines.line(), Err(problem.to_string())),
                Ok(Ok((line, text))) => {
                    let text = text.trim_ascii();
                    if text.is_empty() {
                        continue;
                    }
                    (line, parse_record(text))
                }
            };
            return Some(Ok(parsed.map(|record| (line, record)).map_err(|message| {
                RecordError {
                    source_name: self.source_name.clone(),
                    line,
                    message,
                }
            })));
        }
    }
}

impl<R: BufRead> Iterator for RecordReader<R> {
    type Item = io::Result<Result<(u64, Record), RecordError>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_record()
    }
}

/// Parses one line as a record.
pub fn parse_record(line: &[u8]) -> Result<Record, String> {
    // dp's writers put the tag first. A `stats` record, the bulk of any
    // stream, then goes straight into its struct: to find an internally
    // tagged enum's tag, serde buffers the whole object first, which halves
    // the speed of parsing its digest. Anything else takes the general path.
    if line.starts_with(br#"{"type":"stats","#)
        && let Ok(stats) = serde_json::from_slice::<StatsRecord>(line)
    {
        return Ok(Record::Stats(Box::new(stats)));
    }
    serde_json::from_slice(line).map_err(|err| {
        let kind = if err.is_data() {
            "not a valid record"
        } else {
            "not JSON"
        };
        // serde_json's column refers to the line; the line number is ours.
        format!("{kind}: {}", strip_position(&err.to_string()))
    })
}

fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    }
}

/// What a tool says when its records cannot be written to stdout (`dp-stats:
/// cannot write records to stdout: No space left on device`).
pub const RECORDS_TO_STDOUT: &str = "cannot write records to stdout";

/// Writes records as JSON Lines, each in a single `write` call so that
/// records from several processes sharing one pipe never interleave.
///
/// Give it an unbuffered writer (`io::stdout()`, a `File`): a `BufWriter`
/// would split or merge records across writes.
pub struct RecordWriter<W> {
    out: W,
    buf: Vec<u8>,
}

impl RecordWriter<io::Stdout> {
    /// A writer on this process's stdout.
    pub fn stdout() -> Self {
        Self::new(io::stdout())
    }
}

impl<W: Write> RecordWriter<W> {
    pub fn new(out: W) -> Self {
        Self {
            out,
            buf: Vec::with_capacity(PIPE_BUF),
        }
    }

    /// Writes one record and its `\n` with one `write_all`.
    pub fn write<T: Serialize + ?Sized>(&mut self, record: &T) -> io::Result<()> {
        self.buf.clear();
        to_json_line(record, &mut self.buf)?;
        self.out.write_all(&self.buf)?;
        self.out.flush()
    }

    /// Writes a record already serialized by [`to_json_line`] (its `\n`
    /// included) with one `write_all`.
    pub fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        self.out.write_all(line)?;
        self.out.flush()
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Serializes a record as one JSON line (with its `\n`) into `buf`.
pub fn to_json_line<T: Serialize + ?Sized>(record: &T, buf: &mut Vec<u8>) -> io::Result<()> {
    serde_json::to_writer(&mut *buf, record)?;
    buf.push(b'\n');
    Ok(())
}

/// Creates `dir` and its parents with mode 0755 (before the umask).
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ErrorRecord;

    #[test]
    fn reader_skips_blanks_ignores_unknowns_and_numbers_bad_lines() {
        let input = b"\n{\"type\":\"error\",\"path\":\"a\",\"error\":\"x\",\"new\":1}\n\
                      {\"type\":\"future\",\"x\":1}\r\n  \nnot json\n{\"type\":\"stats\"}\n";
        let got: Vec<_> = RecordReader::new(&input[..], "in.jsonl")
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(got.len(), 4);
        let expected = Record::Error(ErrorRecord {
            path: "a".into(),
            run: None,
            error: "x".into(),
            line: None,
            repeat: None,
        });
        assert_eq!(got[0], Ok((2, expected)));
        assert_eq!(got[1], Ok((3, Record::Unknown)));
        let bad = got[2].as_ref().unwrap_err();
        assert_eq!(bad.line, 5);
        assert!(bad.to_string().starts_with("in.jsonl:5: not JSON"), "{bad}");
        let incomplete = got[3].as_ref().unwrap_err();
        assert_eq!(incomplete.line, 6);
        assert!(incomplete.message.contains("missing field"), "{incomplete}");
    }

    #[test]
    fn stats_records_parse_the_same_with_the_tag_first_or_not() {
        let fields = r#""path":"a.txt","run":null,"count":2,"sum":3.0,"min":1.0,"max":2.0,"mean":1.5,"median":1.5,"q1":1.25,"q3":1.75,"variance":0.5,"stddev":0.7071067811865476,"started_at":1.0,"finished_at":2.0,"elapsed_s":1.0,"delay_s":0.0,"host":"h","pid":1,"digest":{"kind":"quantiles","version":1,"count":2,"rank_err":0,"q":[1.0,2.0]}"#;
        let tag_first = format!(r#"{{"type":"stats",{fields}}}"#);
        let tag_last = format!(r#"{{{fields},"type":"stats"}}"#);
        let general: Record = serde_json::from_str(&tag_last).unwrap();
        assert!(matches!(general, Record::Stats(_)));
        assert_eq!(parse_record(tag_first.as_bytes()), Ok(general.clone()));
        assert_eq!(parse_record(tag_last.as_bytes()), Ok(general));
        let broken = tag_first.replace(r#""count":2,"#, "");
        let err = parse_record(broken.as_bytes()).unwrap_err();
        assert!(err.contains("missing field `count`"), "{err}");
    }

    #[test]
    fn writer_writes_one_line_per_record() {
        let mut writer = RecordWriter::new(Vec::new());
        let record = Record::Error(ErrorRecord {
            path: "a.txt".into(),
            run: Some("r".into()),
            error: "bad".into(),
            line: Some(3),
            repeat: None,
        });
        writer.write(&record).unwrap();
        writer.write(&record).unwrap();
        let text = String::from_utf8(writer.into_inner()).unwrap();
        let line = r#"{"type":"error","path":"a.txt","run":"r","error":"bad","line":3}"#;
        assert_eq!(text, format!("{line}\n{line}\n"));
        let back: Vec<_> = RecordReader::new(text.as_bytes(), "-")
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(back, vec![Ok((1, record.clone())), Ok((2, record))]);
    }
}
