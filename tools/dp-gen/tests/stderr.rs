//! A stderr that cannot be written (full, closed, a reader gone) loses the
//! diagnostics, never the run: the files and records are still written and
//! the exit status is still 0, 1 or 2.

mod common;

use std::path::Path;

use dp_testkit::names_in;
use dp_testkit::{Ran, shell};

/// The ways a stderr refuses writes: full, and closed.
const UNWRITABLE: [&str; 2] = ["2>/dev/full", "2>&-"];

/// `dp-gen ARGS` with stderr redirected by `redirect`, in `dir`.
fn dp_gen(dir: &Path, args: &str, redirect: &str) -> Ran {
    shell(&format!("dp-gen {args} {redirect}"), dir)
}

#[test]
fn a_drawn_seed_that_cannot_be_reported_still_writes_the_files() {
    for redirect in UNWRITABLE {
        let tmp = tempfile::tempdir().unwrap();
        let ran = dp_gen(tmp.path(), "--files 2 --count 5 --dir d", redirect);
        ran.success();
        assert_eq!(ran.records().len(), 2, "{redirect}");
        assert_eq!(
            names_in(&tmp.path().join("d")),
            [common::MANIFEST, "data1.txt", "data2.txt"]
        );
    }
}

#[test]
fn failed_checks_still_exit_1_with_their_records() {
    let tmp = tempfile::tempdir().unwrap();
    for redirect in UNWRITABLE {
        let ran = dp_gen(tmp.path(), "--verify --files 3 --dir nowhere", redirect);
        ran.code_is(1);
        assert_eq!(ran.records().len(), 3, "{redirect}");
    }
}

#[test]
fn usage_errors_still_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    for redirect in UNWRITABLE {
        // Refused by dp-gen itself, and by clap.
        dp_gen(tmp.path(), "--min 5 --max 5 --dir d", redirect).code_is(2);
        dp_gen(tmp.path(), "--files 0 --dir d", redirect).code_is(2);
    }
    assert!(names_in(tmp.path()).is_empty());
}

#[test]
fn a_reader_of_stderr_that_goes_away_ends_the_run_with_its_status() {
    // Far more messages and records than a pipe holds: dp-gen writes to
    // stderr (and stdout) after head has gone.
    let tmp = tempfile::tempdir().unwrap();
    let ran = shell(
        "dp-gen --verify --files 3000 --dir nowhere 2>&1 | head -1; exit ${PIPESTATUS[0]}",
        tmp.path(),
    );
    ran.code_is(1);
    assert_eq!(ran.stdout, "dp-gen: nowhere/data1.txt: missing\n");
}
