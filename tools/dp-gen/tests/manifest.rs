//! dp-gen and manifests: every file it writes is recorded by its identity
//! as soon as it is in place, it replaces only files it wrote (unless
//! `--force`), and `--adopt`, `--clean` and `--may-replace` keep the
//! Makefile's books the same way.

mod common;

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime};

use common::{MANIFEST, contents, data_file, dp_gen_in, listed_names};
use dp_core::manifest::{self, Identity};
use dp_testkit::{dp, names_in};

fn write(path: PathBuf, text: &str) -> PathBuf {
    fs::write(&path, text).unwrap();
    path
}

/// Gives `path` a modification time a second later, as an editor's save a
/// moment after dp-gen's would (the clock's tick may not have moved).
fn touch_later(path: &Path) {
    let later = SystemTime::now() + Duration::from_secs(1);
    fs::File::options()
        .append(true)
        .open(path)
        .unwrap()
        .set_modified(later)
        .unwrap();
}

const SMALL: [&str; 6] = ["--seed", "1", "--files", "3", "--count", "10"];

#[test]
fn each_file_is_recorded_with_the_identity_it_has() {
    let dir = tempfile::tempdir().unwrap();
    dp_gen_in(dir.path(), &SMALL).success();
    let listed = manifest::listed(&dir.path().join(MANIFEST)).unwrap();
    let mut paths: Vec<&str> = listed.iter().map(|(path, _)| path.as_str()).collect();
    paths.sort();
    let expected: Vec<PathBuf> = (1..=3).map(|i| data_file(dir.path(), i)).collect();
    assert_eq!(
        paths,
        expected
            .iter()
            .map(|p| p.to_str().unwrap())
            .collect::<Vec<_>>(),
        "absolute paths, one record per file"
    );
    for (path, identity) in &listed {
        assert_eq!(Identity::at(Path::new(path)).unwrap(), *identity, "{path}");
    }
}

#[test]
fn a_file_dp_gen_did_not_write_stops_the_run_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mine = write(data_file(dir.path(), 3), "my own numbers\n");
    let ran = dp_gen_in(dir.path(), &SMALL);
    ran.code_is(2).stderr_has(&format!(
        "dp-gen: refusing to replace {}: dp did not write it, or it changed since (see {}); \
         remove what is in the way, or use --force",
        mine.display(),
        dir.path().join(MANIFEST).display()
    ));
    assert_eq!(ran.stdout, "");
    // All targets were checked first: data1 and data2 were not written.
    assert_eq!(names_in(dir.path()), ["data3.txt"]);
    assert_eq!(fs::read_to_string(&mine).unwrap(), "my own numbers\n");

    // Told to, it replaces the file, which is then dp-gen's own.
    dp_gen_in(dir.path(), &[&SMALL[..], &["--force"]].concat()).success();
    assert_eq!(
        listed_names(dir.path()),
        ["data1.txt", "data2.txt", "data3.txt"]
    );
    assert_ne!(fs::read_to_string(&mine).unwrap(), "my own numbers\n");
}

#[test]
fn a_file_edited_or_replaced_since_is_not_dp_gens_to_replace() {
    let dir = tempfile::tempdir().unwrap();
    dp_gen_in(dir.path(), &SMALL).success();
    // Written again while it is still what dp-gen wrote: fine.
    dp_gen_in(dir.path(), &SMALL).success();
    let before = contents(dir.path(), 3);

    // data1 edited in place; data2 replaced by a copy of itself (same
    // name, size and bytes, another file: `cp` then `mv`).
    let edited = data_file(dir.path(), 1);
    fs::write(&edited, fs::read(&edited).unwrap()).unwrap();
    touch_later(&edited);
    let replaced = data_file(dir.path(), 2);
    let copy = dir.path().join("copy");
    fs::copy(&replaced, &copy).unwrap();
    fs::rename(&copy, &replaced).unwrap();

    let ran = dp_gen_in(dir.path(), &SMALL);
    ran.code_is(2).stderr_has(&format!(
        "refusing to replace 2 files dp did not write, or that changed since (see {}): {}, {}; \
         remove what is in the way, or use --force",
        dir.path().join(MANIFEST).display(),
        edited.display(),
        replaced.display()
    ));
    assert_eq!(contents(dir.path(), 3), before);
    assert_eq!(listed_names(dir.path()), ["data3.txt"]);
}

#[test]
fn a_refusal_names_five_files_and_counts_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    for i in 1..=8 {
        write(data_file(dir.path(), i), "1\n");
    }
    let ran = dp_gen_in(dir.path(), &["--seed", "1", "--files", "8"]);
    ran.code_is(2)
        .stderr_has("refusing to replace 8 files")
        .stderr_has(&format!(
            "{}, and 3 more;",
            data_file(dir.path(), 5).display()
        ));
    assert!(!ran.stderr.contains("data6.txt"), "{}", ran.stderr);
}

#[test]
fn force_is_for_writing_only() {
    let dir = tempfile::tempdir().unwrap();
    dp_gen_in(dir.path(), &["--verify", "--force"])
        .code_is(2)
        .stderr_has("'--verify' cannot be used with '--force'");
    dp("dp-gen")
        .args(["--clean", "x", "--files", "3"])
        .run()
        .code_is(2)
        .stderr_has("cannot be used with");
}

#[test]
fn a_sigterm_without_o_tmpfile_leaves_no_partial_file() {
    // Files big enough that the second is still being written, under a
    // name of its own (as on vfat, CIFS or some NFS), when the first is in
    // place; the signal comes then: an event, not a guess at the time.
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = dp("dp-gen")
        .args([
            "--seed", "5", "--files", "20", "--count", "2000000", "-j", "1", "--dir",
        ])
        .arg(dir.path())
        .env(dp_core::atomic::NO_TMPFILE_ENV, "1");
    let mut child = cmd
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let is_partial = |name: &String| name.starts_with(".data2.txt.") && name.ends_with(".tmp");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !(data_file(dir.path(), 1).exists() && names_in(dir.path()).iter().any(is_partial)) {
        assert!(
            Instant::now() < deadline,
            "no second file under way after 120 s"
        );
        assert!(child.try_wait().unwrap().is_none(), "dp-gen ended first");
        std::thread::sleep(Duration::from_millis(5));
    }
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(15),
        "{status:?}: it dies of the signal"
    );

    let names = names_in(dir.path());
    assert!(
        !names.iter().any(|name| name.ends_with(".tmp")),
        "a partial file is left: {names:?}"
    );
    let files: Vec<String> = names.into_iter().filter(|n| n != MANIFEST).collect();
    assert!(files.len() < 20, "it finished: {files:?}");
    assert_eq!(listed_names(dir.path()), files, "every file left is listed");
}

#[test]
fn adopt_records_a_file_in_its_directorys_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let wall = write(dir.path().join("sequential.wall"), "1 2\n");
    dp("dp-gen").arg("--adopt").arg(&wall).run().success();
    let listed = manifest::listed(&dir.path().join(MANIFEST)).unwrap();
    assert_eq!(
        listed,
        [(
            wall.to_str().unwrap().to_owned(),
            Identity::at(&wall).unwrap()
        )]
    );

    // What is not there, or not a file, fails alone.
    let missing = dir.path().join("missing");
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    let ran = dp("dp-gen")
        .arg("--adopt")
        .args([&missing, &sub, &wall])
        .run();
    ran.code_is(1)
        .stderr_has(&format!("dp-gen: cannot adopt {}: ", missing.display()))
        .stderr_has(&format!(
            "dp-gen: cannot adopt {}: not a regular file",
            sub.display()
        ));
    // wall was recorded again, as it is: still one file listed.
    assert_eq!(
        manifest::listed(&dir.path().join(MANIFEST)).unwrap().len(),
        1
    );
}

#[test]
fn clean_removes_what_dp_wrote_and_keeps_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let results = data.join("results");
    dp_gen_in(&data, &SMALL).success();
    fs::create_dir(&results).unwrap();
    let report = write(results.join("report.txt"), "dp's\n");
    dp("dp-gen").arg("--adopt").arg(&report).run().success();

    // The user's files beside dp's, one of dp's edited, a partial file
    // of a dp process that is gone, and one of a process still alive.
    let mine = write(data.join("notes.txt"), "mine\n");
    let edited = data_file(&data, 2);
    fs::write(&edited, "1\n").unwrap();
    let stale = write(data.join(".data3.txt.999999999.000000001.tmp"), "partial");
    let alive = write(
        data.join(format!(".data3.txt.{}.000000001.tmp", std::process::id())),
        "under way",
    );

    let ran = dp("dp-gen").arg("--clean").args([&results, &data]).run();
    ran.success().stderr_has(&format!(
        "dp-gen: kept {}: it is no longer the file dp wrote (changed or replaced since)",
        edited.display()
    ));
    assert_eq!(
        ran.stdout,
        "clean: removed 3 files that dp wrote, 1 partial file of an interrupted write; \
         kept 1 that changed since\n"
    );
    assert!(!results.exists() && !stale.exists());
    assert_eq!(
        names_in(&data),
        [
            alive.file_name().unwrap().to_str().unwrap(),
            "data2.txt",
            "notes.txt"
        ]
    );
    assert_eq!(fs::read_to_string(mine).unwrap(), "mine\n");

    // Once only dp's files are left, the directory goes too.
    fs::remove_file(&edited).unwrap();
    fs::remove_file(&alive).unwrap();
    fs::remove_file(data.join("notes.txt")).unwrap();
    dp_gen_in(&data, &SMALL).success();
    dp("dp-gen").arg("--clean").arg(&data).run().success();
    assert!(!data.exists());
}

#[test]
fn clean_leaves_a_directory_dp_never_wrote_in() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let ran = dp("dp-gen")
        .arg("--clean")
        .arg(&empty)
        .arg(tmp.path().join("absent"))
        .run();
    ran.success();
    assert_eq!(ran.stdout, "clean: removed 0 files that dp wrote\n");
    assert!(empty.is_dir());
}

#[test]
fn may_replace_answers_for_each_file_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let ours = write(dir.path().join("comparison.txt"), "dp's\n");
    dp("dp-gen").arg("--adopt").arg(&ours).run().success();
    let missing = dir.path().join("comparison.md");
    dp("dp-gen")
        .arg("--may-replace")
        .args([&ours, &missing])
        .run()
        .success();

    let users = write(dir.path().join("timeline.png"), "mine");
    let ran = dp("dp-gen")
        .arg("--may-replace")
        .args([&ours, &users])
        .run();
    ran.code_is(2).stderr_has(&format!(
        "refusing to replace {}: dp did not write it",
        users.display()
    ));
    assert_eq!(
        names_in(dir.path()),
        [MANIFEST, "comparison.txt", "timeline.png"]
    );
}
