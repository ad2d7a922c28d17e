//! The Makefile's `data`, `verify` and `clean`: data that verifies is kept,
//! and clean removes what dp wrote and nothing else, even in a directory
//! full of the user's own files.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use dp_testkit::Make;
use dp_testkit::names_in;

fn modified(path: &Path) -> SystemTime {
    fs::metadata(path).unwrap().modified().unwrap()
}

fn write(path: PathBuf, text: &str) -> PathBuf {
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn clean_leaves_a_users_own_files_alone() {
    let make = Make::new(&["FILES=3", "COUNT=10"]);
    let home = &make.data_dir;
    fs::create_dir_all(home.join("results")).unwrap();
    let mine = write(home.join("data1.txt"), "my numbers\n");
    write(home.join("notes.txt"), "keep\n");

    let out = make.ok(&["clean"]);
    assert_eq!(out, "clean: removed 0 files that dp wrote\n");
    assert_eq!(names_in(home), ["data1.txt", "notes.txt", "results"]);
    assert_eq!(fs::read_to_string(mine).unwrap(), "my numbers\n");
}

#[test]
fn data_verify_and_clean_round_trip() {
    let make = Make::new(&["FILES=3", "COUNT=10"]);
    let dir = &make.data_dir;

    let out = make.ok(&["data", "verify"]);
    assert!(out.contains("data: wrote 3 files of 10 values"), "{out}");
    assert!(out.contains("verify: 3 files"), "{out}");
    assert_eq!(
        names_in(dir),
        [".dp-gen.jsonl", "data1.txt", "data2.txt", "data3.txt"]
    );

    // Data that verifies is left as it is, so later targets need not redo work.
    let before = modified(&dir.join("data2.txt"));
    let out = make.ok(&["data"]);
    assert!(out.contains("already holds these 3 files"), "{out}");
    assert_eq!(modified(&dir.join("data2.txt")), before);

    // An edited file fails `verify`, and `data` puts it right.
    write(dir.join("data2.txt"), "1\n2\n");
    let run = make.run(&["verify"]);
    assert_ne!(run.code, Some(0), "{run:?}");
    run.stderr_has("data2.txt: holds 2 values, expected 10");
    make.ok(&["data", "verify"]);

    // The user's files beside dp's survive clean, and so does the directory.
    write(dir.join("data9.txt"), "4.5\n");
    write(dir.join("mine.csv"), "a,b\n");
    let out = make.ok(&["clean"]);
    assert_eq!(out, "clean: removed 3 files that dp wrote\n");
    assert_eq!(names_in(dir), ["data9.txt", "mine.csv"]);

    // Alone, dp's directory goes too, and nothing beside it.
    let alone = Make::new(&["FILES=3", "COUNT=10"]);
    write(alone.scratch().join("beside.txt"), "keep\n");
    alone.ok(&["data", "clean"]);
    assert!(!alone.data_dir.exists());
    assert_eq!(names_in(alone.scratch()), ["beside.txt"]);
}
