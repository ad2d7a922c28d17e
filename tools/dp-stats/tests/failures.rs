//! Inputs that fail: each gets a message on stderr and an `error` record in
//! its place, the other files are still processed, and the exit status is 1.
//! Bad invocations exit 2 before doing anything.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;

use common::fixture_str;
use dp_testkit::{dp, skip};
use serde_json::{Value, json};

/// Runs dp-stats on one input that must fail, and returns its error record
/// after checking the exit status and that stderr says `expected_message`.
fn failure(path: &str, expected_message: &str) -> Value {
    let ran = dp("dp-stats").arg(path).run();
    ran.code_is(1);
    assert_eq!(ran.stderr, format!("dp-stats: {expected_message}\n"));
    let record = ran.record();
    assert_eq!(record["type"], "error", "{record}");
    assert_eq!(record["path"], path, "{record}");
    assert_eq!(record["run"], Value::Null, "{record}");
    record
}

#[test]
fn a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.txt").to_string_lossy().into_owned();
    let record = failure(&path, &format!("{path}: No such file or directory"));
    assert_eq!(record["error"], "No such file or directory");
    assert!(record.get("line").is_none(), "{record}");
}

#[test]
fn a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_string_lossy().into_owned();
    let record = failure(&path, &format!("{path}: Is a directory"));
    assert_eq!(record["error"], "Is a directory");
}

#[test]
fn an_unreadable_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.txt");
    fs::write(&path, "1\n2\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&path).is_ok() {
        skip(
            "an_unreadable_file",
            "this user reads files whatever their mode (root?)",
        );
        return;
    }
    let path = path.to_string_lossy().into_owned();
    let record = failure(&path, &format!("{path}: Permission denied"));
    assert_eq!(record["error"], "Permission denied");
}

#[test]
fn a_binary_file() {
    let path = fixture_str("binary.bin");
    let record = failure(&path, &format!("{path}:3: binary data, not text"));
    assert_eq!(record["line"], 3);
}

#[test]
fn a_bad_token_is_named_with_its_line() {
    let path = fixture_str("bad_token.txt");
    let record = failure(&path, &format!("{path}:3: 'abc' is not a finite number"));
    assert_eq!(record["error"], "'abc' is not a finite number");
    assert_eq!(record["line"], 3);
}

#[test]
fn good_files_around_bad_ones_are_still_processed_in_order() {
    let good = fixture_str("one_to_ten.txt");
    let bad = fixture_str("bad_token.txt");
    let dir = tempfile::tempdir().unwrap();
    let missing = dir
        .path()
        .join("missing.txt")
        .to_string_lossy()
        .into_owned();
    let ran = dp("dp-stats").args([&good, &missing, &bad, &good]).run();
    ran.code_is(1);
    let kinds: Vec<(Value, Value)> = ran
        .records()
        .iter()
        .map(|r| (r["type"].clone(), r["path"].clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (json!("stats"), json!(good)),
            (json!("error"), json!(missing)),
            (json!("error"), json!(bad)),
            (json!("stats"), json!(good)),
        ]
    );
    assert_eq!(ran.stderr.lines().count(), 2, "{}", ran.stderr);
}

#[test]
fn bad_invocations_exit_2_and_write_nothing() {
    let good = fixture_str("one_to_ten.txt");
    for args in [
        vec!["--delay", "-1", &good],
        vec!["--delay", "soon", &good],
        vec!["--delay", "3h", &good],
        vec!["--jobs", "0", &good],
        vec!["--percentiles", "101", &good],
        vec!["--percentiles", "50,x", &good],
        vec!["--column", "2", &good],
        vec!["--csv", &good],
        vec!["--csv", "--column", "0", &good],
        vec!["--format", "xml", &good],
    ] {
        let ran = dp("dp-stats").args(&args).run();
        ran.code_is(2);
        assert_eq!(ran.stdout, "", "{args:?}");
        assert!(!ran.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn a_csv_line_longer_than_4_mib_fails_its_file_on_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv");
    let mut text = b"x\n1\n\"".to_vec();
    text.extend(std::iter::repeat_n(b'7', 5 << 20));
    text.extend(b"\"\n2\n");
    fs::write(&path, text).unwrap();
    let path = path.to_string_lossy().into_owned();
    let ran = dp("dp-stats").args(["--csv", "--column", "x", &path]).run();
    ran.code_is(1)
        .stderr_has(&format!("dp-stats: {path}:3: a line longer than 4 MiB"));
    assert_eq!(ran.record()["line"], 3);
    // 4 MiB exactly is a line like any other (here, a bad token).
    let mut text = b"x\n".to_vec();
    text.extend(std::iter::repeat_n(b'7', 4 << 20));
    text.extend(b"\n");
    fs::write(&path, text).unwrap();
    let ran = dp("dp-stats").args(["--csv", "--column", "x", &path]).run();
    ran.code_is(1).stderr_has(":2: '7777");
}
