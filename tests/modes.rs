//! The Makefile's execution modes end to end, through make and the real
//! binaries: each mode's per-file results, `make compare`'s report and
//! charts, an interrupted run resumed, changes redone, and `make clean`.
//! Nothing here asserts how fast: tests/timing.rs does, with the machine
//! to itself.
//!
//! make runs the binaries `cargo test` built ([`dp_testkit::Make`]). Only
//! `cargo test --workspace` rebuilds them; `cargo test --test modes` alone
//! runs whatever was built last.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{
    mode_dir, mode_dir_names, only_results, performance_comparison, result_names, results,
};
use dp_testkit::{Make, Ran, names_in, number};
use serde_json::Value;
use tempfile::TempDir;

/// The modes every machine has; `gnu-parallel` has a test of its own.
const MODES: [&str; 4] = ["sequential", "parallel", "xargs", "threads"];

/// Record fields that differ from one run to the next by nature (what the
/// work cost and how many workers the mode had among them).
const RUN_FIELDS: [&str; 8] = [
    "run",
    "started_at",
    "finished_at",
    "elapsed_s",
    "cpu_s",
    "max_rss_kib",
    "pid",
    "workers",
];

fn data_file(make: &Make, i: usize) -> PathBuf {
    make.data_dir.join(format!("data{i}.txt"))
}

/// When each of MODE's results began, by file name.
fn started(make: &Make, mode: &str) -> BTreeMap<String, f64> {
    results(make, mode)
        .into_iter()
        .map(|(name, record)| (name, number(&record["started_at"])))
        .collect()
}

/// When each of MODE's result files was last written, by file name.
fn written(make: &Make, mode: &str) -> BTreeMap<String, SystemTime> {
    let dir = mode_dir(make, mode);
    names_in(&dir)
        .into_iter()
        .map(|name| {
            let modified = fs::metadata(dir.join(&name))
                .and_then(|meta| meta.modified())
                .unwrap();
            (name, modified)
        })
        .collect()
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// The record without what belongs to one run: what every mode must agree on.
fn statistics(record: &Value) -> Value {
    let mut statistics = record.clone();
    for field in RUN_FIELDS {
        statistics.as_object_mut().unwrap().remove(field);
    }
    statistics
}

/// Count, sum, min and max of a data file, read here, not by dp.
fn reference(path: &Path) -> (usize, f64, f64, f64) {
    let values: Vec<f64> = fs::read_to_string(path)
        .unwrap()
        .split_whitespace()
        .map(|token| token.parse().unwrap())
        .collect();
    let sum = values.iter().sum();
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (values.len(), sum, min, max)
}

/// The most files that were being processed at one instant.
fn peak_concurrency<'a>(records: impl IntoIterator<Item = &'a Value>) -> usize {
    // At equal times an end comes before a start: back to back is not overlap.
    let mut events: Vec<(f64, i32)> = records
        .into_iter()
        .flat_map(|r| {
            [
                (number(&r["started_at"]), 1),
                (number(&r["finished_at"]), -1),
            ]
        })
        .collect();
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut running = 0;
    let mut peak = 0;
    for (_, change) in events {
        running += change;
        peak = peak.max(running);
    }
    peak as usize
}

/// A PATH that has every program of this one except `program`.
fn path_without(program: &str) -> TempDir {
    let farm = tempfile::tempdir().unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let link = farm.path().join(entry.file_name());
            if entry.file_name() != program && !link.exists() {
                // A name listed twice on PATH keeps its first (its winner).
                let _ = std::os::unix::fs::symlink(entry.path(), link);
            }
        }
    }
    farm
}

/// Runs MODE over the data of `make` (FILES files, at most JOBS at once)
/// and checks its results: one whole record per file, each right for its
/// data file, run one at a time by `sequential` and several at once by the
/// others. Returns the statistics every mode must agree on, by file name.
fn run_mode(make: &Make, mode: &str, files: usize, jobs: usize) -> BTreeMap<String, Value> {
    make.ok(&[mode]);
    let mut expected = mode_dir_names(files);
    if mode == "gnu-parallel" {
        expected.push("joblog.tsv".into());
        expected.sort();
    }
    assert_eq!(names_in(&mode_dir(make, mode)), expected, "{mode}");

    let results = results(make, mode);
    for (i, (name, record)) in results.iter().enumerate() {
        let data = data_file(make, i + 1);
        assert_eq!(name, &format!("data{}.txt.stats.json", i + 1));
        assert_eq!(record["path"], data.to_str().unwrap(), "{mode}");
        assert_eq!(record["run"], mode, "{name}");
        assert_eq!(record["delay_s"], 0.2, "{mode} {name}");
        assert!(number(&record["elapsed_s"]) >= 0.2, "{mode} {record}");
        let (count, sum, min, max) = reference(&data);
        assert_eq!(record["count"], count, "{mode} {name}");
        dp_testkit::assert_close(number(&record["sum"]), sum, 1e-9 * sum.abs(), name);
        assert_eq!((number(&record["min"]), number(&record["max"])), (min, max));
    }

    let peak = peak_concurrency(results.values());
    if mode == "sequential" {
        assert_eq!(peak, 1, "sequential ran files at once");
    } else {
        assert!((2..=jobs).contains(&peak), "{mode}: {peak} files at once");
    }
    results
        .iter()
        .map(|(name, record)| (name.clone(), statistics(record)))
        .collect()
}

#[test]
fn each_mode_gives_one_whole_record_per_file_and_the_same_statistics() {
    const FILES: usize = 5;
    let make = Make::new(&["FILES=5", "COUNT=1000", "JOBS=3", "DELAY=0.2"]);
    let sequential = run_mode(&make, "sequential", FILES, 3);
    for mode in &MODES[1..] {
        let statistics = run_mode(&make, mode, FILES, 3);
        dp_testkit::assert_same(&statistics, &sequential, &format!("{mode}'s statistics"));
    }

    // `run` with results in place only reports them.
    let before = written(&make, "threads");
    make.run(&["run", "MODE=threads"])
        .success()
        .stdout_has("Run: threads")
        .stdout_has("5 files, 0 failed");
    assert_eq!(
        written(&make, "threads"),
        before,
        "run redid finished files"
    );

    let cleaned = make.ok(&["clean"]);
    // The data, .params, the lock, and per mode its results and its .wall.
    let dp_wrote = FILES + 2 + MODES.len() * (FILES + 1);
    assert_eq!(
        cleaned,
        format!("clean: removed {dp_wrote} files that dp wrote\n")
    );
    assert!(
        !make.data_dir.exists(),
        "left behind: {:?}",
        names_in(&make.data_dir)
    );
}

#[test]
fn the_gnu_parallel_mode_matches_sequential_and_keeps_its_joblog() {
    const FILES: usize = 5;
    if !dp_testkit::installed("parallel") {
        dp_testkit::skip(
            "the_gnu_parallel_mode_matches_sequential_and_keeps_its_joblog",
            "GNU parallel is not installed (scripts/test-deps.sh installs it)",
        );
        return;
    }
    let make = Make::new(&["FILES=5", "COUNT=1000", "JOBS=3", "DELAY=0.2"]);
    let sequential = run_mode(&make, "sequential", FILES, 3);
    let statistics = run_mode(&make, "gnu-parallel", FILES, 3);
    dp_testkit::assert_same(&statistics, &sequential, "gnu-parallel's statistics");

    let joblog = fs::read_to_string(mode_dir(&make, "gnu-parallel").join("joblog.tsv")).unwrap();
    assert!(joblog.starts_with("Seq"), "{joblog}");
    assert_eq!(joblog.lines().count(), 1 + FILES, "{joblog}");

    // The data, .params, the lock, per mode its results and its .wall, and
    // the joblog.
    let dp_wrote = FILES + 2 + 2 * (FILES + 1) + 1;
    assert_eq!(
        make.ok(&["clean"]),
        format!("clean: removed {dp_wrote} files that dp wrote\n")
    );
    assert!(!make.data_dir.exists());
}

#[test]
fn gnu_parallel_mode_without_gnu_parallel_says_so_and_exits_2() {
    let make = Make::new(&["FILES=2", "COUNT=10", "DELAY=0"]);
    let path = path_without("parallel");
    let mut command = make.command(&["gnu-parallel"]);
    command.env("PATH", path.path());
    Ran::of("make gnu-parallel", command).code_is(2).stderr_has(
        "make gnu-parallel: GNU parallel is not installed (e.g. apt-get install parallel)",
    );
    assert!(!mode_dir(&make, "gnu-parallel").exists());
}

/// Width and height of a PNG, after checking its signature, that IHDR comes
/// first and IEND last (a whole file).
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = fs::read(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    assert!(
        bytes.len() > 45,
        "{}: {} bytes",
        path.display(),
        bytes.len()
    );
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
    assert_eq!(&bytes[8..16], b"\0\0\0\x0dIHDR", "{}", path.display());
    assert_eq!(&bytes[bytes.len() - 12..], b"\0\0\0\0IEND\xae\x42\x60\x82");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn compare_prints_the_comparison_last_and_saves_reports_and_charts() {
    let make = Make::new(&["FILES=5", "JOBS=5", "DELAY=0.2"]);
    let stdout = make.ok(&["compare"]);
    // How fast is tests/timing.rs' question: here only what is printed.
    let speedup = performance_comparison(&stdout, 5, None);

    let out = make.out_dir();
    let text = fs::read_to_string(out.join("comparison.txt")).unwrap();
    let page = common::page_line("compare", &out, "comparison.html");
    assert!(
        stdout.ends_with(&format!("{text}{page}")),
        "stdout does not end with comparison.txt, then the page's line"
    );
    assert!(
        text.contains("Results identical across runs: yes"),
        "{text}"
    );
    let wall = stdout
        .lines()
        .find(|line| line.starts_with("compare: wall clock of each mode"))
        .unwrap_or_else(|| panic!("no wall clock line in:\n{stdout}"));
    assert!(
        wall.contains(" sequential ") && wall.contains(" parallel "),
        "{wall}"
    );
    let markdown = fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(markdown.contains("| :--- |"), "{markdown}");
    assert!(markdown.contains(&format!("{speedup:.2}")), "{markdown}");

    let json = common::comparison_json(&make);
    let runs: Vec<&Value> = json.iter().filter(|r| r["type"] == "summary").collect();
    assert_eq!(runs.len(), 2, "{json:?}");
    assert_eq!(
        (&runs[0]["run"], &runs[1]["run"]),
        (&"sequential".into(), &"parallel".into())
    );
    let comparison = json.iter().find(|r| r["type"] == "comparison").unwrap();
    assert_eq!(comparison["identical"], true, "{comparison}");
    let parallel = &comparison["runs"][1];
    dp_testkit::assert_close(number(&parallel["speedup"]), speedup, 0.005, "speedup");

    assert_eq!(png_size(&out.join("comparison.png")), (1000, 600));
    assert_eq!(png_size(&out.join("timeline.png")), (1000, 600));

    assert_eq!(
        names_in(&out),
        [
            ".dp-lock",
            ".dp-manifest.jsonl",
            ".params",
            "comparison.html",
            "comparison.json",
            "comparison.md",
            "comparison.png",
            "comparison.txt",
            "parallel",
            "parallel.wall",
            "sequential",
            "sequential.wall",
            "timeline.png"
        ],
        "no leftover"
    );
    make.ok(&["clean"]);
    assert!(!make.data_dir.exists());
}

#[test]
fn an_interrupted_run_resumes_without_redoing_finished_files() {
    const FILES: usize = 5;
    let make = Make::new(&["FILES=5", "DELAY=1"]);
    make.ok(&["data"]);

    // Ctrl-C reaches make and every process it started: the terminal's
    // process group, here one of its own. It comes once the first file is
    // done, with the second (1 s) under way: an event, not a guess at how
    // long the machine takes to get there.
    let mut command = make.command(&["sequential"]);
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let child = command.spawn().unwrap();
    let first = mode_dir(&make, "sequential").join("data1.txt.stats.json");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !first.exists() {
        assert!(Instant::now() < deadline, "no first result after 60 s");
        sleep(Duration::from_millis(20));
    }
    let interrupted_at = now();
    let kill = Command::new("kill")
        .args(["-INT", "--", &format!("-{}", child.id())])
        .status()
        .unwrap();
    assert!(kill.success());
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success(), "make was not interrupted");

    // Whole results of the finished files, nothing else: no partial result,
    // no temporary file.
    let finished = results(&make, "sequential");
    let names = only_results(names_in(&mode_dir(&make, "sequential")));
    assert!(
        (1..FILES).contains(&names.len()),
        "{} results when interrupted during the second file: {names:?}",
        names.len()
    );
    assert_eq!(names, result_names(FILES)[..names.len()], "in file order");
    assert_eq!(finished.len(), names.len(), "{names:?}");
    let written_before = written(&make, "sequential");
    let started_before = started(&make, "sequential");

    make.ok(&["sequential"]);
    assert_eq!(
        names_in(&mode_dir(&make, "sequential")),
        mode_dir_names(FILES)
    );
    let rewritten = written(&make, "sequential");
    for (name, began) in started(&make, "sequential") {
        if let Some(&before) = started_before.get(&name) {
            assert_eq!(began, before, "{name} was processed again");
            assert_eq!(
                rewritten[&name], written_before[&name],
                "{name} was written again"
            );
        } else {
            assert!(
                began > interrupted_at,
                "{name} began before the interruption"
            );
        }
    }
    assert_eq!(peak_concurrency(results(&make, "sequential").values()), 1);
}

#[test]
fn a_changed_file_or_delay_is_processed_again_and_nothing_else() {
    // The data is made once (DATA= then skips `make data`): the files this
    // test touches and edits are no longer dp-gen's, which it would refuse
    // to replace.
    let make = Make::new(&["FILES=3", "COUNT=100", "JOBS=3", "DELAY=0.1", "DATA="]);
    make.ok(&["data"]);
    let name = |i: usize| format!("data{i}.txt.stats.json");
    // parallel: per-file make targets; threads: the stale list one command gets.
    for mode in ["parallel", "threads"] {
        make.ok(&[mode]);
        let first = started(&make, mode);
        assert_eq!(first.len(), 3, "{mode}");

        make.ok(&[mode]);
        assert_eq!(started(&make, mode), first, "{mode}: nothing changed");

        // The same bytes, a newer time: what `touch` or a copy does.
        let touched = fs::File::options()
            .append(true)
            .open(data_file(&make, 2))
            .unwrap();
        touched.set_modified(SystemTime::now()).unwrap();
        drop(touched);
        make.ok(&[mode]);
        let after_touch = started(&make, mode);
        for (file, began) in &after_touch {
            let redone = *file == name(2);
            assert_eq!(
                *began != first[file],
                redone,
                "{mode}: touched data2, {file}"
            );
        }

        make.ok(&[mode, "DELAY=0.15"]);
        for (file, record) in &results(&make, mode) {
            assert!(
                number(&record["started_at"]) > after_touch[file],
                "{mode} {file}"
            );
            assert_eq!(record["delay_s"], 0.15, "{mode} {file}");
        }

        // New content in a file the user keeps.
        let before_edit = started(&make, mode);
        fs::write(data_file(&make, 3), "1\n2\n3\n").unwrap();
        make.ok(&[mode, "DELAY=0.15"]);
        let results = results(&make, mode);
        for (file, record) in &results {
            let redone = *file == name(3);
            let began = number(&record["started_at"]);
            assert_eq!(
                began != before_edit[file],
                redone,
                "{mode}: edited data3, {file}"
            );
        }
        let edited = &results[&name(3)];
        assert_eq!(
            (edited["count"].as_u64(), edited["sum"].as_f64()),
            (Some(3), Some(6.0))
        );
    }
}

#[test]
fn many_files_in_a_deep_directory_fit_every_command_line() {
    // 600 paths of ~270 bytes: past the 128 KiB exec allows one argument,
    // had a recipe listed them all.
    let mut make = Make::new(&["FILES=600", "COUNT=10", "JOBS=2", "DELAY=0"]);
    make.data_dir = (0..6).fold(make.data_dir.clone(), |dir, _| {
        dir.join("a-directory-name-long-enough-to-count")
    });
    assert!(make.data_dir.as_os_str().len() > 230);
    for mode in ["threads", "xargs", "parallel"] {
        make.ok(&[mode]);
        assert_eq!(results(&make, mode).len(), 600, "{mode}");
    }
}

#[test]
fn a_mode_run_plainly_is_timed_and_makes_its_directory() {
    // No single-letter flag such as -C: make's flags then begin with a long
    // option, which once passed for `make -n` and left every mode untimed.
    let make = Make::new(&["FILES=2", "DELAY=0"]);
    let command = make.command(&[]);
    let repo = dp_testkit::repo();
    let args: Vec<_> = command
        .get_args()
        .filter(|arg| *arg != "--no-print-directory" && *arg != "-C")
        .filter(|arg| *arg != repo.as_os_str())
        .map(|arg| arg.to_owned())
        .collect();
    let mut plain = Command::new("make");
    plain.args(&args).arg("threads").current_dir(&repo);
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => plain.env(name, value),
            None => plain.env_remove(name),
        };
    }
    Ran::of("make threads", plain).success();
    let wall = fs::read_to_string(make.out_dir().join("threads.wall"))
        .expect("make threads writes threads.wall");
    assert_eq!(wall.split_whitespace().count(), 2, "{wall:?}");
}

#[test]
fn a_second_compare_into_the_same_out_dir_is_refused_and_the_first_measures_right() {
    const FILES: usize = 4;
    // Its sequential run sleeps 2 s in all: what follows the first result
    // takes a small part of the 1.5 s left, on any machine.
    let make = Make::new(&["FILES=4", "JOBS=4", "DELAY=0.5"]);
    let first = make
        .command(&["compare"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The first result is written under the lock: the first compare holds
    // it now, with its sequential run under way.
    let result = mode_dir(&make, "sequential").join("data1.txt.stats.json");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !result.exists() {
        assert!(Instant::now() < deadline, "no first result after 60 s");
        sleep(Duration::from_millis(5));
    }
    let out = make.out_dir();
    let lock = out.join(".dp-lock");
    make.run(&["compare"]).code_is(2).stderr_has(&format!(
        "make compare: {} is in use by another run of dp (it holds the lock {}): \
         wait for it to end, or choose another OUT_DIR",
        out.display(),
        lock.display()
    ));
    // Nor may a mode run, or clean remove what the first is writing.
    make.run(&["sequential"])
        .code_is(2)
        .stderr_has(&format!("make sequential: {} is in use", out.display()));
    make.run(&["clean"])
        .code_is(2)
        .stderr_has(&format!("make clean: {} is in use", out.display()));

    let output = first.wait_with_output().unwrap();
    let ran = Ran {
        what: "the first make compare".into(),
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    ran.success();
    performance_comparison(&ran.stdout, FILES, Some(0.5));
    // Each file slept 0.5 s in turn: the second compare took none of them.
    let json = common::comparison_json(&make);
    let sequential = json
        .iter()
        .find(|r| r["type"] == "summary" && r["run"] == "sequential")
        .unwrap();
    assert!(
        number(&sequential["wall_s"]) >= 0.5 * FILES as f64,
        "{sequential}"
    );
    assert_eq!(results(&make, "sequential").len(), FILES);
    assert_eq!(peak_concurrency(results(&make, "sequential").values()), 1);
}

#[test]
fn compare_replaces_no_report_and_measures_no_result_that_dp_did_not_write() {
    let make = Make::new(&["FILES=2", "COUNT=10", "DELAY=0"]);
    let out = make.out_dir();
    // A directory where a chart goes: compare cannot write it, and says so
    // before it measures anything (never "saved").
    fs::create_dir_all(out.join("timeline.png")).unwrap();
    let ran = make.run(&["compare"]);
    ran.code_is(2).stderr_has(&format!(
        "dp-gen: refusing to replace {}: dp did not write it",
        out.join("timeline.png").display()
    ));
    assert!(!ran.stdout.contains("saved"), "{}", ran.stdout);
    assert!(!mode_dir(&make, "sequential").exists());
    fs::remove_dir(out.join("timeline.png")).unwrap();

    // A file of the user's where a result goes stops the measurement, and
    // stays as it was.
    make.ok(&["compare"]);
    let result = mode_dir(&make, "parallel").join("data2.txt.stats.json");
    fs::remove_file(&result).unwrap();
    fs::write(&result, "mine\n").unwrap();
    make.run(&["compare"]).code_is(2).stderr_has(&format!(
        "make compare: {} is in the way (dp did not write it, or it changed since)",
        result.display()
    ));
    assert_eq!(fs::read_to_string(&result).unwrap(), "mine\n");
}

#[test]
fn the_end_of_compare_says_what_it_saved_and_what_it_could_not_write() {
    // Totals long enough for the speedup to be checked against them.
    let make = Make::new(&["FILES=2", "COUNT=10", "DELAY=0.2"]);
    make.ok(&["sequential", "parallel"]);
    let out = make.out_dir();
    let unwritable = out.join("timeline.png");
    fs::create_dir(&unwritable).unwrap();
    fs::write(unwritable.join("inside"), "x").unwrap();
    // What the Makefile hands it: the results, one path a line, on stdin.
    let list = make.scratch().join("results.list");
    let mut paths = String::new();
    for mode in ["sequential", "parallel"] {
        for i in 1..=2 {
            let path = mode_dir(&make, mode).join(format!("data{i}.txt.stats.json"));
            paths.push_str(&format!("{}\n", path.display()));
        }
    }
    fs::write(&list, paths).unwrap();
    let bin = dp_testkit::bin_dir();
    let mut command = Command::new(dp_testkit::repo().join("scripts/compare.sh"));
    command
        .env("DP_AGG", bin.join("dp-agg"))
        .env("DP_PLOT", bin.join("dp-plot"))
        .env("OUT_DIR", &out)
        .env("LABELS", "sequential parallel")
        .env(
            "REPORTS",
            "comparison.txt comparison.md comparison.png timeline.png",
        )
        .stdin(fs::File::open(&list).unwrap());
    let ran = Ran::of("scripts/compare.sh", command);
    ran.code_is(1)
        .stdout_has(&format!(
            "compare: saved comparison.txt comparison.md comparison.png in {}\n",
            out.display()
        ))
        .stderr_has(&format!("cannot write {}", unwritable.display()))
        .stderr_has(&format!(
            "compare: could not write timeline.png in {} (see above)",
            out.display()
        ));
    assert!(!ran.stdout.contains("timeline.png"), "{}", ran.stdout);
    // The comparison still ends the output.
    performance_comparison(&ran.stdout, 2, None);
}
