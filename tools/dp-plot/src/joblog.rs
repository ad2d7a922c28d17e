//! GNU parallel's `--joblog`: a TSV file with a header and one line per job,
//! `Seq Host Starttime JobRuntime Send Receive Exitval Signal Command`.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use dp_core::cli;
use dp_core::lines::LineReader;
use dp_core::names;

use crate::runs::{Job, Run, Worker, file_name};

const HEADER: [&str; 9] = [
    "Seq",
    "Host",
    "Starttime",
    "JobRuntime",
    "Send",
    "Receive",
    "Exitval",
    "Signal",
    "Command",
];

/// A joblog line that is not a job, or why reading stopped, with its place
/// (`None`: the file as a whole, as for an I/O error before its first line).
#[derive(Debug, Clone, PartialEq)]
pub struct LineError {
    pub line: Option<u64>,
    pub message: String,
}

/// A joblog read: its jobs as a run, and the lines that were not jobs.
#[derive(Debug, Clone, PartialEq)]
pub struct Joblog {
    pub run: Run,
    /// Bad lines, in order. The last may say why reading stopped early (a
    /// line too long, a NUL byte, an I/O error); the jobs before it are kept.
    pub errors: Vec<LineError>,
}

/// The joblog at `path` as a run called `name`. Bad lines are reported
/// (`FILE:LINE: ...`) and skipped, failing the run; a file that cannot be
/// read, or is not a joblog, is reported and gives no run.
pub fn read(path: &Path, name: &str) -> Option<Run> {
    let at = path.display().to_string();
    let file = File::open(path)
        .inspect_err(|err| cli::fail_at(&at, None, err))
        .ok()?;
    let joblog = parse(BufReader::new(file), name)
        .inspect_err(|err| cli::fail_at(&at, err.line, &err.message))
        .ok()?;
    for err in joblog.errors {
        cli::fail_at(&at, err.line, err.message);
    }
    Some(joblog.run)
}

/// Parses a joblog into a run called `name`. Bad lines are returned beside
/// the run (which holds every good one), so the caller can report them and
/// still draw the rest; a missing header fails the whole file.
///
/// It reads a line at a time through [`LineReader`], so `/dev/zero` or a
/// binary file ends at its first 4 MiB or its first NUL. Lines are bytes:
/// GNU parallel writes each command as the shell got it, file names in
/// whatever encoding they have. Only the numeric columns must be ASCII; the
/// host and the command are labels, decoded lossily.
pub fn parse(input: impl BufRead, name: &str) -> Result<Joblog, LineError> {
    let mut lines = Lines(LineReader::new(input));
    match lines.next() {
        Some(Ok((_, header))) if is_header(&header) => {}
        Some(Err(err)) => return Err(err),
        _ => {
            return Err(LineError {
                line: Some(1),
                message: format!(
                    "not a GNU parallel joblog: expected the header '{}'",
                    HEADER.join(" ")
                ),
            });
        }
    }
    let mut joblog = Joblog {
        run: Run::new(Some(name.to_owned())),
        errors: Vec::new(),
    };
    for item in lines {
        let bad = match item {
            Ok((line, text)) => match parse_job(&text) {
                Ok(job) => {
                    joblog.run.jobs.push(job);
                    continue;
                }
                Err(message) => LineError {
                    line: Some(line),
                    message,
                },
            },
            Err(stopped) => stopped,
        };
        joblog.errors.push(bad);
    }
    Ok(joblog)
}

/// A joblog's lines that are not blank, numbered; then, if reading stopped
/// early, why.
struct Lines<R>(LineReader<R>);

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Result<(u64, Vec<u8>), LineError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let read = self.0.line();
            return Some(match self.0.next_line()? {
                Ok(Ok((_, text))) if text.trim_ascii().is_empty() => continue,
                Ok(Ok((line, text))) => Ok((line, text.to_vec())),
                Ok(Err(problem)) => Err(LineError {
                    line: Some(read + 1),
                    message: problem.to_string(),
                }),
                Err(err) => Err(LineError {
                    line: (read > 0).then_some(read + 1),
                    message: err.to_string(),
                }),
            });
        }
    }
}

fn is_header(line: &[u8]) -> bool {
    line.split(u8::is_ascii_whitespace)
        .filter(|word| !word.is_empty())
        .eq(HEADER.iter().map(|word| word.as_bytes()))
}

/// The run name a joblog gets unless `--run` names it: its file stem.
pub fn run_name(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn parse_job(line: &[u8]) -> Result<Job, String> {
    // Columns are tab-separated (and space-padded); the command may hold
    // tabs or spaces of its own, so it is whatever follows the 8th column.
    let fields: Vec<&[u8]> = if line.contains(&b'\t') {
        line.splitn(9, |&b| b == b'\t')
            .map(<[u8]>::trim_ascii)
            .collect()
    } else {
        split_whitespace_n(line, 9)
    };
    if fields.len() != 9 {
        return Err(format!(
            "expected 9 tab-separated columns ({}), found {}",
            HEADER.join(" "),
            fields.len()
        ));
    }
    number::<u64>(fields[0], "Seq")?;
    let start: f64 = number(fields[2], "Starttime")?;
    let runtime: f64 = number(fields[3], "JobRuntime")?;
    if !start.is_finite() || !runtime.is_finite() || runtime < 0.0 {
        return Err(format!(
            "Starttime '{}' and JobRuntime '{}' must be a time and a duration",
            quoted(fields[2]),
            quoted(fields[3])
        ));
    }
    let finished_at = start + runtime;
    if !finished_at.is_finite() {
        return Err(format!(
            "Starttime '{}' plus JobRuntime '{}' is not a time",
            quoted(fields[2]),
            quoted(fields[3])
        ));
    }
    let exitval: i64 = number(fields[6], "Exitval")?;
    let signal: i64 = number(fields[7], "Signal")?;
    Ok(Job {
        label: command_label(&String::from_utf8_lossy(fields[8])),
        started_at: start,
        finished_at,
        worker: Worker {
            host: String::from_utf8_lossy(fields[1]).into_owned(),
            pid: None,
        },
        failed: exitval != 0 || signal != 0,
        repeat: None,
        workers: None,
        cpu_share: None,
    })
}

/// A numeric column: ASCII text that `T` parses.
fn number<T: std::str::FromStr>(field: &[u8], column: &str) -> Result<T, String> {
    std::str::from_utf8(field)
        .ok()
        .filter(|text| text.is_ascii())
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| format!("{column} '{}' is not a number", quoted(field)))
}

/// A field as a message quotes it: decoded lossily, cut to a readable
/// length, its control characters escaped.
fn quoted(field: &[u8]) -> String {
    const MAX: usize = 40;
    let text = String::from_utf8_lossy(field);
    let cut = match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.into_owned(),
    };
    names::shown(&cut).into_owned()
}

fn split_whitespace_n(line: &[u8], n: usize) -> Vec<&[u8]> {
    let mut fields = Vec::with_capacity(n);
    let mut rest = line.trim_ascii();
    while fields.len() + 1 < n && !rest.is_empty() {
        let end = rest
            .iter()
            .position(u8::is_ascii_whitespace)
            .unwrap_or(rest.len());
        fields.push(&rest[..end]);
        rest = rest[end..].trim_ascii_start();
    }
    if !rest.is_empty() {
        fields.push(rest);
    }
    fields
}

/// What a job worked on, for its bar's label: the file name of the last
/// argument before any redirection (`dp-stats data/data3.txt > out/data3.json`
/// gives `data3.txt`), else the command itself.
pub fn command_label(command: &str) -> String {
    let before_redirect = command
        .split_whitespace()
        .take_while(|word| !is_redirection(word))
        .last();
    match before_redirect {
        Some(word) => file_name(word.trim_matches(['\'', '"'])).to_owned(),
        None => command.trim().to_owned(),
    }
}

fn is_redirection(word: &str) -> bool {
    let word = word.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
    word.starts_with(['>', '<', '|']) || word == ";" || word == "&&"
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str =
        "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n";

    #[test]
    fn parses_gnu_parallel_padded_columns() {
        let text = format!(
            "{HEAD}1\t:\t1700000000.125\t     3.010\t0\t0\t0\t0\tdp-stats /d/data1.txt > /o/data1.json\n\
             2\tnode2\t1700000000.250\t     2.500\t0\t0\t1\t0\tdp-stats\t/d/data2.txt\n"
        );
        let Joblog { run, errors } = parse(text.as_bytes(), "gnu").unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(run.name(), "gnu");
        assert_eq!(run.jobs.len(), 2);
        let first = &run.jobs[0];
        assert_eq!(first.label, "data1.txt");
        assert_eq!(first.started_at, 1700000000.125);
        assert!((first.finished_at - 1700000003.135).abs() < 1e-6);
        assert_eq!(first.worker.host, ":");
        assert!(!first.failed);
        assert_eq!(run.jobs[1].label, "data2.txt");
        assert!(run.jobs[1].failed, "exit value 1 is a failure");
    }

    #[test]
    fn bad_lines_are_numbered_and_skipped() {
        let text = format!(
            "{HEAD}1\t:\t1700000000.1\t3.0\t0\t0\t0\t0\tcmd a\n\n\
             2\t:\tsoon\t3.0\t0\t0\t0\t0\tcmd b\n3\t:\t1.0\n"
        );
        let Joblog { run, errors } = parse(text.as_bytes(), "r").unwrap();
        assert_eq!(run.jobs.len(), 1);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].line, Some(4));
        assert_eq!(errors[0].message, "Starttime 'soon' is not a number");
        assert_eq!(errors[1].line, Some(5));
        assert!(errors[1].message.contains("found 3"), "{:?}", errors[1]);
    }

    #[test]
    fn a_file_without_the_header_is_refused() {
        let err = parse(&b"1\t:\t1.0\t3.0\t0\t0\t0\t0\tcmd\n"[..], "r").unwrap_err();
        assert_eq!(err.line, Some(1));
        assert!(err.message.starts_with("not a GNU parallel joblog"));
        assert!(parse(&b""[..], "r").is_err());
    }

    #[test]
    fn space_separated_lines_are_accepted() {
        let text = "Seq Host Starttime JobRuntime Send Receive Exitval Signal Command\n\
                    1 : 100.5 2.0 0 0 0 0 sleep 2\n";
        let Joblog { run, errors } = parse(text.as_bytes(), "r").unwrap();
        assert!(errors.is_empty());
        assert_eq!(run.jobs[0].label, "2");
        assert_eq!(run.jobs[0].finished_at, 102.5);
    }

    #[test]
    fn a_command_in_another_encoding_is_a_label_and_numbers_must_be_ascii() {
        let mut text = HEAD.as_bytes().to_vec();
        text.extend_from_slice(b"1\tn\xe9ud\t100.0\t2.0\t0\t0\t0\t0\tdp-stats /d/caf\xe9.txt\n");
        text.extend_from_slice(b"2\t:\t10\xe9.0\t2.0\t0\t0\t0\t0\tcmd\n");
        text.extend_from_slice("3\t:\t١٠٠\t2.0\t0\t0\t0\t0\tcmd\n".as_bytes());
        let Joblog { run, errors } = parse(&text[..], "r").unwrap();
        assert_eq!(run.jobs.len(), 1);
        assert_eq!(run.jobs[0].label, "caf\u{fffd}.txt");
        assert_eq!(run.jobs[0].worker.host, "n\u{fffd}ud");
        let lines: Vec<_> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [Some(3), Some(4)]);
        assert_eq!(
            errors[0].message,
            "Starttime '10\u{fffd}.0' is not a number"
        );
    }

    #[test]
    fn reading_stops_at_a_line_too_long_or_binary_and_keeps_the_jobs_before() {
        let job = "1\t:\t100.0\t2.0\t0\t0\t0\t0\tcmd a\n";
        let binary = format!("{HEAD}{job}2\t:\t1\x000\t2.0\n{job}");
        let Joblog { run, errors } = parse(binary.as_bytes(), "r").unwrap();
        assert_eq!(run.jobs.len(), 1);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(3));
        assert!(errors[0].message.contains("NUL"), "{errors:?}");

        let zeros = std::io::BufReader::new(std::io::Read::take(std::io::repeat(0), 1 << 30));
        let err = parse(zeros, "r").unwrap_err();
        assert_eq!(err.line, Some(1));
        assert!(err.message.contains("longer than 4 MiB"), "{err:?}");
    }

    #[test]
    fn times_must_add_up_to_a_time() {
        let text = format!("{HEAD}1\t:\t1e308\t1.7e308\t0\t0\t0\t0\tcmd\n");
        let Joblog { run, errors } = parse(text.as_bytes(), "r").unwrap();
        assert!(run.jobs.is_empty());
        assert!(errors[0].message.contains("is not a time"), "{errors:?}");
    }

    #[test]
    fn labels_name_the_input_file() {
        assert_eq!(
            command_label("dp-stats a/data3.txt > o/data3.json"),
            "data3.txt"
        );
        assert_eq!(command_label("dp-stats 'a b/x.txt' 2>err | cat"), "x.txt");
        assert_eq!(command_label("./work"), "work");
        assert_eq!(command_label(""), "");
    }

    #[test]
    fn run_is_named_by_the_file_stem() {
        assert_eq!(
            run_name(Path::new("/tmp/gnu-parallel.joblog")),
            "gnu-parallel"
        );
        assert_eq!(run_name(Path::new("log")), "log");
    }
}
