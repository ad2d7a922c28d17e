//! dp-gen writing files: determinism, records, permissions, seeds, pipes.

mod common;

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use common::{MANIFEST, contents, data_file, dp_gen_in, listed_names};
use dp_testkit::names_in;
use dp_testkit::{dp, shell};

#[test]
fn the_same_seed_writes_the_same_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    dp_gen_in(a.path(), &["--seed", "42"]).success();
    dp_gen_in(b.path(), &["--seed", "42"]).success();
    assert_eq!(contents(a.path(), 5), contents(b.path(), 5));

    let c = tempfile::tempdir().unwrap();
    dp_gen_in(c.path(), &["--seed", "43"]).success();
    assert_ne!(contents(a.path(), 5)[0], contents(c.path(), 5)[0]);
}

#[test]
fn fewer_files_are_the_first_files_of_more() {
    let (three, five) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    dp_gen_in(three.path(), &["--seed", "7", "--files", "3"]).success();
    dp_gen_in(five.path(), &["--seed", "7", "--files", "5"]).success();
    assert_eq!(
        names_in(three.path()),
        [MANIFEST, "data1.txt", "data2.txt", "data3.txt"]
    );
    assert_eq!(contents(three.path(), 3), contents(five.path(), 5)[..3]);
    // Files differ from each other: each has its own stream.
    let five = contents(five.path(), 5);
    assert!((1..5).all(|i| five[i] != five[0]));
}

#[test]
fn threads_do_not_change_bytes_or_record_order() {
    let (one, four) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let args = [
        "--seed", "9", "--files", "12", "--count", "5000", "--dist", "normal",
    ];
    let serial = dp_gen_in(one.path(), &[&args[..], &["-j", "1"]].concat());
    let parallel = dp_gen_in(four.path(), &[&args[..], &["-j", "4"]].concat());
    serial.success();
    parallel.success();
    assert_eq!(contents(one.path(), 12), contents(four.path(), 12));
    let indexes: Vec<u64> = parallel
        .records()
        .iter()
        .map(|r| r["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indexes, (1..=12).collect::<Vec<_>>());
}

#[test]
fn each_file_gets_a_record_that_describes_it() {
    let dir = tempfile::tempdir().unwrap();
    let ran = dp_gen_in(
        dir.path(),
        &[
            "--seed",
            "3",
            "--files",
            "2",
            "--count",
            "250",
            "--dist",
            "exponential",
            "--mean",
            "2.5",
        ],
    );
    ran.success();
    assert_eq!(ran.stderr, "");
    let records = ran.records();
    assert_eq!(records.len(), 2);
    for (i, record) in (1..).zip(&records) {
        let path = data_file(dir.path(), i);
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(record["type"], "file");
        assert_eq!(record["path"], path.to_str().unwrap());
        assert_eq!(record["index"], i);
        assert_eq!(record["count"], 250);
        assert_eq!(record["seed"], 3);
        assert_eq!(record["dist"], "exponential(mean=2.5)");
        assert_eq!(record["bytes"], text.len() as u64);
        assert_eq!(text.lines().count(), 250);
    }
}

#[test]
fn values_have_the_asked_decimals_and_range() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--seed", "1", "--files", "1", "--count", "2000", "--min", "-3", "--max", "4",
    ];
    dp_gen_in(dir.path(), &[&args[..], &["--decimals", "2"]].concat()).success();
    let text = fs::read_to_string(data_file(dir.path(), 1)).unwrap();
    assert!(text.ends_with('\n'));
    for line in text.lines() {
        let (_, fraction) = line.split_once('.').unwrap_or_else(|| panic!("{line:?}"));
        assert_eq!(fraction.len(), 2, "{line:?}");
        let value: f64 = line.parse().unwrap();
        assert!((-3.0..=4.0).contains(&value), "{line:?}");
    }

    dp_gen_in(dir.path(), &[&args[..], &["--decimals", "0"]].concat()).success();
    let text = fs::read_to_string(data_file(dir.path(), 1)).unwrap();
    assert!(
        text.lines().all(|line| line.parse::<i64>().is_ok()),
        "{text}"
    );
}

#[test]
fn directories_are_0755_and_files_0644() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("a/b/c");
    // The modes are requested before the umask, as mkdir(1) and touch(1) do:
    // run under the usual umask whatever the test runner's is.
    shell(
        "umask 022 && dp-gen --seed 1 --files 2 --dir a/b/c >/dev/null",
        tmp.path(),
    )
    .success();
    let mode = |path: &std::path::Path| fs::metadata(path).unwrap().permissions().mode() & 0o7777;
    for created in [tmp.path().join("a"), tmp.path().join("a/b"), dir.clone()] {
        assert_eq!(mode(&created), 0o755, "{}", created.display());
    }
    for i in 1..=2 {
        assert_eq!(mode(&data_file(&dir, i)), 0o644);
    }
    assert_eq!(mode(&dir.join(MANIFEST)), 0o644);
    // Written atomically: nothing but the data files and their manifest is left.
    assert_eq!(names_in(&dir), [MANIFEST, "data1.txt", "data2.txt"]);
}

#[test]
fn a_drawn_seed_is_reported_and_reproduces_the_data() {
    let (drawn, again) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ran = dp_gen_in(drawn.path(), &["--files", "2"]);
    ran.success();
    let seed = ran
        .stderr
        .strip_prefix("dp-gen: seed ")
        .and_then(|rest| rest.split_once(' '))
        .map(|(seed, _)| seed.to_string())
        .unwrap_or_else(|| panic!("no seed reported: {:?}", ran.stderr));
    assert_eq!(
        ran.stderr,
        format!("dp-gen: seed {seed} (use --seed {seed} to reproduce)\n")
    );
    let number: u64 = seed.parse().unwrap();
    assert!(number < 1 << 53, "a JSON-safe seed");
    assert!(ran.records().iter().all(|r| r["seed"] == number));

    let rerun = dp_gen_in(again.path(), &["--files", "2", "--seed", &seed]);
    rerun.success();
    assert_eq!(rerun.stderr, "");
    assert_eq!(contents(drawn.path(), 2), contents(again.path(), 2));
}

#[test]
fn a_custom_prefix_names_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let ran = dp_gen_in(
        dir.path(),
        &["--seed", "1", "--files", "2", "--prefix", "run-"],
    );
    ran.success();
    assert_eq!(names_in(dir.path()), [MANIFEST, "run-1.txt", "run-2.txt"]);
}

#[test]
fn rewriting_replaces_files_in_place() {
    let dir = tempfile::tempdir().unwrap();
    dp_gen_in(
        dir.path(),
        &["--seed", "1", "--files", "1", "--count", "10"],
    )
    .success();
    dp_gen_in(dir.path(), &["--seed", "2", "--files", "1", "--count", "3"]).success();
    let text = fs::read_to_string(data_file(dir.path(), 1)).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert_eq!(names_in(dir.path()), [MANIFEST, "data1.txt"]);
}

#[test]
fn zero_values_make_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let ran = dp_gen_in(dir.path(), &["--seed", "1", "--files", "2", "--count", "0"]);
    ran.success();
    assert_eq!(contents(dir.path(), 2), [b"", b""]);
    assert!(ran.records().iter().all(|r| r["bytes"] == 0));
}

#[test]
fn a_closed_stdout_ends_the_run_quietly() {
    // Enough records to fill the pipe, so dp-gen is still writing when the
    // reader goes away; pipefail makes dp-gen's exit status the pipeline's.
    let tmp = tempfile::tempdir().unwrap();
    let ran = shell(
        "dp-gen --seed 1 --files 2000 --count 1 -j 2 --dir out | head -n 1",
        tmp.path(),
    );
    ran.success();
    assert_eq!(ran.stderr, "");
    assert!(
        ran.stdout.starts_with(r#"{"type":"file""#),
        "{}",
        ran.stdout
    );
    // It stopped instead of writing all 2000 files for nobody.
    assert!(names_in(&tmp.path().join("out")).len() < 2000);
}

#[test]
fn a_killed_run_leaves_whole_files_or_none() {
    const FILES: usize = 50;
    const COUNT: usize = 300_000;
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = dp("dp-gen")
        .args(["--seed", "4", "--files", &FILES.to_string()])
        .args(["--count", &COUNT.to_string(), "-j", "1", "--dir"])
        .arg(dir.path());
    let mut child = cmd
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // The first record says data1.txt is in place: dp-gen is now writing the
    // files after it, far from done with all of them. Kill it there (the
    // pipe stays open, so it cannot stop by itself first).
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(first.starts_with(r#"{"type":"file""#), "{first}");

    let mut names = names_in(dir.path());
    assert_eq!(names.remove(0), MANIFEST);
    assert!(names.len() < FILES, "killed too late: {names:?}");
    assert!(names.contains(&"data1.txt".to_owned()), "{names:?}");
    for name in &names {
        let index = name
            .strip_prefix("data")
            .and_then(|rest| rest.strip_suffix(".txt"))
            .and_then(|index| index.parse::<usize>().ok());
        assert!(
            index.is_some_and(|index| (1..=FILES).contains(&index)),
            "stray {name}"
        );
        let text = fs::read_to_string(dir.path().join(name)).unwrap();
        assert_eq!(text.lines().count(), COUNT, "{name} is partial");
    }
    // Each file left is in the manifest, as it is: cleaning removes it.
    assert_eq!(listed_names(dir.path()), names);
}

#[test]
fn a_file_that_cannot_be_written_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where data2.txt should go: renaming onto it fails (with
    // --force, which lets dp-gen try to replace what it did not write).
    fs::create_dir(data_file(dir.path(), 2)).unwrap();
    let ran = dp_gen_in(
        dir.path(),
        &["--seed", "1", "--files", "3", "--count", "10", "--force"],
    );
    ran.code_is(1);
    let records = ran.records();
    let types: Vec<_> = records
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["file", "error", "file"]);
    let path = data_file(dir.path(), 2);
    assert_eq!(records[1]["path"], path.to_str().unwrap());
    let error = records[1]["error"].as_str().unwrap();
    assert!(
        error.starts_with(&format!("cannot write {}: ", path.display())),
        "{error}"
    );
    assert_eq!(ran.stderr, format!("dp-gen: {error}\n"));
    assert_eq!(
        names_in(dir.path()),
        [MANIFEST, "data1.txt", "data2.txt", "data3.txt"]
    );
    assert_eq!(listed_names(dir.path()), ["data1.txt", "data3.txt"]);
}
