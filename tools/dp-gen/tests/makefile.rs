//! The Makefile's `data`, `verify` and `clean` with this dp-gen: clean must
//! remove what dp wrote and nothing else, even in a directory full of the
//! user's own files.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use common::{DP_GEN, names_in};

/// What `make` printed and how it ended.
struct Make {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Runs `make TARGETS` in the repository with DATA_DIR=`data_dir`, using the
/// dp-gen cargo built for this test (`-o build`: skip the release build).
fn make(data_dir: &Path, targets: &[&str]) -> Make {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin = Path::new(DP_GEN).parent().unwrap();
    let output = Command::new("make")
        .arg("--no-print-directory")
        .arg("-C")
        .arg(&repo)
        .args(["-o", "build", "FILES=3", "COUNT=10"])
        .arg(format!("BIN={}", bin.display()))
        .arg(format!("DATA_DIR={}", data_dir.display()))
        .args(targets)
        .output()
        .expect("cannot run make: is it installed?");
    Make {
        success: output.status.success(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn made(data_dir: &Path, targets: &[&str]) -> String {
    let run = make(data_dir, targets);
    assert!(
        run.success,
        "make {targets:?}\n{}{}",
        run.stdout, run.stderr
    );
    run.stdout
}

fn modified(path: &Path) -> SystemTime {
    fs::metadata(path).unwrap().modified().unwrap()
}

fn write(path: PathBuf, text: &str) -> PathBuf {
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn clean_leaves_a_users_own_files_alone() {
    let home = tempfile::tempdir().unwrap();
    let mine = write(home.path().join("data1.txt"), "my numbers\n");
    write(home.path().join("notes.txt"), "keep\n");
    fs::create_dir(home.path().join("results")).unwrap();

    let out = made(home.path(), &["clean"]);
    assert_eq!(out, "clean: removed 0 files that dp wrote\n");
    assert_eq!(names_in(home.path()), ["data1.txt", "notes.txt", "results"]);
    assert_eq!(fs::read_to_string(mine).unwrap(), "my numbers\n");
}

#[test]
fn data_verify_and_clean_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");

    let out = made(&dir, &["data", "verify"]);
    assert!(out.contains("data: wrote 3 files of 10 values"), "{out}");
    assert!(out.contains("verify: 3 files"), "{out}");
    assert_eq!(
        names_in(&dir),
        [".dp-gen.jsonl", "data1.txt", "data2.txt", "data3.txt"]
    );

    // Data that verifies is left as it is, so later targets need not redo work.
    let before = modified(&dir.join("data2.txt"));
    let out = made(&dir, &["data"]);
    assert!(out.contains("already holds these 3 files"), "{out}");
    assert_eq!(modified(&dir.join("data2.txt")), before);

    // An edited file fails `verify`, and `data` puts it right.
    write(dir.join("data2.txt"), "1\n2\n");
    let run = make(&dir, &["verify"]);
    assert!(!run.success);
    assert!(
        run.stderr
            .contains("data2.txt: holds 2 values, expected 10"),
        "{}",
        run.stderr
    );
    made(&dir, &["data", "verify"]);

    // The user's files beside dp's survive clean, and so does the directory.
    write(dir.join("data9.txt"), "4.5\n");
    write(dir.join("mine.csv"), "a,b\n");
    let out = made(&dir, &["clean"]);
    assert_eq!(out, "clean: removed 3 files that dp wrote\n");
    assert_eq!(names_in(&dir), ["data9.txt", "mine.csv"]);

    // Alone, dp's directory goes too.
    let alone = tmp.path().join("alone");
    made(&alone, &["data", "clean"]);
    assert!(!alone.exists());
    assert_eq!(names_in(tmp.path()), ["data"]);
}
