//! A stderr that cannot be written (full, closed, a reader gone) loses the
//! diagnostics, never the run: records are still written and the exit
//! status is still 0, 1 or 2 as the inputs decide. A full stdout, where
//! the records go, fails the run.

use std::fs;
use std::path::Path;

use dp_testkit::{Ran, shell};

/// The ways a stderr refuses writes: full, and closed.
const UNWRITABLE: [&str; 2] = ["2>/dev/full", "2>&-"];

/// A scratch directory holding `good.txt` (1 to 10).
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let values: String = (1..=10).map(|i| format!("{i}\n")).collect();
    fs::write(dir.path().join("good.txt"), values).unwrap();
    dir
}

/// `dp-stats ARGS` with stderr redirected by `redirect`, in `dir`.
fn dp_stats(dir: &Path, args: &str, redirect: &str) -> Ran {
    shell(&format!("dp-stats {args} {redirect}"), dir)
}

#[test]
fn failed_inputs_still_exit_1_with_their_records() {
    let dir = scratch();
    for redirect in UNWRITABLE {
        let ran = dp_stats(dir.path(), "good.txt missing.txt", redirect);
        ran.code_is(1);
        let types: Vec<_> = ran.records().iter().map(|r| r["type"].clone()).collect();
        assert_eq!(types, ["stats", "error"], "{redirect}");
        // An error that stops the run: the --out-dir cannot be made.
        let ran = dp_stats(dir.path(), "--out-dir good.txt/out good.txt", redirect);
        ran.code_is(1);
        assert_eq!(ran.stdout, "", "{redirect}");
    }
}

#[test]
fn warnings_and_success_still_exit_0() {
    let dir = scratch();
    for redirect in UNWRITABLE {
        dp_stats(dir.path(), "good.txt", redirect).success();
        // Two inputs of one name in --out-dir: a warning, not a failure.
        let ran = dp_stats(dir.path(), "--out-dir out good.txt ./good.txt", redirect);
        ran.success();
        assert_eq!(ran.records().len(), 2, "{redirect}");
    }
}

#[test]
fn usage_errors_still_exit_2() {
    let dir = scratch();
    for redirect in UNWRITABLE {
        dp_stats(dir.path(), "--delay soon good.txt", redirect).code_is(2);
        dp_stats(dir.path(), "--frobnicate good.txt", redirect).code_is(2);
    }
}

#[test]
fn a_reader_of_stderr_that_goes_away_ends_the_run_with_its_status() {
    // Far more messages and records than a pipe holds: dp-stats writes to
    // stderr (and stdout) after head has gone.
    let dir = scratch();
    let ran = shell(
        "dp-stats /nonexistent/{1..3000} 2>&1 | head -1; exit ${PIPESTATUS[0]}",
        dir.path(),
    );
    ran.code_is(1);
    assert_eq!(
        ran.stdout,
        "dp-stats: /nonexistent/1: No such file or directory\n"
    );
}

#[test]
fn a_full_stdout_fails_the_run_and_says_where() {
    let dir = scratch();
    for format in ["jsonl", "csv", "table"] {
        let ran = shell(
            &format!("dp-stats --format {format} good.txt > /dev/full"),
            dir.path(),
        );
        ran.code_is(1);
        ran.stderr_has("dp-stats: cannot write records to stdout: No space left on device");
    }
}
