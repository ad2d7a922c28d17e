//! `-j N` gives the records of `-j 1` in the same order, and `--out-dir`
//! writes each record whole beside stdout's.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;

use common::{fixture_str, without_timing};
use dp_testkit::dp;

/// Files of different sizes, so that with several jobs they finish out of
/// order; plus a failing one in the middle.
fn make_inputs(dir: &Path) -> Vec<String> {
    let mut paths = Vec::new();
    for i in 0..12_u64 {
        let count = if i % 3 == 0 { 200_000 } else { 10 + i };
        let values: String = (0..count)
            .map(|k| format!("{}\n", (k * 7 + i) % 1000))
            .collect();
        let path = dir.join(format!("data{i}.txt"));
        fs::write(&path, values).unwrap();
        paths.push(path.to_string_lossy().into_owned());
    }
    paths.insert(5, dir.join("missing.txt").to_string_lossy().into_owned());
    paths
}

#[test]
fn several_jobs_give_the_records_of_one_in_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let paths = make_inputs(dir.path());
    let run_jobs = |jobs: &str| {
        let ran = dp("dp-stats").args(["-j", jobs]).args(&paths).run();
        // One input is missing.
        ran.code_is(1);
        ran.records().iter().map(without_timing).collect::<Vec<_>>()
    };
    let one = run_jobs("1");
    let four = run_jobs("4");
    assert_eq!(one.len(), paths.len());
    let listed: Vec<&str> = one.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(listed, paths);
    for (i, (one, four)) in one.iter().zip(&four).enumerate() {
        assert_eq!(one, four, "record {i} differs between -j 1 and -j 4");
    }
}

#[test]
fn out_dir_files_are_whole_and_equal_the_stdout_records() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results/nested");
    let good = fixture_str("one_to_ten.txt");
    let empty = fixture_str("empty.txt");
    let bad = fixture_str("bad_token.txt");
    let out_arg = out.to_string_lossy().into_owned();
    let ran = dp("dp-stats")
        .args(["--out-dir", &out_arg, "-j", "2", &good, &empty, &bad])
        .run();
    ran.code_is(1);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(lines.len(), 3);
    for (name, line) in [("one_to_ten.txt", lines[0]), ("empty.txt", lines[1])] {
        let written = fs::read_to_string(out.join(format!("{name}.stats.json"))).unwrap();
        assert_eq!(written, format!("{line}\n"), "{name}");
    }
    // A failed file leaves no result file, so a rerun (make) tries it again;
    // the manifest lists exactly the two written.
    assert_eq!(
        dp_testkit::names_in(&out),
        [
            ".dp-manifest.jsonl",
            "empty.txt.stats.json",
            "one_to_ten.txt.stats.json"
        ]
    );
    let manifest = fs::read_to_string(out.join(".dp-manifest.jsonl")).unwrap();
    let listed: Vec<String> = dp_testkit::records(&manifest)
        .iter()
        .map(|record| record["path"].as_str().unwrap().to_owned())
        .collect();
    let absolute = |name: &str| std::path::absolute(out.join(name)).unwrap();
    assert_eq!(
        listed,
        [
            absolute("one_to_ten.txt.stats.json").to_str().unwrap(),
            absolute("empty.txt.stats.json").to_str().unwrap()
        ]
    );
}

#[test]
fn an_out_dir_that_cannot_be_created_stops_the_run_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    fs::write(&blocker, "").unwrap();
    let out_arg = blocker.join("results").to_string_lossy().into_owned();
    let ran = dp("dp-stats")
        .args(["--out-dir", &out_arg, &fixture_str("one_to_ten.txt")])
        .run();
    ran.code_is(1);
    assert_eq!(ran.stdout, "");
    assert!(
        ran.stderr.starts_with("dp-stats: cannot create directory"),
        "{}",
        ran.stderr
    );
}

#[test]
fn of_inputs_sharing_a_file_name_the_later_keeps_the_result_file_whatever_the_jobs() {
    let dir = tempfile::tempdir().unwrap();
    // The earlier file is large, so with two jobs the later one finishes first.
    for (sub, count) in [("a", 300_000), ("b", 2)] {
        fs::create_dir(dir.path().join(sub)).unwrap();
        let values: String = (0..count).map(|k| format!("{k}\n")).collect();
        fs::write(dir.path().join(sub).join("data.txt"), values).unwrap();
    }
    let (a, b) = (dir.path().join("a/data.txt"), dir.path().join("b/data.txt"));
    for jobs in ["1", "2"] {
        let out = dir.path().join(format!("out{jobs}"));
        let args = [
            out.to_str().unwrap(),
            a.to_str().unwrap(),
            b.to_str().unwrap(),
        ];
        let ran = dp("dp-stats")
            .args(["-j", jobs, "--out-dir", args[0], args[1], args[2]])
            .run();
        ran.success().stderr_has("of the same name");
        let kept = fs::read_to_string(out.join("data.txt.stats.json")).unwrap();
        let later = ran.stdout.lines().nth(1).unwrap();
        assert_eq!(kept, format!("{later}\n"), "-j {jobs}");
    }
}

#[test]
fn a_result_file_that_cannot_be_written_fails_that_file_not_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // A directory where the result file of empty.txt would go.
    fs::create_dir_all(out.join("empty.txt.stats.json")).unwrap();
    let inputs = ["one_to_ten.txt", "empty.txt"].map(fixture_str);
    let ran = dp("dp-stats")
        .args(["-j", "2", "--out-dir", out.to_str().unwrap()])
        .args(&inputs)
        .run();
    ran.code_is(1);
    // stdout agrees with the directory: the file whose result is missing
    // has an error record in place of its stats record.
    let records = ran.records();
    let types: Vec<_> = records.iter().map(|r| r["type"].clone()).collect();
    assert_eq!(types, ["stats", "error"], "{}", ran.stdout);
    assert_eq!(records[1]["path"], inputs[1].as_str());
    let result = out.join("empty.txt.stats.json");
    let message = format!(
        "dp-stats: {}: cannot write its result {}: ",
        inputs[1],
        result.display()
    );
    assert!(ran.stderr.starts_with(&message), "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(out.join("one_to_ten.txt.stats.json").is_file());
}

/// A small tmpfs, mounted for one test and unmounted when it ends.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// `None` where this user cannot mount one (not root, or no
    /// CAP_SYS_ADMIN in this container).
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        mounted.then_some(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the file system but for `spare` bytes (tmpfs counts pages).
    fn fill_but(&self, spare: u64) {
        let mut filler = fs::File::create(self.path().join("filler")).unwrap();
        let mut left = free_bytes(self.path()).saturating_sub(spare);
        let page = [1u8; 4096];
        while left > 0 {
            let n = left.min(4096);
            filler.write_all(&page[..n as usize]).unwrap();
            left -= n;
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

/// The bytes free on the file system of `path`, as `df` says them.
fn free_bytes(path: &Path) -> u64 {
    let out = std::process::Command::new("df")
        .args(["-B1", "--output=avail"])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().last().unwrap().trim().parse().unwrap()
}

#[test]
fn a_full_out_dir_fails_each_file_with_the_result_named_and_an_error_record() {
    let Some(tmpfs) = Tmpfs::mount("64k") else {
        dp_testkit::skip(
            "a_full_out_dir_fails_each_file_with_the_result_named_and_an_error_record",
            "cannot mount a tmpfs (needs root): a full disk was not tried",
        );
        return;
    };
    let out = tmpfs.path().join("results");
    fs::create_dir(&out).unwrap();
    tmpfs.fill_but(0);
    let inputs = ["one_to_ten.txt", "empty.txt"].map(fixture_str);
    let ran = dp("dp-stats")
        .args(["--out-dir", out.to_str().unwrap()])
        .args(&inputs)
        .run();
    ran.code_is(1);
    let records = ran.records();
    assert_eq!(records.len(), 2, "{}", ran.stdout);
    for (record, input) in records.iter().zip(&inputs) {
        assert_eq!(record["type"], "error", "{record}");
        assert_eq!(record["path"], input.as_str());
    }
    let result = out.join("one_to_ten.txt.stats.json");
    assert_eq!(
        records[0]["error"],
        format!(
            "cannot write its result {}: No space left on device",
            result.display()
        )
    );
    assert_eq!(
        ran.stderr.lines().next().unwrap(),
        format!(
            "dp-stats: {}: {}",
            inputs[0],
            records[0]["error"].as_str().unwrap()
        )
    );
    // Nothing half-written, nothing but the (empty) manifest.
    assert_eq!(dp_testkit::names_in(&out), [".dp-manifest.jsonl"]);

    // Room for a result but not for its line in the manifest: the result
    // is removed again, so that no unlisted file stays.
    fs::remove_file(tmpfs.path().join("filler")).unwrap();
    tmpfs.fill_but(4096);
    let ran = dp("dp-stats")
        .args(["--out-dir", out.to_str().unwrap(), &inputs[0]])
        .run();
    ran.code_is(1)
        .stderr_has("cannot record its result")
        .stderr_has("(removed again): No space left on device");
    assert_eq!(ran.record()["type"], "error");
    assert_eq!(dp_testkit::names_in(&out), [".dp-manifest.jsonl"]);
}
