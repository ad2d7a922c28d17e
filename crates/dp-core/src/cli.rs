//! The process envelope every dp tool runs in: the tool's name, given once;
//! its diagnostics on stderr; the sticky "some input failed" flag; and the
//! exit codes of docs/reference.md ("Exit status"), whatever happens to
//! stdout or stderr.
//!
//! A tool's `main` is `cli::main(NAME, || run(args))`. Inside, a problem
//! that fails one input but not the run is reported with [`fail`] or
//! [`fail_at`] (ripgrep's `messages.rs`, uucore's `show!`): the message is
//! printed and the flag set, and `main` exits 1 at the end. No `failed`
//! flag is threaded through the program and no tool passes its own name.
//!
//! Diagnostics never abort the process: `eprintln!` panics when stderr is
//! closed or full, and under `panic = "abort"` that is a SIGABRT. Here a
//! diagnostic that cannot be written is dropped; the exit code still tells.

use std::fmt::{self, Display};
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

/// Exit status: some input failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit status: usage error.
pub const EXIT_USAGE: u8 = 2;

static TOOL: OnceLock<&'static str> = OnceLock::new();
static FAILED: AtomicBool = AtomicBool::new(false);

/// Something that draws on stderr (a progress bar) and must step aside
/// while a diagnostic is written: called with the write to make.
pub type Suspender = Box<dyn Fn(&mut dyn FnMut()) + Send + Sync>;
static SUSPENDER: Mutex<Option<Suspender>> = Mutex::new(None);

/// A bad invocation that clap cannot see (`--files 0`, `--min 5 --max 1`):
/// reported like any error, but exits 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Shorthand for returning a [`UsageError`] wrapped in `anyhow`.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    UsageError(message.into()).into()
}

/// Runs a tool's `run` and turns its result into the process exit code.
///
/// An error prints as `NAME: message` (the whole context chain on one line)
/// and exits 2 if it is a [`UsageError`], else 1. Otherwise the exit code is
/// 1 if anything called [`fail`] or [`set_failed`], else 0. A broken pipe
/// anywhere in the chain means the reader went away (`dp-gen | head -1`):
/// the tool stops quietly, as other Unix filters do.
pub fn main(name: &'static str, run: impl FnOnce() -> anyhow::Result<()>) -> ExitCode {
    let _ = TOOL.set(name);
    let result = run();
    set_suspender(None);
    match result {
        Ok(()) => exit_code(),
        Err(err) if is_broken_pipe(&err) => exit_code(),
        Err(err) => {
            write_diagnostic(format_args!("{err:#}"));
            if err.chain().any(|cause| cause.is::<UsageError>()) {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::from(EXIT_FAILED)
            }
        }
    }
}

fn exit_code() -> ExitCode {
    if failed() {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// Whether an error, or anything in its chain, is a closed pipe (also
/// inside the serde_json and csv errors that wrap one).
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let kind = if let Some(io_err) = cause.downcast_ref::<io::Error>() {
            Some(io_err.kind())
        } else if let Some(json_err) = cause.downcast_ref::<serde_json::Error>() {
            json_err.io_error_kind()
        } else if let Some(csv_err) = cause.downcast_ref::<csv::Error>() {
            match csv_err.kind() {
                csv::ErrorKind::Io(io_err) => Some(io_err.kind()),
                _ => None,
            }
        } else {
            None
        };
        kind == Some(io::ErrorKind::BrokenPipe)
    })
}

/// Whether this process's stdout was open when it started.
///
/// Rust's runtime opens `/dev/null` (read and write) in place of a closed
/// standard descriptor before `main`, so that no file opened later takes
/// its number: `dp-agg >&-` then writes to /dev/null. That is how a closed
/// stdout is told from a chosen one: the shell's `>/dev/null` opens it for
/// writing only. A /dev/null opened for reading and writing by choice
/// (`1<>/dev/null`, Python's `subprocess.DEVNULL`) looks the same, so only
/// dp-agg, whose report is its whole output, refuses it; the record writers
/// (dp-stats, dp-gen), often run that way to be timed, do not.
pub fn stdout_is_open() -> bool {
    use rustix::fs::{FileType, OFlags, fcntl_getfl, fstat, stat};
    let stdout = io::stdout();
    let (Ok(meta), Ok(flags)) = (fstat(&stdout), fcntl_getfl(&stdout)) else {
        return false;
    };
    let is_null = FileType::from_raw_mode(meta.st_mode) == FileType::CharacterDevice
        && stat("/dev/null").is_ok_and(|null| null.st_rdev == meta.st_rdev);
    !(is_null && flags & OFlags::ACCMODE == OFlags::RDWR)
}

/// Prints a diagnostic (`NAME: message`) that fails nothing: a note the
/// user should see, such as a seed that was drawn.
pub fn warn(message: impl Display) {
    write_diagnostic(format_args!("{message}"));
}

/// Prints a diagnostic and marks the run as failed: one bad input among
/// many, reported as it is met; the tool goes on and exits 1 at the end.
pub fn fail(message: impl Display) {
    set_failed();
    warn(message);
}

/// [`fail`] for a problem with a place: `NAME: PATH:LINE: message`.
pub fn fail_at(path: &str, line: Option<u64>, message: impl Display) {
    fail(format_args!("{}: {message}", Location { path, line }));
}

/// [`warn`] for a note with a place: `NAME: PATH:LINE: message`.
pub fn warn_at(path: &str, line: Option<u64>, message: impl Display) {
    warn(format_args!("{}: {message}", Location { path, line }));
}

/// Marks the run as failed without a message (the message was given
/// elsewhere, e.g. in a report).
pub fn set_failed() {
    FAILED.store(true, Ordering::Relaxed);
}

/// Whether anything failed so far.
pub fn failed() -> bool {
    FAILED.load(Ordering::Relaxed)
}

/// Registers what must step aside while a diagnostic is written (a progress
/// bar), or removes it.
pub fn set_suspender(suspender: Option<Suspender>) {
    *SUSPENDER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = suspender;
}

/// Where a problem is: `PATH:LINE`, or `PATH` alone, the path shown with
/// its control characters escaped ([`crate::names::shown`]). The one place
/// a location is spelled, for diagnostics and for messages that carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location<'a> {
    pub path: &'a str,
    pub line: Option<u64>,
}

impl Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = crate::names::shown(self.path);
        match self.line {
            Some(line) => write!(f, "{path}:{line}"),
            None => f.write_str(&path),
        }
    }
}

/// Writes `NAME: message\n` on stderr in one write, so that diagnostics of
/// processes sharing a stderr do not interleave; an error is dropped.
fn write_diagnostic(message: fmt::Arguments<'_>) {
    let tool = TOOL.get().copied().unwrap_or("dp");
    let line = format!("{tool}: {message}\n");
    let mut write = || {
        let _ = io::stderr().lock().write_all(line.as_bytes());
    };
    let suspender = SUSPENDER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match suspender.as_ref() {
        Some(suspend) => suspend(&mut write),
        None => write(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipe_is_found_through_context_and_serde() {
        let err = anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("writing records");
        assert!(is_broken_pipe(&err));
        let json = serde_json::Error::io(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(is_broken_pipe(&anyhow::Error::from(json).context("x")));
        let csv = csv::Error::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(is_broken_pipe(
            &anyhow::Error::from(csv).context("writing csv")
        ));
        let other = anyhow::Error::from(io::Error::from(io::ErrorKind::NotFound));
        assert!(!is_broken_pipe(&other));
    }

    #[test]
    fn usage_errors_are_found_through_context() {
        let err = usage("--files must be at least 1").context("dp-gen");
        assert!(err.chain().any(|c| c.is::<UsageError>()));
        assert_eq!(format!("{err:#}"), "dp-gen: --files must be at least 1");
    }

    #[test]
    fn locations_name_the_line_when_there_is_one() {
        let at = |line| Location {
            path: "data3.txt",
            line,
        };
        assert_eq!(at(Some(17)).to_string(), "data3.txt:17");
        assert_eq!(at(None).to_string(), "data3.txt");
        let odd = Location {
            path: "a\nb.txt",
            line: Some(2),
        };
        assert_eq!(odd.to_string(), "a\\nb.txt:2");
    }

    #[test]
    fn failing_is_sticky() {
        fail_at("x.txt", Some(2), "bad");
        warn("only a note");
        assert!(failed());
    }
}
