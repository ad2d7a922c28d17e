//! GNU parallel's `--joblog`: a TSV file with a header and one line per job,
//! `Seq Host Starttime JobRuntime Send Receive Exitval Signal Command`.

use std::path::Path;

use dp_core::cli;

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

/// A joblog line that is not a job, with its place.
#[derive(Debug, Clone, PartialEq)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

/// The joblog at `path` as a run called `name`. Bad lines are reported
/// (`FILE:LINE: ...`) and skipped, failing the run; a file that cannot be
/// read, or is not a joblog, is reported and gives no run.
pub fn read(path: &Path, name: &str) -> Option<Run> {
    let at = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .inspect_err(|err| cli::fail_at(&at, None, err))
        .ok()?;
    let (run, errors) = parse(&text, name)
        .inspect_err(|err| cli::fail_at(&at, Some(err.line), &err.message))
        .ok()?;
    for err in errors {
        cli::fail_at(&at, Some(err.line), err.message);
    }
    Some(run)
}

/// Parses a joblog into a run called `name`. Bad lines are returned beside
/// the run (which holds every good one), so the caller can report them and
/// still draw the rest; a missing header fails the whole file.
pub fn parse(text: &str, name: &str) -> Result<(Run, Vec<LineError>), LineError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i as u64 + 1, line))
        .filter(|(_, line)| !line.trim().is_empty());
    let header_ok = lines
        .next()
        .is_some_and(|(_, header)| header.split_whitespace().eq(HEADER));
    if !header_ok {
        return Err(LineError {
            line: 1,
            message: format!(
                "not a GNU parallel joblog: expected the header '{}'",
                HEADER.join(" ")
            ),
        });
    }
    let mut run = Run::new(Some(name.to_owned()));
    let mut errors = Vec::new();
    for (line, text) in lines {
        match parse_job(text) {
            Ok(job) => run.jobs.push(job),
            Err(message) => errors.push(LineError { line, message }),
        }
    }
    Ok((run, errors))
}

/// The run name a joblog gets unless `--run` names it: its file stem.
pub fn run_name(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn parse_job(line: &str) -> Result<Job, String> {
    // Columns are tab-separated (and space-padded); the command may hold
    // tabs or spaces of its own, so it is whatever follows the 8th column.
    let fields: Vec<&str> = if line.contains('\t') {
        line.splitn(9, '\t').map(str::trim).collect()
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
            fields[2], fields[3]
        ));
    }
    let exitval: i64 = number(fields[6], "Exitval")?;
    let signal: i64 = number(fields[7], "Signal")?;
    Ok(Job {
        label: command_label(fields[8]),
        started_at: start,
        finished_at: start + runtime,
        worker: Worker {
            host: fields[1].to_owned(),
            pid: None,
        },
        failed: exitval != 0 || signal != 0,
    })
}

fn number<T: std::str::FromStr>(field: &str, column: &str) -> Result<T, String> {
    field
        .parse()
        .map_err(|_| format!("{column} '{}' is not a number", cut(field)))
}

/// Shortens a field quoted in a message to a readable length.
fn cut(field: &str) -> String {
    const MAX: usize = 40;
    match field.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &field[..at]),
        None => field.to_owned(),
    }
}

fn split_whitespace_n(line: &str, n: usize) -> Vec<&str> {
    let mut fields = Vec::with_capacity(n);
    let mut rest = line.trim();
    while fields.len() + 1 < n && !rest.is_empty() {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        fields.push(&rest[..end]);
        rest = rest[end..].trim_start();
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
        let (run, errors) = parse(&text, "gnu").unwrap();
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
        let (run, errors) = parse(&text, "r").unwrap();
        assert_eq!(run.jobs.len(), 1);
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].line, 4);
        assert_eq!(errors[0].message, "Starttime 'soon' is not a number");
        assert_eq!(errors[1].line, 5);
        assert!(errors[1].message.contains("found 3"), "{:?}", errors[1]);
    }

    #[test]
    fn a_file_without_the_header_is_refused() {
        let err = parse("1\t:\t1.0\t3.0\t0\t0\t0\t0\tcmd\n", "r").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.starts_with("not a GNU parallel joblog"));
        assert!(parse("", "r").is_err());
    }

    #[test]
    fn space_separated_lines_are_accepted() {
        let text = "Seq Host Starttime JobRuntime Send Receive Exitval Signal Command\n\
                    1 : 100.5 2.0 0 0 0 0 sleep 2\n";
        let (run, errors) = parse(text, "r").unwrap();
        assert!(errors.is_empty());
        assert_eq!(run.jobs[0].label, "2");
        assert_eq!(run.jobs[0].finished_at, 102.5);
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
