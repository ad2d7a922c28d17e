//! The Makefile measuring like a benchmark tool (SPEC §6), through make and
//! the real binaries: how many files each mode can process at once
//! (`workers`), `make compare RUNS=N` (repeats, interleaved, each in its
//! own directory) and `make scaling` (a mode at each number of workers),
//! their lock, and `make clean` afterwards. How fast is tests/timing.rs'
//! question; here only what is run, written and printed.
//!
//! What dp-stats writes into the records (`workers`, `repeat`) and what
//! dp-agg makes of them (σ, the scaling table) are checked where this
//! build's tools have them (dp-stats' --help lists `--workers` and
//! `--repeat`; dp-agg's JSON has a `scaling` record), and said to be
//! skipped where they do not; what the Makefile hands them is checked
//! always, through a dp-stats that logs its environment.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::{mode_dir_names, results};
use dp_testkit::{Make, Ran, names_in, number};
use serde_json::Value;

/// A BIN of the real tools but for dp-stats, which first logs, one line a
/// process, `DP_WORKERS DP_REPEAT ARGS...` (`-` for a variable not set),
/// then runs the real one. Returns `BIN=...` and the log's path.
fn logging_bin(make: &Make) -> (String, PathBuf) {
    let dir = make.scratch().join("bin");
    fs::create_dir_all(&dir).unwrap();
    let real = dp_testkit::bin_dir();
    for tool in ["dp-gen", "dp-agg", "dp-plot"] {
        std::os::unix::fs::symlink(real.join(tool), dir.join(tool)).unwrap();
    }
    let log = make.scratch().join("dp-stats.log");
    let script = format!(
        "#!/bin/sh\nprintf '%s %s %s\\n' \"${{DP_WORKERS:--}}\" \"${{DP_REPEAT:--}}\" \"$*\" >> '{}'\n\
         exec '{}' \"$@\"\n",
        log.display(),
        real.join("dp-stats").display()
    );
    let wrapper = dir.join("dp-stats");
    fs::write(&wrapper, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&wrapper, fs::Permissions::from_mode(0o755)).unwrap();
    (format!("BIN={}", dir.display()), log)
}

/// The logged dp-stats processes: (DP_WORKERS, DP_REPEAT, its --run).
fn logged(log: &Path) -> Vec<(String, String, String)> {
    fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let run = words
                .iter()
                .position(|w| *w == "--run")
                .map(|at| words[at + 1].to_owned())
                .unwrap_or_else(|| panic!("no --run in {line:?}"));
            (words[0].to_owned(), words[1].to_owned(), run)
        })
        .collect()
}

/// Whether this build's dp-stats records `workers` and `repeat` (its
/// --help lists both flags); if not, says which test's checks skip.
fn dp_stats_records_workers_and_repeats(test: &str) -> bool {
    let help = dp_testkit::dp("dp-stats").arg("--help").run();
    help.success();
    let has = help.stdout.contains("--workers") && help.stdout.contains("--repeat");
    if !has {
        dp_testkit::skip(
            test,
            "this dp-stats has no --workers/--repeat yet: the records' workers and repeat \
             are not checked (what the Makefile passes is)",
        );
    }
    has
}

/// The results of `OUT_DIR/DIR` (a mode, a repeat), file name → record.
fn results_in(make: &Make, dir: &str) -> BTreeMap<String, Value> {
    results(make, dir)
}

/// First start and last end of the records of `OUT_DIR/DIR`.
fn span(make: &Make, dir: &str) -> (f64, f64) {
    let records = results_in(make, dir);
    assert!(!records.is_empty(), "no results in {dir}");
    let start = records
        .values()
        .map(|r| number(&r["started_at"]))
        .fold(f64::INFINITY, f64::min);
    let end = records
        .values()
        .map(|r| number(&r["finished_at"]))
        .fold(f64::NEG_INFINITY, f64::max);
    (start, end)
}

/// Runs of `dirs` one after another, in this order, none overlapping.
fn one_after_another(make: &Make, dirs: &[String]) {
    for pair in dirs.windows(2) {
        let (_, end) = span(make, &pair[0]);
        let (start, _) = span(make, &pair[1]);
        assert!(
            end <= start,
            "{} ended at {end}, after {} began at {start}: not interleaved in order {dirs:?}",
            pair[0],
            pair[1]
        );
    }
}

/// The one line of `stdout` that starts with `prefix`.
fn line_of<'a>(stdout: &'a str, prefix: &str) -> &'a str {
    stdout
        .lines()
        .find(|line| line.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?} in:\n{stdout}"))
}

#[test]
fn every_mode_tells_dp_stats_how_many_files_it_processes_at_once() {
    let make = Make::new(&["FILES=3", "COUNT=10", "JOBS=3", "DELAY=0"]);
    let (bin, log) = logging_bin(&make);
    let mut modes = vec!["sequential", "parallel", "xargs", "threads"];
    if dp_testkit::installed("parallel") {
        modes.push("gnu-parallel");
    }
    for mode in &modes {
        let mut command = make.command(&[mode, &bin]);
        // A repeat or workers in make's own environment reaches no dp-stats.
        command.env("DP_REPEAT", "9").env("DP_WORKERS", "9");
        Ran::of(&format!("make {mode}"), command).success();
    }
    let mut seen: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (workers, repeat, run) in logged(&log) {
        seen.entry(run).or_default().push((workers, repeat));
    }
    for mode in &modes {
        // threads is one dp-stats -j 3, which says its workers itself.
        let (processes, workers) = match *mode {
            "threads" => (1, "-"),
            "sequential" => (3, "1"),
            _ => (3, "3"),
        };
        let expected = vec![(workers.to_owned(), "-".to_owned()); processes];
        assert_eq!(seen.get(*mode), Some(&expected), "{mode}: {seen:?}");
    }
    if dp_stats_records_workers_and_repeats(
        "every_mode_tells_dp_stats_how_many_files_it_processes_at_once",
    ) {
        for mode in &modes {
            let workers = if *mode == "sequential" { 1 } else { 3 };
            for (name, record) in results(&make, mode) {
                assert_eq!(record["workers"], workers, "{mode} {name}");
                assert_eq!(record["repeat"], Value::Null, "{mode} {name}");
            }
        }
    }
}

#[test]
fn compare_with_runs_runs_every_mode_that_often_interleaved_each_repeat_apart() {
    const TEST: &str = "compare_with_runs_runs_every_mode_that_often_interleaved_each_repeat_apart";
    let make = Make::new(&["FILES=2", "DELAY=0.2"]);
    let (bin, log) = logging_bin(&make);
    let stdout = make.ok(&["compare", "RUNS=3", &bin]);
    let out = make.out_dir();

    // Each repeat of each mode in a directory of its own, its wall clock
    // beside it; the order the runs ran in: sequential 1, parallel 1, ...
    for mode in ["sequential", "parallel"] {
        assert_eq!(
            names_in(&out.join(mode)),
            [
                ".dp-manifest.jsonl",
                "r1",
                "r1.wall",
                "r2",
                "r2.wall",
                "r3",
                "r3.wall"
            ],
            "{mode}"
        );
        for k in 1..=3 {
            let dir = format!("{mode}/r{k}");
            assert_eq!(names_in(&out.join(&dir)), mode_dir_names(2), "{dir}");
            for (name, record) in results_in(&make, &dir) {
                assert_eq!(record["run"], mode, "{dir}/{name}");
            }
        }
    }
    let order: Vec<String> = (1..=3)
        .flat_map(|k| ["sequential", "parallel"].map(|mode| format!("{mode}/r{k}")))
        .collect();
    one_after_another(&make, &order);
    // What each dp-stats was told: its repeat and its workers.
    let mut told: Vec<(String, String, String)> = logged(&log);
    told.sort();
    let mut expected = Vec::new();
    for (mode, workers) in [("parallel", "5"), ("sequential", "1")] {
        for k in 1..=3 {
            for _ in 0..2 {
                expected.push((workers.to_owned(), k.to_string(), mode.to_owned()));
            }
        }
    }
    expected.sort();
    assert_eq!(told, expected);

    let wall = line_of(
        &stdout,
        "compare: wall clock of each mode in each of 3 repeats, measured by make outside dp:",
    );
    let words: Vec<&str> = wall.split(": ").nth(2).unwrap().split(' ').collect();
    assert_eq!(words.len(), 10, "{wall}");
    assert_eq!(
        (words[0], words[4], words[5], words[9]),
        ("sequential", "s", "parallel", "s")
    );
    for seconds in [&words[1..4], &words[6..9]].concat() {
        assert!(seconds.parse::<f64>().unwrap() > 0.0, "{wall}");
    }
    let text = fs::read_to_string(out.join("comparison.txt")).unwrap();
    let page = common::page_line("compare", &out, "comparison.html");
    assert!(
        stdout.ends_with(&format!("{text}{page}")),
        "stdout does not end with comparison.txt, then the page's line"
    );

    if dp_stats_records_workers_and_repeats(TEST) {
        for dir in &order {
            let k: u64 = dir.rsplit_once("/r").unwrap().1.parse().unwrap();
            for (name, record) in results_in(&make, dir) {
                assert_eq!(record["repeat"], k, "{dir}/{name}");
            }
        }
        // dp-agg groups them by repeat: 3 of each run, a σ for each.
        let json = common::comparison_json(&make);
        for summary in json.iter().filter(|r| r["type"] == "summary") {
            assert_eq!(summary["repeats"], 3, "{summary}");
            assert!(summary["total_s"]["stddev"].is_number(), "{summary}");
        }
        let comparison = json.iter().find(|r| r["type"] == "comparison").unwrap();
        assert!(
            comparison["runs"][1]["speedup_stddev"].is_number(),
            "{comparison}"
        );
        assert!(
            text.trim_end()
                .lines()
                .last()
                .unwrap()
                .ends_with("over 3 repeats)"),
            "{text}"
        );
    }

    // A comparison with RUNS=1 afterwards clears the repeats: its modes'
    // directories are as a mode alone leaves them.
    make.ok(&["compare", "DELAY=0"]);
    for mode in ["sequential", "parallel"] {
        assert_eq!(names_in(&out.join(mode)), mode_dir_names(2), "{mode}");
    }
    make.ok(&["compare", "RUNS=2", "DELAY=0"]);
    make.ok(&["clean"]);
    assert!(
        !make.data_dir.exists(),
        "clean left {:?}",
        names_in(&make.data_dir)
    );
}

/// The records of `OUT_DIR/scaling.json`.
fn scaling_json(make: &Make) -> Vec<Value> {
    dp_testkit::records(&fs::read_to_string(make.out_dir().join("scaling.json")).unwrap())
}

#[test]
fn scaling_runs_the_mode_at_each_number_of_workers_and_saves_the_table() {
    const TEST: &str = "scaling_runs_the_mode_at_each_number_of_workers_and_saves_the_table";
    let make = Make::new(&["FILES=8", "DELAY=0.2"]);
    let (bin, log) = logging_bin(&make);
    let ran = make.run(&["scaling", "WORKERS=1 2 4", &bin]);
    ran.success();
    let out = make.out_dir();

    let runs = ["parallel-j1", "parallel-j2", "parallel-j4"].map(String::from);
    for run in &runs {
        assert_eq!(names_in(&out.join(run)), mode_dir_names(8), "{run}");
        for (name, record) in results_in(&make, run) {
            assert_eq!(record["run"], run.as_str(), "{run}/{name}");
            assert_eq!(record["delay_s"], 0.2, "{run}/{name}");
        }
    }
    one_after_another(&make, &runs);
    let mut told = logged(&log);
    told.sort();
    let mut expected: Vec<(String, String, String)> = ["1", "2", "4"]
        .iter()
        .flat_map(|p| vec![(p.to_string(), "-".to_owned(), format!("parallel-j{p}")); 8])
        .collect();
    expected.sort();
    assert_eq!(told, expected);

    ran.stdout_has(&format!(
        "scaling: saved scaling.txt scaling.md scaling.json{} scaling.html in {}\n",
        if out.join("scaling.png").exists() {
            " scaling.png"
        } else {
            ""
        },
        out.display()
    ))
    .stdout_has("scaling: wall clock of each run, measured by make outside dp: parallel-j1 ");
    let text = fs::read_to_string(out.join("scaling.txt")).unwrap();
    let page = common::page_line("scaling", &out, "scaling.html");
    assert!(
        ran.stdout.ends_with(&format!("{text}{page}")),
        "stdout does not end with scaling.txt, then the page's line"
    );
    for run in &runs {
        assert!(text.contains(&format!("Run: {run}")), "{text}");
    }
    let markdown = fs::read_to_string(out.join("scaling.md")).unwrap();
    assert!(markdown.contains("parallel-j4"), "{markdown}");
    let json = scaling_json(&make);
    let summaries: Vec<&Value> = json.iter().filter(|r| r["type"] == "summary").collect();
    assert_eq!(
        summaries
            .iter()
            .map(|s| s["run"].as_str().unwrap())
            .collect::<Vec<_>>(),
        runs.iter().map(String::as_str).collect::<Vec<_>>()
    );
    if out.join("scaling.png").exists() {
        let png = fs::read(out.join("scaling.png")).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    } else {
        ran.stderr_has("scaling: scaling.png not drawn: this dp-plot has no --kind scaling yet");
    }
    match json.iter().find(|r| r["type"] == "scaling") {
        Some(scaling) => {
            assert_eq!(scaling["mode"], "parallel", "{scaling}");
            let points: Vec<(&str, u64)> = scaling["points"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p["run"].as_str().unwrap(), p["workers"].as_u64().unwrap()))
                .collect();
            assert_eq!(
                points,
                [("parallel-j1", 1), ("parallel-j2", 2), ("parallel-j4", 4)]
            );
        }
        None => dp_testkit::skip(TEST, "this dp-agg writes no scaling record yet"),
    }
    if dp_stats_records_workers_and_repeats(TEST) {
        for (run, p) in runs.iter().zip([1, 2, 4]) {
            for (name, record) in results_in(&make, run) {
                assert_eq!(record["workers"], p, "{run}/{name}");
            }
        }
    }

    // With repeats: each run's repeats apart, p = 1, 2, then again.
    make.ok(&[
        "scaling",
        "WORKERS=1 2",
        "RUNS=2",
        "FILES=2",
        "DELAY=0.1",
        &bin,
    ]);
    for run in ["parallel-j1", "parallel-j2"] {
        assert_eq!(
            names_in(&out.join(run)),
            [".dp-manifest.jsonl", "r1", "r1.wall", "r2", "r2.wall"],
            "{run}"
        );
    }
    let order: Vec<String> = (1..=2)
        .flat_map(|k| ["parallel-j1", "parallel-j2"].map(|run| format!("{run}/r{k}")))
        .collect();
    one_after_another(&make, &order);

    make.ok(&["clean"]);
    assert!(
        !make.data_dir.exists(),
        "clean left {:?}",
        names_in(&make.data_dir)
    );
}

#[test]
fn scaling_without_files_or_delay_given_uses_sixteen_files_of_half_a_second() {
    // make -n prints the plan; its sub-makes, which it runs, find no data
    // and may stop early: the plan, not its exit status, is the question.
    let make = Make::new(&["WORKERS=1 2"]);
    let plan = make.run(&["-n", "scaling"]).stdout;
    assert!(plan.contains("--files 16 "), "{plan}");
    assert!(plan.contains("--delay 0.5 "), "{plan}");
    let plan = make.run(&["-n", "scaling", "FILES=3", "DELAY=0.1"]).stdout;
    assert!(
        plan.contains("--files 3 ") && plan.contains("--delay 0.1 "),
        "{plan}"
    );
    // Other targets keep their own defaults.
    let plan = make.run(&["-n", "data"]).stdout;
    assert!(plan.contains("--files 5 "), "{plan}");
    assert!(
        !make.data_dir.exists(),
        "make -n wrote {:?}",
        names_in(&make.data_dir)
    );
}

#[test]
fn scaling_refuses_what_it_cannot_scale_and_says_when_files_are_too_few() {
    let make = Make::new(&["FILES=2", "COUNT=10", "DELAY=0"]);
    make.run(&["scaling", "MODE=sequential"])
        .code_is(2)
        .stderr_has("make scaling: MODE=sequential runs one file at a time");
    make.run(&["scaling", "MODE=nothing"])
        .code_is(2)
        .stderr_has("make scaling: there is no mode nothing");
    for (var, value) in [("RUNS", "0"), ("WORKERS", "1 x"), ("RUNS", "2.5")] {
        make.run(&["scaling", &format!("{var}={value}")])
            .code_is(2)
            .stderr_has(&format!("{var} holds"))
            .stderr_has("which is not a whole number from 1");
    }
    assert!(!make.out_dir().join("parallel-j1").exists());
    make.run(&["scaling", "WORKERS=1 4"])
        .success()
        .stderr_has("make scaling: FILES=2 is fewer than the 4 workers of the largest run");
    make.ok(&["clean"]);
    assert!(!make.data_dir.exists());
}

#[test]
fn a_scaling_run_holds_the_lock_from_its_first_step_to_its_last() {
    let make = Make::new(&["FILES=4", "DELAY=0.4", "WORKERS=1 2"]);
    let first = make
        .command(&["scaling"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let result = make.out_dir().join("parallel-j1/data1.txt.stats.json");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !result.exists() {
        assert!(Instant::now() < deadline, "no first result after 60 s");
        sleep(Duration::from_millis(5));
    }
    let out = make.out_dir();
    for target in ["scaling", "compare", "parallel", "clean"] {
        make.run(&[target]).code_is(2).stderr_has(&format!(
            "make {target}: {} is in use by another run of dp",
            out.display()
        ));
    }
    let output = first.wait_with_output().unwrap();
    let ran = Ran {
        what: "the first make scaling".into(),
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    };
    ran.success();
    for run in ["parallel-j1", "parallel-j2"] {
        assert_eq!(results_in(&make, run).len(), 4, "{run}");
    }
    make.ok(&["clean"]);
    assert!(!make.data_dir.exists());
}
