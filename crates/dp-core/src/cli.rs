//! The process envelope every dp tool runs in: one place that prints errors,
//! maps them to SPEC §1's exit codes and treats a closed stdout as success.

use std::io;
use std::process::ExitCode;

/// How a run ended, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything went well: exit 0.
    Success,
    /// Some input failed, everything else was processed: exit 1.
    SomeFailed,
}

impl Outcome {
    /// `Success` when `failed` is false, else `SomeFailed`.
    pub fn from_failed(failed: bool) -> Self {
        if failed {
            Self::SomeFailed
        } else {
            Self::Success
        }
    }
}

/// Exit status: some input failed (SPEC §1).
pub const EXIT_FAILED: u8 = 1;
/// Exit status: usage error (SPEC §1).
pub const EXIT_USAGE: u8 = 2;

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
/// Errors print as `NAME: message` (the whole context chain on one line).
/// A broken pipe anywhere in the chain means the reader went away
/// (`dp-gen | head -1`): that is a quiet success, as in other Unix filters.
pub fn main(name: &str, run: impl FnOnce() -> anyhow::Result<Outcome>) -> ExitCode {
    match run() {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::SomeFailed) => ExitCode::from(EXIT_FAILED),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{name}: {err:#}");
            if err.chain().any(|cause| cause.is::<UsageError>()) {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::from(EXIT_FAILED)
            }
        }
    }
}

/// Whether an error, or anything in its chain, is a closed pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let kind = if let Some(io_err) = cause.downcast_ref::<io::Error>() {
            Some(io_err.kind())
        } else if let Some(json_err) = cause.downcast_ref::<serde_json::Error>() {
            json_err.io_error_kind()
        } else {
            None
        };
        kind == Some(io::ErrorKind::BrokenPipe)
    })
}

/// Prints a diagnostic (`NAME: message`) on stderr; for errors that do not
/// stop the run, such as one bad file among many.
pub fn warn(name: &str, message: impl std::fmt::Display) {
    eprintln!("{name}: {message}");
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
        let other = anyhow::Error::from(io::Error::from(io::ErrorKind::NotFound));
        assert!(!is_broken_pipe(&other));
    }

    #[test]
    fn usage_errors_are_found_through_context() {
        let err = usage("--files must be at least 1").context("dp-gen");
        assert!(err.chain().any(|c| c.is::<UsageError>()));
        assert_eq!(format!("{err:#}"), "dp-gen: --files must be at least 1");
    }
}
