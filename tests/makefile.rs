//! The Makefile's `data`, `verify` and `clean`, and the values it accepts:
//! data that verifies is kept, a user's file is never overwritten or
//! removed (clean goes by the manifests' identities, not by names), an
//! interrupted `make data` loses no record of what it wrote, and a value
//! the recipes cannot carry is refused before anything is written.

mod common;

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use dp_testkit::{Make, Ran, names_in};

fn modified(path: &Path) -> SystemTime {
    fs::metadata(path).unwrap().modified().unwrap()
}

fn write(path: PathBuf, text: &str) -> PathBuf {
    fs::write(&path, text).unwrap();
    path
}

/// `make ARGS` started in a process group of its own, as a terminal's
/// foreground job is, so that a signal can reach make and all it started.
fn spawn_in_own_group(make: &Make, args: &[&str], env: &[(&str, &Path)]) -> Child {
    let mut command = make.command(args);
    command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    for (name, value) in env {
        command.env(name, value);
    }
    command.spawn().unwrap()
}

/// Waits (polling, at most 120 s) until `event` holds: what a test waits
/// for instead of guessing how long the machine takes.
fn wait_for(what: &str, mut event: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !event() {
        assert!(Instant::now() < deadline, "no {what} after 120 s");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Sends `signal` (`-INT`, `-KILL`) to the process group `child` leads.
fn signal_group(child: &Child, signal: &str) {
    let kill = Command::new("kill")
        .args([signal, "--", &format!("-{}", child.id())])
        .status()
        .unwrap();
    assert!(kill.success(), "kill {signal}");
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
fn clean_removes_no_file_by_its_name_alone() {
    // Files named as dp's results are, written by the user.
    let make = Make::new(&["FILES=3", "COUNT=10", "DELAY=0"]);
    let results = make.out_dir();
    fs::create_dir_all(results.join("sequential")).unwrap();
    let comparison = write(results.join("comparison.txt"), "mine\n");
    let stats = write(results.join("sequential/x.stats.json"), "{\"mine\":1}\n");
    let out = make.ok(&["clean"]);
    assert_eq!(out, "clean: removed 0 files that dp wrote\n");
    assert_eq!(fs::read_to_string(&comparison).unwrap(), "mine\n");
    assert_eq!(fs::read_to_string(&stats).unwrap(), "{\"mine\":1}\n");

    // Beside dp's own, after a run; and a data file dp wrote that the user
    // then replaced with a file of their own.
    make.ok(&["sequential"]);
    let data2 = make.data_dir.join("data2.txt");
    let own = write(make.data_dir.join("own"), "1\n2\n");
    fs::rename(own, &data2).unwrap();
    let ran = make.run(&["clean"]);
    ran.success().stderr_has(&format!(
        "dp-gen: kept {}: it is no longer the file dp wrote",
        data2.display()
    ));
    // data1, data3, .params, the lock, 3 results and sequential.wall.
    assert_eq!(
        ran.stdout,
        "clean: removed 8 files that dp wrote; kept 1 that changed since\n"
    );
    assert_eq!(names_in(&make.data_dir), ["data2.txt", "results"]);
    assert_eq!(names_in(&results), ["comparison.txt", "sequential"]);
    assert_eq!(names_in(&results.join("sequential")), ["x.stats.json"]);
    assert_eq!(fs::read_to_string(&data2).unwrap(), "1\n2\n");
}

#[test]
fn data_never_overwrites_a_users_file() {
    let make = Make::new(&["FILES=3", "COUNT=10"]);
    fs::create_dir_all(&make.data_dir).unwrap();
    let mine = write(make.data_dir.join("data2.txt"), "my numbers\n");
    let ran = make.run(&["data"]);
    ran.code_is(2).stderr_has(&format!(
        "dp-gen: refusing to replace {}: dp did not write it",
        mine.display()
    ));
    assert_eq!(names_in(&make.data_dir), ["data2.txt"], "nothing written");
    assert_eq!(fs::read_to_string(&mine).unwrap(), "my numbers\n");
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
        [".dp-manifest.jsonl", "data1.txt", "data2.txt", "data3.txt"]
    );

    // Data that verifies is left as it is, so later targets need not redo work.
    let before = modified(&dir.join("data2.txt"));
    let out = make.ok(&["data"]);
    assert!(out.contains("already holds these 3 files"), "{out}");
    assert_eq!(modified(&dir.join("data2.txt")), before);

    // An edited file fails `verify`; `data` will not overwrite the user's
    // edit, and puts the file right once the user removes it.
    write(dir.join("data2.txt"), "1\n2\n");
    let run = make.run(&["verify"]);
    assert_ne!(run.code, Some(0), "{run:?}");
    run.stderr_has("data2.txt: holds 2 values, expected 10");
    make.run(&["data"])
        .code_is(2)
        .stderr_has("refusing to replace");
    fs::remove_file(dir.join("data2.txt")).unwrap();
    make.ok(&["data", "verify"]);

    // The user's files beside dp's survive clean, and so does the directory.
    write(dir.join("data9.txt"), "4.5\n");
    write(dir.join("mine.csv"), "a,b\n");
    let out = make.ok(&["clean"]);
    assert_eq!(out, "clean: removed 3 files that dp wrote\n");
    assert_eq!(names_in(dir), ["data9.txt", "mine.csv"]);

    // Alone, dp's directory goes too, and nothing beside it.
    let alone = Make::new(&["FILES=3", "COUNT=10", "DATA_PREFIX=run-"]);
    write(alone.scratch().join("beside.txt"), "keep\n");
    alone.ok(&["data", "clean"]);
    assert!(!alone.data_dir.exists());
    assert_eq!(names_in(alone.scratch()), ["beside.txt"]);
}

#[test]
fn data_prefix_names_the_data_files() {
    let make = Make::new(&["FILES=2", "COUNT=10", "DATA_PREFIX=run-", "DELAY=0"]);
    make.ok(&["threads"]);
    assert_eq!(
        names_in(&make.data_dir),
        [".dp-manifest.jsonl", "results", "run-1.txt", "run-2.txt"]
    );
    assert_eq!(
        common::only_results(names_in(&make.out_dir().join("threads"))),
        ["run-1.txt.stats.json", "run-2.txt.stats.json"]
    );
}

#[test]
fn an_interrupted_make_data_leaves_nothing_that_clean_cannot_remove() {
    // Many files, so that Ctrl-C comes while dp-gen is writing: once the
    // first is in place, an event, not a guess at the machine's speed.
    let make = Make::new(&["FILES=40", "COUNT=400000"]);
    let tmp = make.scratch().join("tmp");
    fs::create_dir(&tmp).unwrap();
    let mut child = spawn_in_own_group(&make, &["data"], &[("TMPDIR", &tmp)]);
    let first = make.data_dir.join("data1.txt");
    wait_for("first data file", || first.exists());
    signal_group(&child, "-INT");
    let status = child.wait().unwrap();
    assert!(!status.success(), "make data was not interrupted");
    let written = names_in(&make.data_dir);
    assert!(
        written.len() < 41,
        "all files written before the interruption: {written:?}"
    );

    let out = make.ok(&["clean"]);
    assert!(
        !make.data_dir.exists(),
        "{out}: left {:?}",
        names_in(&make.data_dir)
    );
    assert_eq!(names_in(&tmp), Vec::<String>::new(), "temporary files left");
}

#[test]
fn clean_removes_the_partial_file_kill_9_leaves() {
    // As on a file system without O_TMPFILE: the file under way has a name
    // from the start, and kill -9 leaves it, its process gone.
    let make = Make::new(&["FILES=40", "COUNT=400000", "GEN_ARGS=-j1"]);
    let mut child = spawn_in_own_group(
        &make,
        &["data"],
        &[(dp_core::atomic::NO_TMPFILE_ENV, Path::new("1"))],
    );
    let is_partial =
        |name: &str| dp_core::manifest::temporary_pid(name).is_some() && name.starts_with(".data");
    let first = make.data_dir.join("data1.txt");
    wait_for("partial file after the first", || {
        first.exists() && names_in(&make.data_dir).iter().any(|n| is_partial(n))
    });
    signal_group(&child, "-KILL");
    child.wait().unwrap();
    let partial: Vec<String> = names_in(&make.data_dir)
        .into_iter()
        .filter(|n| is_partial(n))
        .collect();
    assert_eq!(partial.len(), 1, "{partial:?}");
    // Until its parent reaps it, a killed process still has its /proc entry.
    let pid = dp_core::manifest::temporary_pid(&partial[0]).unwrap();
    let proc = PathBuf::from(format!("/proc/{pid}"));
    wait_for("end of the killed dp-gen", || !proc.exists());

    let out = make.ok(&["clean"]);
    assert!(
        out.contains(", 1 partial file of an interrupted write"),
        "{out}"
    );
    assert!(
        !make.data_dir.exists(),
        "left {:?}",
        names_in(&make.data_dir)
    );
}

/// `make data` with `var=value` must be refused (exit 2), with a message
/// that names `var` and says `why`, before anything is written.
fn refused(var: &str, value: &str, why: &str) {
    let make = Make::new(&["FILES=2", "COUNT=10"]);
    let assignment = format!("{var}={value}");
    let ran: Ran = make.run(&["data", &assignment]);
    ran.code_is(2).stderr_has(&format!("{var} {why}, which"));
    assert_eq!(
        names_in(make.scratch()),
        Vec::<String>::new(),
        "{assignment}: something was written"
    );
}

#[test]
fn a_value_the_recipes_cannot_carry_is_refused_before_anything_is_written() {
    let scratch = tempfile::tempdir().unwrap();
    let base = scratch.path().display().to_string();
    // The three of the issue: a space, a quote, a `$`.
    refused("DATA_DIR", &format!("{base}/a b"), "holds white space");
    refused("DATA_DIR", &format!("{base}/it's"), "holds '");
    refused("DATA_DIR", &format!("{base}/a$x"), "holds a $");
    // The same in the other paths, and in values that reach the shell.
    refused("OUT_DIR", &format!("{base}/out put"), "holds white space");
    refused("DATA_PREFIX", "d'", "holds '");
    refused("BIN", "a;b", "holds ;");
    let pwned = scratch.path().join("pwned");
    refused(
        "FILES",
        &format!("1;touch {}", pwned.display()),
        "holds white space",
    );
    refused(
        "FILES",
        &format!("1;touch${{IFS}}{}", pwned.display()),
        "holds a $",
    );
    refused("JOBS", "2|3", "holds |");
    let shell = format!("$(shell touch {})", pwned.display());
    refused("DATA_DIR", &shell, "holds a $");
    refused("DATA_DIR", "", "is empty");
    assert!(!pwned.exists());
    assert_eq!(names_in(scratch.path()), Vec::<String>::new());
}
