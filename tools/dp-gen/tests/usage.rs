//! Bad invocations: exit 2, a message naming the problem, nothing written.

mod common;

use std::fs;

use common::dp_gen_in;
use dp_testkit::dp;
use dp_testkit::names_in;

/// Runs dp-gen with `args` into a fresh `out/` and checks that it refused:
/// exit 2, nothing on stdout, no directory created. Returns stderr.
fn refused(args: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let ran = dp_gen_in(&out, args);
    ran.code_is(2);
    assert_eq!(ran.stdout, "", "{args:?}");
    assert!(!out.exists(), "{args:?} created {}", out.display());
    ran.stderr
}

/// Like [`refused`], for the checks dp-gen makes itself: one line, naming
/// the problem.
fn refused_with(args: &[&str], message: &str) {
    let stderr = refused(args);
    assert_eq!(stderr, format!("dp-gen: {message}\n"), "{args:?}");
}

#[test]
fn clap_rejects_malformed_numbers_and_names() {
    for (args, flag) in [
        (&["--files", "0"][..], "--files"),
        (&["--count", "-1"], "-1"),
        (&["--count", "ten"], "--count"),
        (&["--seed", "-3"], "-3"),
        (&["--jobs", "0"], "--jobs"),
        (&["--decimals", "18"], "--decimals"),
        (&["--dist", "poisson"], "poisson"),
        (&["--min", "x"], "--min"),
        (&["--frobnicate"], "--frobnicate"),
    ] {
        let stderr = refused(args);
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
    }
}

#[test]
fn impossible_distribution_parameters_are_refused() {
    refused_with(
        &["--min", "5", "--max", "5"],
        "--min (5) must be less than --max (5)",
    );
    refused_with(
        &["--min", "10", "--max", "-1"],
        "--min (10) must be less than --max (-1)",
    );
    refused_with(
        &["--max", "-0.5"],
        "--min (0) must be less than --max (-0.5)",
    );
    refused_with(&["--min", "nan"], "--min must be a finite number, not NaN");
    refused_with(&["--max", "inf"], "--max must be a finite number, not inf");
    refused_with(
        &["--dist", "normal", "--stddev", "0"],
        "--stddev must be greater than 0, not 0",
    );
    refused_with(
        &["--dist", "normal", "--stddev", "-2"],
        "--stddev must be greater than 0, not -2",
    );
    refused_with(
        &["--dist", "exponential", "--mean", "0"],
        "--mean of an exponential distribution must be greater than 0, not 0",
    );
    refused_with(
        &["--dist", "exponential", "--mean", "-1"],
        "--mean of an exponential distribution must be greater than 0, not -1",
    );
}

#[test]
fn parameters_of_another_distribution_are_refused() {
    refused_with(
        &["--dist", "normal", "--min", "1"],
        "--min applies to --dist uniform only",
    );
    refused_with(
        &["--dist", "exponential", "--max", "1"],
        "--max applies to --dist uniform only",
    );
    refused_with(&["--stddev", "3"], "--stddev applies to --dist normal only");
    refused_with(
        &["--mean", "3"],
        "--mean applies to --dist normal and --dist exponential only",
    );
    refused_with(
        &["--dist", "exponential", "--stddev", "1"],
        "--stddev applies to --dist normal only",
    );
}

#[test]
fn a_prefix_with_a_slash_is_refused() {
    refused_with(
        &["--prefix", "../x"],
        "--prefix '../x' must be a file name, without '/'",
    );
}

#[test]
fn a_dir_that_is_a_file_is_refused_and_left_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plain");
    fs::write(&file, "keep me\n").unwrap();

    let ran = dp_gen_in(&file, &["--seed", "1"]);
    ran.code_is(2);
    assert_eq!(
        ran.stderr,
        format!("dp-gen: --dir {} is not a directory\n", file.display())
    );

    let below = file.join("sub/dir");
    let ran = dp_gen_in(&below, &["--seed", "1"]);
    ran.code_is(2);
    assert_eq!(
        ran.stderr,
        format!(
            "dp-gen: cannot create --dir {}: {} is not a directory\n",
            below.display(),
            file.display()
        )
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me\n");
    assert_eq!(names_in(tmp.path()), ["plain"]);
}

#[test]
fn help_and_version_exit_0() {
    let help = dp("dp-gen").arg("--help").run();
    help.success();
    for expected in ["--files", "--verify", "--dist", "Examples:", "--seed 42"] {
        assert!(
            help.stdout.contains(expected),
            "{expected} in {}",
            help.stdout
        );
    }
    let version = dp("dp-gen").arg("--version").run();
    version.success();
    assert_eq!(
        version.stdout,
        format!("dp-gen {}\n", env!("CARGO_PKG_VERSION"))
    );
}
