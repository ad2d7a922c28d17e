//! `dp-gen --verify`: what it accepts, what it catches, and that it writes
//! nothing.

mod common;

use std::fs;
use std::path::Path;
use std::time::SystemTime;

use common::{data_file, dp_gen_in};
use dp_testkit::Ran;
use dp_testkit::names_in;

const SEED: &str = "5";

/// Writes 3 files of 1000 values with seed 5 into `dir`.
fn generate(dir: &Path) {
    dp_gen_in(dir, &["--seed", SEED, "--files", "3"]).success();
}

fn verify(dir: &Path, extra: &[&str]) -> Ran {
    dp_gen_in(dir, &[&["--verify", "--files", "3"], extra].concat())
}

/// (ok, reason) of each verify record, checking their shape on the way.
fn outcomes(ran: &Ran, dir: &Path) -> Vec<(bool, Option<String>)> {
    let records = ran.records();
    assert_eq!(records.len(), 3, "{}", ran.stdout);
    (1..)
        .zip(records)
        .map(|(i, record)| {
            assert_eq!(record["type"], "verify");
            assert_eq!(record["index"], i);
            assert_eq!(record["path"], data_file(dir, i).to_str().unwrap());
            let reason = record
                .get("reason")
                .map(|r| r.as_str().unwrap().to_string());
            (record["ok"].as_bool().unwrap(), reason)
        })
        .collect()
}

fn modified_times(dir: &Path) -> Vec<SystemTime> {
    (1..=3)
        .map(|i| fs::metadata(data_file(dir, i)).unwrap().modified().unwrap())
        .collect()
}

/// Replaces line `number` (1-based) of `path` with `text`.
fn replace_line(path: &Path, number: usize, text: &str) -> String {
    let content = fs::read_to_string(path).unwrap();
    let mut lines: Vec<&str> = content.lines().collect();
    let old = lines[number - 1].to_string();
    lines[number - 1] = text;
    fs::write(path, lines.join("\n") + "\n").unwrap();
    old
}

#[test]
fn intact_files_pass_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    let before = (names_in(dir.path()), modified_times(dir.path()));
    for extra in [&["--seed", SEED][..], &[]] {
        let ran = verify(dir.path(), extra);
        ran.success();
        assert_eq!(ran.stderr, "");
        assert_eq!(outcomes(&ran, dir.path()), vec![(true, None); 3]);
    }
    assert_eq!(before, (names_in(dir.path()), modified_times(dir.path())));
}

#[test]
fn a_missing_file_fails() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    fs::remove_file(data_file(dir.path(), 2)).unwrap();
    let ran = verify(dir.path(), &["--seed", SEED]);
    ran.code_is(1);
    let missing = (false, Some("missing".to_string()));
    assert_eq!(
        outcomes(&ran, dir.path()),
        [(true, None), missing, (true, None)]
    );
    let path = data_file(dir.path(), 2);
    assert_eq!(ran.stderr, format!("dp-gen: {}: missing\n", path.display()));
    assert!(!path.exists(), "verify must not write");
}

#[test]
fn a_short_file_fails_with_its_count() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    let path = data_file(dir.path(), 3);
    let content = fs::read_to_string(&path).unwrap();
    let last_line = content.lines().last().unwrap().to_string();
    fs::write(&path, &content[..content.len() - last_line.len() - 1]).unwrap();

    let without_seed = verify(dir.path(), &[]);
    without_seed.code_is(1);
    let reason = "holds 999 values, expected 1000";
    assert_eq!(
        outcomes(&without_seed, dir.path())[2],
        (false, Some(reason.into()))
    );

    let with_seed = verify(dir.path(), &["--seed", SEED]);
    with_seed.code_is(1);
    let reason = format!(
        "{reason}; first difference at line 1000: expected '{last_line}', found the end of the file"
    );
    assert_eq!(
        outcomes(&with_seed, dir.path())[2],
        (false, Some(reason.clone()))
    );
    assert_eq!(
        with_seed.stderr,
        format!("dp-gen: {}: {reason}\n", path.display())
    );
}

#[test]
fn an_edited_value_fails_with_the_seed_and_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    let path = data_file(dir.path(), 1);
    let old = replace_line(&path, 17, "12.345678");
    assert_ne!(old, "12.345678");

    // Without the seed only the count is known, and it is right.
    verify(dir.path(), &[]).success();

    let ran = verify(dir.path(), &["--seed", SEED]);
    ran.code_is(1);
    let reason = format!("line 17: expected '{old}', found '12.345678'");
    assert_eq!(outcomes(&ran, dir.path())[0], (false, Some(reason)));
    assert_eq!(
        ran.stderr,
        format!(
            "dp-gen: {}:17: expected '{old}', found '12.345678'\n",
            path.display()
        )
    );
}

#[test]
fn a_different_seed_fails_every_file() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    let ran = verify(dir.path(), &["--seed", "6"]);
    ran.code_is(1);
    for (ok, reason) in outcomes(&ran, dir.path()) {
        assert!(!ok);
        assert!(reason.unwrap().starts_with("line 1: expected '"));
    }
    assert_eq!(ran.stderr.lines().count(), 3);
}

#[test]
fn a_line_that_is_not_a_number_fails() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    replace_line(&data_file(dir.path(), 2), 5, "abc");
    let ran = verify(dir.path(), &[]);
    ran.code_is(1);
    let (ok, reason) = outcomes(&ran, dir.path()).remove(1);
    assert!(!ok);
    assert_eq!(reason.unwrap(), "line 5: 'abc' is not a finite number");
    let path = data_file(dir.path(), 2);
    assert_eq!(
        ran.stderr,
        format!(
            "dp-gen: {}:5: 'abc' is not a finite number\n",
            path.display()
        )
    );
}

#[test]
fn a_missing_newline_or_extra_line_fails_with_the_seed() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    let first = data_file(dir.path(), 1);
    let content = fs::read_to_string(&first).unwrap();
    fs::write(&first, content.trim_end()).unwrap();
    let third = data_file(dir.path(), 3);
    fs::write(&third, fs::read_to_string(&third).unwrap() + "\n").unwrap();

    verify(dir.path(), &[]).success();
    let ran = verify(dir.path(), &["--seed", SEED]);
    ran.code_is(1);
    let outcomes = outcomes(&ran, dir.path());
    let last = content.lines().last().unwrap();
    assert_eq!(
        outcomes[0].1.as_deref(),
        Some(&*format!("line 1000: '{last}' lacks its final newline"))
    );
    assert_eq!(outcomes[1], (true, None));
    assert_eq!(
        outcomes[2].1.as_deref(),
        Some("line 1001: expected the end of the file, found ''")
    );
}

#[test]
fn verifying_a_missing_directory_does_not_create_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nowhere");
    let ran = verify(&dir, &["--seed", SEED]);
    ran.code_is(1);
    assert!(
        outcomes(&ran, &dir)
            .iter()
            .all(|(ok, reason)| !ok && reason.as_deref() == Some("missing"))
    );
    assert!(!dir.exists());
}

#[test]
fn counts_are_spelled_right() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    fs::write(data_file(dir.path(), 1), "1.5\n").unwrap();
    let ran = verify(dir.path(), &[]);
    ran.code_is(1);
    let reason = outcomes(&ran, dir.path()).remove(0).1;
    assert_eq!(reason.as_deref(), Some("holds 1 value, expected 1000"));
}

#[test]
fn a_directory_in_place_of_a_file_fails() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path());
    let path = data_file(dir.path(), 3);
    fs::remove_file(&path).unwrap();
    fs::create_dir(&path).unwrap();
    let ran = verify(dir.path(), &["--seed", SEED]);
    ran.code_is(1);
    let reason = outcomes(&ran, dir.path()).remove(2).1.unwrap();
    assert!(reason.starts_with("cannot read: "), "{reason}");
}
