//! The Makefile's execution modes end to end, through make and the real
//! binaries: each mode's per-file results, `make compare`'s report, charts
//! and measured speedup, an interrupted run resumed, changes redone, and
//! `make clean`.
//!
//! make runs the binaries `cargo test` built (`BIN=target/<profile>`), and
//! `CARGO=true` makes `make build`'s `cargo build --release` a no-op: no
//! release build, and a variable set on make's command line reaches the
//! sub-makes too (which `make -o build` would not). Only `cargo test
//! --workspace` rebuilds those binaries; `cargo test --test modes` alone runs
//! whatever was built last.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::thread::sleep;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tempfile::TempDir;

/// The modes every machine has; `gnu-parallel` joins where it is installed.
const MODES: [&str; 4] = ["sequential", "parallel", "xargs", "threads"];

/// What the environment could set for make (its variables are `?=`) or for
/// dp-stats: cleared, so only what a test says counts.
const INHERITED: &[&str] = &[
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
    "MAKEFILES",
    "FILES",
    "COUNT",
    "DELAY",
    "DELAY_MODE",
    "JOBS",
    "SEED",
    "DIST",
    "PREFIX",
    "DATA_DIR",
    "OUT_DIR",
    "GEN_ARGS",
    "BIN",
    "MODES",
    "MODE",
    "DATA",
    "DP_RUN",
];

/// Record fields that differ from one run to the next by nature.
const RUN_FIELDS: [&str; 5] = ["run", "started_at", "finished_at", "elapsed_s", "pid"];

/// Tests that measure speed take turns: on a 2-core machine one would
/// otherwise slow the other down.
static MEASURING: Mutex<()> = Mutex::new(());

fn measuring() -> MutexGuard<'static, ()> {
    MEASURING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How a make run ended and what it printed.
struct Made {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// A DATA_DIR of its own (`<tempdir>/data`, OUT_DIR its `results`), and the
/// make variables of one test.
struct Scratch {
    _tmp: TempDir,
    data_dir: PathBuf,
    vars: Vec<String>,
}

impl Scratch {
    fn new(vars: &[&str]) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let data_dir = tmp.path().join("data");
        Self {
            _tmp: tmp,
            data_dir,
            vars: vars.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn out_dir(&self) -> PathBuf {
        self.data_dir.join("results")
    }

    fn mode_dir(&self, mode: &str) -> PathBuf {
        self.out_dir().join(mode)
    }

    fn data_file(&self, i: usize) -> PathBuf {
        self.data_dir.join(format!("data{i}.txt"))
    }

    /// `make ARGS` in the repository, on this DATA_DIR; later arguments
    /// override earlier ones, so ARGS may override the test's variables.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("make");
        command
            .arg("--no-print-directory")
            .arg("-C")
            .arg(env!("CARGO_MANIFEST_DIR"))
            .arg("CARGO=true")
            .arg(format!("BIN={}", common::bin_dir().display()))
            .arg(format!("DATA_DIR={}", self.data_dir.display()))
            .args(&self.vars)
            .args(args)
            .stdin(Stdio::null());
        for name in INHERITED {
            command.env_remove(name);
        }
        command
    }

    fn make(&self, args: &[&str]) -> Made {
        self.make_with(self.command(args))
    }

    fn make_with(&self, mut command: Command) -> Made {
        let output = command.output().expect("cannot run make: is it installed?");
        Made {
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// `make ARGS`, which must succeed; its stdout.
    fn made(&self, args: &[&str]) -> String {
        let run = self.make(args);
        assert_eq!(
            run.code,
            Some(0),
            "make {args:?}\n--- stdout\n{}--- stderr\n{}",
            run.stdout,
            run.stderr
        );
        run.stdout
    }

    /// MODE's results, file name → record; each must be one whole record.
    fn results(&self, mode: &str) -> BTreeMap<String, Value> {
        names_in(&self.mode_dir(mode))
            .into_iter()
            .filter(|name| name.ends_with(".stats.json"))
            .map(|name| {
                let path = self.mode_dir(mode).join(&name);
                let text = fs::read_to_string(&path).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                assert!(
                    text.ends_with('\n') && lines.len() == 1,
                    "{} is not one record: {text:?}",
                    path.display()
                );
                let record: Value = serde_json::from_str(lines[0])
                    .unwrap_or_else(|err| panic!("{}: {err}: {text}", path.display()));
                assert_eq!(record["type"], "stats", "{}", path.display());
                (name, record)
            })
            .collect()
    }

    /// When each of MODE's results began, by file name.
    fn started(&self, mode: &str) -> BTreeMap<String, f64> {
        self.results(mode)
            .into_iter()
            .map(|(name, record)| (name, number(&record["started_at"])))
            .collect()
    }

    /// When each of MODE's result files was last written, by file name.
    fn written(&self, mode: &str) -> BTreeMap<String, SystemTime> {
        names_in(&self.mode_dir(mode))
            .into_iter()
            .map(|name| {
                let modified = fs::metadata(self.mode_dir(mode).join(&name))
                    .and_then(|meta| meta.modified())
                    .unwrap();
                (name, modified)
            })
            .collect()
    }
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The result names of data files 1..=N, sorted as `names_in` sorts them.
fn result_names(files: usize) -> Vec<String> {
    let mut names: Vec<String> = (1..=files)
        .map(|i| format!("data{i}.txt.stats.json"))
        .collect();
    names.sort();
    names
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn gnu_parallel_installed() -> bool {
    Command::new("bash")
        .args(["-c", "command -v parallel"])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn modes() -> Vec<&'static str> {
    let mut modes = MODES.to_vec();
    if gnu_parallel_installed() {
        modes.push("gnu-parallel");
    }
    modes
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

#[test]
fn each_mode_gives_one_whole_record_per_file_and_the_same_statistics() {
    const FILES: usize = 5;
    const JOBS: usize = 3;
    let scratch = Scratch::new(&["FILES=5", "COUNT=1000", "JOBS=3", "DELAY=0.2"]);
    let modes = modes();
    let mut baseline: Option<BTreeMap<String, Value>> = None;
    for &mode in &modes {
        scratch.made(&[mode]);
        let mut expected = result_names(FILES);
        if mode == "gnu-parallel" {
            expected.push("joblog.tsv".into());
            expected.sort();
        }
        assert_eq!(names_in(&scratch.mode_dir(mode)), expected, "{mode}");

        let results = scratch.results(mode);
        for (i, (name, record)) in results.iter().enumerate() {
            let data = scratch.data_file(i + 1);
            assert_eq!(name, &format!("data{}.txt.stats.json", i + 1));
            assert_eq!(record["path"], data.to_str().unwrap(), "{mode}");
            assert_eq!(record["run"], mode, "{name}");
            assert_eq!(record["delay_s"], 0.2, "{mode} {name}");
            assert!(number(&record["elapsed_s"]) >= 0.2, "{mode} {record}");
            let (count, sum, min, max) = reference(&data);
            assert_eq!(record["count"], count, "{mode} {name}");
            assert!(
                (number(&record["sum"]) - sum).abs() <= 1e-9 * sum.abs(),
                "{record}"
            );
            assert_eq!((number(&record["min"]), number(&record["max"])), (min, max));
        }

        let peak = peak_concurrency(results.values());
        if mode == "sequential" {
            assert_eq!(peak, 1, "sequential ran files at once");
        } else {
            assert!((2..=JOBS).contains(&peak), "{mode}: {peak} files at once");
        }

        let statistics: BTreeMap<String, Value> = results
            .iter()
            .map(|(name, record)| (name.clone(), statistics(record)))
            .collect();
        match &baseline {
            None => baseline = Some(statistics),
            Some(sequential) => assert!(
                *sequential == statistics,
                "{mode} computed other statistics than sequential:\n{sequential:#?}\n{statistics:#?}"
            ),
        }
    }
    if modes.contains(&"gnu-parallel") {
        let joblog = fs::read_to_string(scratch.mode_dir("gnu-parallel").join("joblog.tsv"));
        let joblog = joblog.unwrap();
        assert!(joblog.starts_with("Seq"), "{joblog}");
        assert_eq!(joblog.lines().count(), 1 + FILES, "{joblog}");
    }

    // `run` with results in place only reports them.
    let before = scratch.written("threads");
    let report = scratch.made(&["run", "MODE=threads"]);
    assert!(report.contains("Run: threads"), "{report}");
    assert!(report.contains("5 files, 0 failed"), "{report}");
    assert_eq!(
        scratch.written("threads"),
        before,
        "run redid finished files"
    );

    let cleaned = scratch.made(&["clean"]);
    let dp_wrote = FILES + 1 + modes.len() * (FILES + 1) + usize::from(modes.len() > 4);
    assert_eq!(
        cleaned,
        format!("clean: removed {dp_wrote} files that dp wrote\n")
    );
    assert!(
        !scratch.data_dir.exists(),
        "left behind: {:?}",
        names_in(&scratch.data_dir)
    );
}

#[test]
fn gnu_parallel_mode_without_gnu_parallel_says_so_and_exits_2() {
    let scratch = Scratch::new(&["FILES=2", "COUNT=10", "DELAY=0"]);
    let path = path_without("parallel");
    let mut command = scratch.command(&["gnu-parallel"]);
    command.env("PATH", path.path());
    let run = scratch.make_with(command);
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(
            "make gnu-parallel: GNU parallel is not installed (e.g. apt-get install parallel)"
        ),
        "{}",
        run.stderr
    );
    assert!(!scratch.mode_dir("gnu-parallel").exists());
}

/// The `=== Performance Comparison ===` block that ends `make compare`'s
/// stdout, checked line by line against SPEC §4; returns the speedup.
/// `sleep`: each file's sleeping delay, which its average time must be near
/// (spinning files share the cores and take longer).
fn performance_comparison(stdout: &str, files: usize, sleep: Option<f64>) -> f64 {
    let block = &stdout[stdout
        .rfind("=== Performance Comparison ===")
        .unwrap_or_else(|| panic!("no comparison block in:\n{stdout}"))..];
    let lines: Vec<&str> = block.lines().collect();
    assert_eq!(lines.len(), 13, "{block}");
    let mut totals = Vec::new();
    for (heading, at) in [("Sequential Execution:", 2), ("Parallel Execution:", 7)] {
        assert_eq!(lines[at - 1], "", "{block}");
        assert_eq!(lines[at], heading, "{block}");
        let seconds = |line: &str, label: &str| -> f64 {
            line.strip_prefix(label)
                .and_then(|rest| rest.strip_suffix(" seconds"))
                .unwrap_or_else(|| panic!("{line:?} is not {label:?} N seconds"))
                .parse()
                .unwrap()
        };
        totals.push(seconds(lines[at + 1], "- Total time: "));
        assert_eq!(lines[at + 2], format!("- Processed {files} files"));
        let average = seconds(lines[at + 3], "- Average time per file: ");
        if let Some(delay) = sleep {
            assert!(
                (delay..delay * 1.5 + 0.05).contains(&average),
                "average {average} s for a delay of {delay} s"
            );
        }
    }
    assert_eq!(lines[11], "", "{block}");
    let speedup = lines[12]
        .strip_prefix("Speed Improvement: ")
        .and_then(|rest| rest.split_once("x faster with parallel execution"))
        .map(|(number, _)| number)
        .unwrap_or_else(|| panic!("last line: {:?}", lines[12]));
    assert!(
        speedup.len() >= 4 && speedup.as_bytes()[speedup.len() - 3] == b'.',
        "{speedup} has not two decimals"
    );
    let speedup: f64 = speedup.parse().unwrap();
    // Totals are shown rounded to 0.01 s: their ratio only roughly.
    let ratio = totals[0] / totals[1];
    assert!(
        (speedup - ratio).abs() <= 0.01 * ratio + 0.02 * speedup,
        "speedup {speedup} but totals {totals:?}"
    );
    speedup
}

/// `make compare` with the test's variables and VARS; its stdout.
fn compare(scratch: &Scratch, vars: &[&str]) -> String {
    let mut args = vec!["compare"];
    args.extend(vars);
    scratch.made(&args)
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
    let scratch = Scratch::new(&["FILES=5", "JOBS=5", "DELAY=0.2"]);
    let stdout = {
        let _turn = measuring();
        compare(&scratch, &[])
    };
    let speedup = performance_comparison(&stdout, 5, Some(0.2));
    // Sleeping files overlap completely: near FILES when JOBS >= FILES.
    assert!(
        (3.5..=5.5).contains(&speedup),
        "speedup {speedup}, expected about 5\n{stdout}"
    );

    let out = scratch.out_dir();
    let text = fs::read_to_string(out.join("comparison.txt")).unwrap();
    assert!(
        stdout.ends_with(&text),
        "stdout does not end with comparison.txt"
    );
    assert!(
        text.contains("Results identical across runs: yes"),
        "{text}"
    );
    let markdown = fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(markdown.contains("| :--- |"), "{markdown}");
    assert!(markdown.contains(&format!("{speedup:.2}")), "{markdown}");

    let json = common::records(&fs::read_to_string(out.join("comparison.json")).unwrap());
    let runs: Vec<&Value> = json.iter().filter(|r| r["type"] == "summary").collect();
    assert_eq!(runs.len(), 2, "{json:?}");
    assert_eq!(
        (&runs[0]["run"], &runs[1]["run"]),
        (&"sequential".into(), &"parallel".into())
    );
    let comparison = json.iter().find(|r| r["type"] == "comparison").unwrap();
    assert_eq!(comparison["identical"], true, "{comparison}");
    let parallel = &comparison["runs"][1];
    assert!(
        (number(&parallel["speedup"]) - speedup).abs() <= 0.005,
        "{comparison}"
    );

    assert_eq!(png_size(&out.join("comparison.png")), (1000, 600));
    assert_eq!(png_size(&out.join("timeline.png")), (1000, 600));

    assert_eq!(
        names_in(&out),
        [
            ".params",
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
        "no leftover (.records.jsonl)"
    );
    scratch.made(&["clean"]);
    assert!(!scratch.data_dir.exists());
}

#[test]
fn spinning_files_speed_up_with_cores_not_with_files() {
    const FILES: usize = 5;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bound = cores.min(FILES) as f64;
    // The upper end is the claim (no more than the cores, whatever the
    // files); the lower end only that the cores were used at all.
    let expected = (0.55 * bound)..=(1.3 * bound);
    let scratch = Scratch::new(&["FILES=5", "JOBS=5", "DELAY=0.2", "DELAY_MODE=spin"]);
    // A shared machine's other work can take cores away for a moment: more
    // measurements before concluding.
    let mut speedups = Vec::new();
    for _ in 0..3 {
        let stdout = {
            let _turn = measuring();
            compare(&scratch, &[])
        };
        let speedup = performance_comparison(&stdout, FILES, None);
        speedups.push(speedup);
        if expected.contains(&speedup) {
            return;
        }
    }
    panic!("speedups {speedups:?} on {cores} cores, expected within {expected:?}");
}

#[test]
fn makes_wall_clock_agrees_with_dp_aggs_total_time() {
    // Long files: make's overhead (~30 ms, more on a loaded machine) stays
    // well under 5%.
    let scratch = Scratch::new(&["FILES=2", "JOBS=2", "DELAY=2"]);
    {
        let _turn = measuring();
        compare(&scratch, &[]);
    }
    let out = scratch.out_dir();
    let json = common::records(&fs::read_to_string(out.join("comparison.json")).unwrap());
    for mode in ["sequential", "parallel"] {
        let wall = fs::read_to_string(out.join(format!("{mode}.wall"))).unwrap();
        let times: Vec<f64> = wall
            .split_whitespace()
            .map(|t| t.parse().unwrap())
            .collect();
        assert_eq!(times.len(), 2, "{mode}.wall: {wall:?}");
        let make_s = times[1] - times[0];
        let summary = json
            .iter()
            .find(|r| r["type"] == "summary" && r["run"] == mode)
            .unwrap();
        let total_s = number(&summary["wall_s"]);
        // make's clock brackets dp's: it starts before the first file and
        // stops after the last.
        assert!(
            total_s <= make_s && make_s <= total_s * 1.05,
            "{mode}: make measured {make_s:.3} s, dp-agg's total is {total_s:.3} s"
        );
    }
}

#[test]
fn an_interrupted_run_resumes_without_redoing_finished_files() {
    const FILES: usize = 5;
    let scratch = Scratch::new(&["FILES=5", "DELAY=1"]);
    scratch.made(&["data"]);

    // Ctrl-C reaches make and every process it started: the terminal's
    // process group, here one of its own.
    let mut make = scratch.command(&["sequential"]);
    make.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let child = make.spawn().unwrap();
    sleep(Duration::from_millis(2500));
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
    let finished = scratch.results("sequential");
    let names = names_in(&scratch.mode_dir("sequential"));
    assert!(
        (1..FILES).contains(&names.len()),
        "{} results after 2.5 s of 1 s files: {names:?}",
        names.len()
    );
    assert_eq!(names, result_names(FILES)[..names.len()], "in file order");
    assert_eq!(finished.len(), names.len(), "{names:?}");
    let written = scratch.written("sequential");
    let started = scratch.started("sequential");

    scratch.made(&["sequential"]);
    assert_eq!(
        names_in(&scratch.mode_dir("sequential")),
        result_names(FILES)
    );
    let rerun = scratch.started("sequential");
    let rewritten = scratch.written("sequential");
    for (name, &began) in &rerun {
        if let Some(&before) = started.get(name) {
            assert_eq!(began, before, "{name} was processed again");
            assert_eq!(rewritten[name], written[name], "{name} was written again");
        } else {
            assert!(
                began > interrupted_at,
                "{name} began before the interruption"
            );
        }
    }
    let records = scratch.results("sequential");
    assert_eq!(peak_concurrency(records.values()), 1);
}

#[test]
fn a_changed_file_or_delay_is_processed_again_and_nothing_else() {
    let scratch = Scratch::new(&["FILES=3", "COUNT=100", "JOBS=3", "DELAY=0.1"]);
    let name = |i: usize| format!("data{i}.txt.stats.json");
    // parallel: per-file make targets; threads: the stale list one command gets.
    for mode in ["parallel", "threads"] {
        scratch.made(&[mode]);
        let first = scratch.started(mode);
        assert_eq!(first.len(), 3, "{mode}");

        scratch.made(&[mode]);
        assert_eq!(scratch.started(mode), first, "{mode}: nothing changed");

        // The same bytes, a newer time: what `touch` or a copy does.
        let touched = fs::File::options()
            .append(true)
            .open(scratch.data_file(2))
            .unwrap();
        touched.set_modified(SystemTime::now()).unwrap();
        drop(touched);
        scratch.made(&[mode]);
        let after_touch = scratch.started(mode);
        for (file, began) in &after_touch {
            let redone = *file == name(2);
            assert_eq!(
                *began != first[file],
                redone,
                "{mode}: touched data2, {file}"
            );
        }

        scratch.made(&[mode, "DELAY=0.15"]);
        let results = scratch.results(mode);
        for (file, record) in &results {
            assert!(
                number(&record["started_at"]) > after_touch[file],
                "{mode} {file}"
            );
            assert_eq!(record["delay_s"], 0.15, "{mode} {file}");
        }

        // New content in a file the user keeps (DATA= skips `make data`,
        // which would put dp-gen's data back).
        let before_edit = scratch.started(mode);
        fs::write(scratch.data_file(3), "1\n2\n3\n").unwrap();
        scratch.made(&[mode, "DELAY=0.15", "DATA="]);
        let results = scratch.results(mode);
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
    let scratch = Scratch::new(&["FILES=600", "COUNT=10", "JOBS=2", "DELAY=0"]);
    let deep = (0..6).fold(scratch.data_dir.clone(), |dir, _| {
        dir.join("a-directory-name-long-enough-to-count")
    });
    let deep = Scratch {
        data_dir: deep,
        ..scratch
    };
    assert!(deep.data_dir.as_os_str().len() > 230);
    for mode in ["threads", "xargs", "parallel"] {
        deep.made(&[mode]);
        assert_eq!(deep.results(mode).len(), 600, "{mode}");
    }
}

#[test]
fn a_mode_run_plainly_is_timed_and_makes_its_directory() {
    // No single-letter flag such as -C: make's flags then begin with a long
    // option, which once passed for `make -n` and left every mode untimed.
    let scratch = Scratch::new(&["FILES=2", "DELAY=0"]);
    let command = scratch.command(&[]);
    let args: Vec<_> = command
        .get_args()
        .filter(|arg| *arg != "--no-print-directory" && *arg != "-C")
        .filter(|arg| *arg != std::ffi::OsStr::new(env!("CARGO_MANIFEST_DIR")))
        .map(|arg| arg.to_owned())
        .collect();
    let mut plain = Command::new("make");
    plain
        .args(&args)
        .arg("threads")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    for (name, value) in command.get_envs() {
        match value {
            Some(value) => plain.env(name, value),
            None => plain.env_remove(name),
        };
    }
    let made = scratch.make_with(plain);
    assert_eq!(made.code, Some(0), "{}{}", made.stdout, made.stderr);
    let wall = fs::read_to_string(scratch.out_dir().join("threads.wall"))
        .expect("make threads writes threads.wall");
    assert_eq!(wall.split_whitespace().count(), 2, "{wall:?}");
}
