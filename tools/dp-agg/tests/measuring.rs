//! Measuring like a benchmark tool (SPEC §6, issue 10): repeats and their
//! spread, the speedup's σ, where the time went, and the scaling table,
//! through the real binary on fixed records with hand-computed answers.

mod common;

use common::{Timing, dp_agg, stats_line, stats_of, temp_dir, values};
use dp_testkit::{assert_close, number};
use serde_json::Value;

/// What a record says beyond its statistics.
#[derive(Clone, Copy, Default)]
struct Extra {
    repeat: Option<u64>,
    cpu_s: Option<f64>,
    max_rss_kib: Option<u64>,
    workers: Option<u64>,
}

fn record(
    path: &str,
    run: &str,
    seed: u64,
    started_at: f64,
    elapsed_s: f64,
    extra: Extra,
) -> String {
    let data = values(seed, 50, 50.0, 20.0);
    let timing = Timing {
        started_at,
        elapsed_s,
    };
    let mut stats = stats_of(path, Some(run), &data, timing);
    stats.repeat = extra.repeat;
    stats.cpu_s = extra.cpu_s;
    stats.max_rss_kib = extra.max_rss_kib;
    stats.workers = extra.workers;
    stats_line(stats)
}

/// Sequential: two files one after the other, totals 14, 15, 16 over
/// repeats 1..3, each file's CPU its whole time (spin). Parallel: the same
/// two files at once, totals 2.9, 3.0, 3.1, nearly no CPU (sleep).
/// Interleaved, as `make compare RUNS=3` runs them.
fn repeated_runs() -> String {
    let mut lines = String::new();
    for (r, (seq, par)) in [(14.0, 2.9), (15.0, 3.0), (16.0, 3.1)]
        .into_iter()
        .enumerate()
    {
        let repeat = Some(r as u64 + 1);
        let start = 1000.0 + 100.0 * r as f64;
        let half: f64 = seq / 2.0;
        let spin = |rss| Extra {
            repeat,
            cpu_s: Some(half),
            max_rss_kib: Some(rss),
            workers: Some(1),
        };
        lines += &record("data1.txt", "sequential", 1, start, half, spin(2048));
        lines += &record("data2.txt", "sequential", 2, start + half, half, spin(2048));
        let sleep = Extra {
            repeat,
            cpu_s: Some(0.005),
            max_rss_kib: Some(4096),
            workers: Some(2),
        };
        let start = start + 50.0;
        lines += &record("data1.txt", "parallel", 1, start, par, sleep);
        lines += &record("data2.txt", "parallel", 2, start, par, sleep);
    }
    lines
}

/// 5 · sqrt((1/15)² + (0.1/3)²): SPEC §6's σ of 15 ± 1 over 3 ± 0.1.
fn expected_sigma() -> f64 {
    5.0 * ((1.0f64 / 15.0).powi(2) + (0.1f64 / 3.0).powi(2)).sqrt()
}

#[test]
fn repeats_give_the_total_as_mean_sigma_min_max_and_the_speedup_its_sigma() {
    let dir = temp_dir();
    let run = dp_agg(dir.path(), &["--no-exact"], &repeated_runs());
    run.success();
    let text = &run.stdout;
    assert!(
        !run.stderr.contains("recorded again"),
        "a file in two repeats is no duplicate: {}",
        run.stderr
    );
    // σ_S = 5 · sqrt(1/225 + 1/900) = 0.3727, shown as 0.37.
    assert_close(expected_sigma(), 0.372678, 1e-6, "hand σ");
    for line in [
        "  total time         15.00 ± 1.00 s (14.00–16.00) over 3 repeats (first start to last finish)",
        "  total time         3.00 ± 0.10 s (2.90–3.10) over 3 repeats (first start to last finish)",
        // 6 records of 7.5 s on average; Σ elapsed per repeat 14, 15, 16.
        "  average per file   7.50 s",
        "  sum of file times  15.00 s (one file after another)",
        // Σ cpu_s per repeat = its total: 15 s, 1 core busy.
        "  cpu time           15.00 s (all files' cpu_s, mean over the repeats)",
        "  cores busy         1.00 on average (cpu time / total time)",
        "  peak memory        2048 KiB (largest max_rss_kib)",
        "  cpu time           0.01 s (all files' cpu_s, mean over the repeats)",
        "  peak memory        4096 KiB (largest max_rss_kib)",
        "Results identical across runs: yes",
        "Results identical across repeats: yes",
        // The seed's lines, with the means.
        "- Total time: 15.00 seconds",
        "- Total time: 3.00 seconds",
        "- Average time per file: 7.50 seconds",
        "- Average time per file: 3.00 seconds",
        "Speed Improvement: 5.00x faster with parallel execution (80% less time; ± 0.37 over 3 repeats)",
        "sequential: 1.00 of 1 cores busy: bound by cores",
        "parallel: 0.00 cores busy on average: the work waits, so more workers than cores help",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line:?} in\n{text}"
        );
    }
    // Two runs of no `-j` label: a plain comparison, no scaling table.
    assert!(!text.contains("Scaling"), "{text}");
}

#[test]
fn json_carries_repeats_totals_sigma_and_where_the_time_went() {
    let dir = temp_dir();
    let run = dp_agg(
        dir.path(),
        &["--no-exact", "--format", "json"],
        &repeated_runs(),
    );
    run.success();
    let records = run.records();
    let summary = |name: &str| {
        records
            .iter()
            .find(|r| r["type"] == "summary" && r["run"] == name)
            .unwrap()
    };
    let seq = summary("sequential");
    assert_eq!(seq["repeats"], 3);
    assert_close(number(&seq["total_s"]["mean"]), 15.0, 1e-9, "mean");
    assert_close(number(&seq["total_s"]["stddev"]), 1.0, 1e-9, "stddev");
    assert_close(number(&seq["total_s"]["min"]), 14.0, 1e-9, "min");
    assert_close(number(&seq["total_s"]["max"]), 16.0, 1e-9, "max");
    assert_close(number(&seq["cpu_s"]), 15.0, 1e-9, "cpu_s");
    assert_close(number(&seq["cores_busy"]), 1.0, 1e-9, "cores_busy");
    assert_eq!(seq["max_rss_kib"], 2048);
    let par = summary("parallel");
    assert_close(number(&par["total_s"]["stddev"]), 0.1, 1e-9, "stddev");
    // Mean of 0.01/2.9, 0.01/3.0, 0.01/3.1.
    let busy = (0.01 / 2.9 + 0.01 / 3.0 + 0.01 / 3.1) / 3.0;
    assert_close(number(&par["cores_busy"]), busy, 1e-12, "cores_busy");
    let comparison = records.iter().find(|r| r["type"] == "comparison").unwrap();
    assert_eq!(comparison["identical"], true);
    let runs = comparison["runs"].as_array().unwrap();
    assert_eq!(runs[1]["run"], "parallel");
    assert_eq!(runs[1]["repeats"], 3);
    assert_close(number(&runs[1]["speedup"]), 5.0, 1e-9, "speedup");
    assert_close(
        number(&runs[1]["speedup_stddev"]),
        expected_sigma(),
        1e-9,
        "speedup_stddev",
    );
    assert!(!records.iter().any(|r| r["type"] == "scaling"));
}

#[test]
fn csv_has_a_row_per_file_and_repeat_with_the_new_columns_at_the_end() {
    let dir = temp_dir();
    let run = dp_agg(
        dir.path(),
        &["--no-exact", "--format", "csv"],
        &repeated_runs(),
    );
    run.success();
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &header[16..],
        ["error", "cpu_s", "max_rss_kib", "workers", "repeat"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 12);
    let cells = |at: usize| -> Vec<&str> { [0, 1, 17, 18, 19, 20].map(|c| &rows[at][c]).to_vec() };
    assert_eq!(cells(0), ["sequential", "data1.txt", "7", "2048", "1", "1"]);
    assert_eq!(cells(5), ["sequential", "data2.txt", "8", "2048", "1", "3"]);
    assert_eq!(
        cells(7),
        ["parallel", "data2.txt", "0.005", "4096", "2", "1"]
    );
}

#[test]
fn repeats_that_computed_different_statistics_are_named_and_fail() {
    let dir = temp_dir();
    let mut lines = String::new();
    for r in 1..=2u64 {
        let repeat = Extra {
            repeat: Some(r),
            ..Extra::default()
        };
        let start = 100.0 * r as f64;
        lines += &record("data1.txt", "parallel", 1, start, 1.0, repeat);
        // Repeat 2 read other values for data2.txt.
        let seed = if r == 2 { 9 } else { 2 };
        lines += &record("data2.txt", "parallel", seed, start, 1.0, repeat);
    }
    let run = dp_agg(dir.path(), &["--no-exact"], &lines);
    run.code_is(1)
        .stderr_has("the repeats' results differ (see the report)");
    let text = &run.stdout;
    assert!(
        text.contains("Results identical across repeats: no ("),
        "{text}"
    );
    let named = text
        .lines()
        .find(|l| l.starts_with("  data2.txt: mean is "))
        .unwrap_or_else(|| panic!("no mean difference in\n{text}"));
    assert!(
        named.contains("in repeat 2,") && named.ends_with("in repeat 1 of run parallel"),
        "{named}"
    );
    assert!(!text.contains("data1.txt: "), "{text}");
}

#[test]
fn a_file_twice_in_one_repeat_keeps_the_later_record_with_a_warning() {
    let dir = temp_dir();
    let once = |r| Extra {
        repeat: Some(r),
        ..Extra::default()
    };
    let lines = [
        record("data1.txt", "parallel", 1, 0.0, 1.0, once(1)),
        record("data1.txt", "parallel", 1, 10.0, 1.0, once(2)),
        // Again in repeat 2, later and longer: its total is 5 − 0… of
        // repeat 2: from 10 to 15.
        record("data1.txt", "parallel", 1, 10.0, 5.0, once(2)),
    ]
    .concat();
    let run = dp_agg(dir.path(), &["--no-exact", "--format", "json"], &lines);
    run.success().stderr_has("recorded again in run parallel");
    let summary = &run.records()[0];
    assert_eq!(summary["repeats"], 2);
    assert_eq!(summary["files"], 1);
    assert_close(
        number(&summary["total_s"]["mean"]),
        3.0,
        1e-9,
        "(1 + 5) / 2",
    );
}

#[test]
fn a_file_that_fails_in_every_repeat_is_one_failed_file_and_one_failing_later_a_difference() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("good.txt"), "1\n2\n").unwrap();
    std::fs::write(dir.path().join("bad.txt"), "1\nx\n").unwrap();
    let repeat = |r: &str| {
        dp_testkit::dp("dp-stats")
            .args(["--run", "a", "good.txt", "bad.txt"])
            .env("DP_REPEAT", r)
            .current_dir(dir.path())
            .run()
    };
    let (first, second) = (repeat("1"), repeat("2"));
    first.code_is(1);
    let error = &second.records()[1];
    assert_eq!(error["type"], "error");
    assert_eq!(error["repeat"], 2, "an error record carries its repeat");
    let both = format!("{}{}", first.stdout, second.stdout);
    let run = dp_agg(dir.path(), &[], &both);
    run.code_is(1);
    assert!(!run.stderr.contains("recorded again"), "{}", run.stderr);
    assert!(run.stdout.contains("Failed files (1):"), "{}", run.stdout);
    assert!(
        run.stdout.contains("Results identical across repeats: yes"),
        "{}",
        run.stdout
    );

    // good.txt fails in repeat 2 only: missing there, a difference.
    std::fs::write(dir.path().join("good.txt"), "1\ny\n").unwrap();
    let later = repeat("2");
    let run = dp_agg(
        dir.path(),
        &[],
        &format!("{}{}", first.stdout, later.stdout),
    );
    run.code_is(1);
    assert!(
        run.stdout.contains("good.txt: failed in repeat 2 of run a"),
        "{}",
        run.stdout
    );
}

/// Runs of one file each, one repeat, with the given totals.
fn scaling_runs(runs: &[(&str, f64)]) -> String {
    runs.iter()
        .map(|&(label, total)| record("data1.txt", label, 1, 0.0, total, Extra::default()))
        .collect()
}

fn row<'a>(text: &'a str, first: &str) -> Vec<&'a str> {
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|cells| cells.len() == 6 && cells[0] == first)
        .unwrap_or_else(|| panic!("no row of {first} in\n{text}"))
}

#[test]
fn the_scaling_table_matches_a_hand_computation() {
    let dir = temp_dir();
    let input = scaling_runs(&[
        ("parallel-j1", 8.0),
        ("parallel-j2", 5.0),
        ("parallel-j4", 3.5),
    ]);
    let run = dp_agg(dir.path(), &["--no-exact"], &input);
    run.success();
    let text = &run.stdout;
    assert!(text.contains("=== Scaling: parallel ==="), "{text}");
    // S = 8/5 = 1.6, 8/3.5 = 2.2857; E = 0.8, 0.5714;
    // e_2 = (0.625 − 0.5)/0.5 = 0.25, e_4 = (0.4375 − 0.25)/0.75 = 0.25.
    assert_eq!(
        row(text, "parallel-j1"),
        ["parallel-j1", "1", "8.00", "1.00", "1.00", "-"]
    );
    assert_eq!(
        row(text, "parallel-j2"),
        ["parallel-j2", "2", "5.00", "1.60", "0.80", "0.25"]
    );
    assert_eq!(
        row(text, "parallel-j4"),
        ["parallel-j4", "4", "3.50", "2.29", "0.57", "0.25"]
    );
    // f = Σxy/Σx² = (13/64)/(13/16) = 1/4; 1/f = 4; S(8) = 32/11 = 2.91.
    for line in [
        "Serial fraction f (Amdahl fit): 0.25",
        "Speedup limit 1/f: 4.00x",
        "Predicted: 2.91x at 8 workers",
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in\n{text}");
    }

    let json = dp_agg(dir.path(), &["--no-exact", "--format", "json"], &input);
    json.success();
    let records = json.records();
    let at = records.iter().position(|r| r["type"] == "scaling").unwrap();
    assert_eq!(
        records[at - 1]["type"],
        "comparison",
        "after the comparison"
    );
    let scaling: &Value = &records[at];
    assert_eq!(scaling["mode"], "parallel");
    let points = scaling["points"].as_array().unwrap();
    let expected = [
        (1, 8.0, 1.0, 1.0, None),
        (2, 5.0, 1.6, 0.8, Some(0.25)),
        (4, 3.5, 16.0 / 7.0, 4.0 / 7.0, Some(0.25)),
    ];
    for (point, (p, t, s, e, kf)) in points.iter().zip(expected) {
        assert_eq!(point["workers"], p);
        assert_close(number(&point["total_s"]), t, 1e-9, "T_p");
        assert!(point["total_stddev_s"].is_null());
        assert_close(number(&point["speedup"]), s, 1e-12, "S_p");
        assert_close(number(&point["efficiency"]), e, 1e-12, "E_p");
        match kf {
            Some(kf) => assert_close(number(&point["karp_flatt"]), kf, 1e-12, "e_p"),
            None => assert!(point["karp_flatt"].is_null()),
        }
    }
    assert_close(number(&scaling["serial_fraction"]), 0.25, 1e-12, "f");
    assert_close(number(&scaling["amdahl_limit"]), 4.0, 1e-12, "1/f");
    assert_eq!(scaling["predicted"]["workers"], 8);
    assert_close(
        number(&scaling["predicted"]["speedup"]),
        32.0 / 11.0,
        1e-12,
        "S(8)",
    );

    let markdown = dp_agg(dir.path(), &["--no-exact", "--format", "markdown"], &input);
    markdown.success().stdout_has("## Scaling: parallel");
    markdown.stdout_has("| parallel-j4 | 4 | 3.50 | 2.29 | 0.57 | 0.25 |");
}

#[test]
fn without_a_one_worker_run_the_sequential_run_is_t1_else_dp_agg_cannot_scale() {
    let dir = temp_dir();
    let with_sequential = scaling_runs(&[("sequential", 8.0), ("j2", 5.0), ("j4", 3.5)]);
    let run = dp_agg(dir.path(), &["--no-exact"], &with_sequential);
    run.success().stdout_has("=== Scaling ===");
    assert_eq!(row(&run.stdout, "sequential")[..2], ["sequential", "1"]);
    assert_eq!(row(&run.stdout, "j4")[3], "2.29");

    let without = scaling_runs(&[("parallel-j2", 5.0), ("parallel-j4", 3.5)]);
    let run = dp_agg(dir.path(), &["--no-exact"], &without);
    let message =
        "cannot scale mode parallel: no one-worker run and no run named `sequential` gives T_1";
    run.code_is(1).stderr_has(message);
    run.stdout_has(&format!("Scaling: {message}"));
}

#[test]
fn with_scaling_every_run_counts_by_its_records_workers() {
    let dir = temp_dir();
    let workers = |w| Extra {
        workers: Some(w),
        ..Extra::default()
    };
    // `dp-stats -j 4 --run threads` and a sequential run.
    let input = [
        record("data1.txt", "sequential", 1, 0.0, 4.0, workers(1)),
        record("data2.txt", "sequential", 2, 4.0, 4.0, workers(1)),
        record("data1.txt", "threads", 1, 0.0, 2.0, workers(4)),
        record("data2.txt", "threads", 2, 0.0, 2.0, workers(4)),
    ]
    .concat();
    let plain = dp_agg(dir.path(), &["--no-exact"], &input);
    plain.success();
    assert!(!plain.stdout.contains("Scaling"), "{}", plain.stdout);
    let run = dp_agg(dir.path(), &["--no-exact", "--scaling"], &input);
    run.success();
    // S_4 = 8/2 = 4: E = 1, e_4 = 0, f = 0: no limit.
    assert_eq!(
        row(&run.stdout, "threads"),
        ["threads", "4", "2.00", "4.00", "1.00", "0.00"]
    );
    run.stdout_has("Speedup limit 1/f: none (f = 0)");
}

#[test]
fn a_single_repeat_reads_as_a_run_made_once() {
    let dir = temp_dir();
    let plain = scaling_runs(&[("sequential", 8.0), ("parallel", 2.0)]);
    let once = |r| Extra {
        repeat: r,
        ..Extra::default()
    };
    let repeat_one = [
        record("data1.txt", "sequential", 1, 0.0, 8.0, once(Some(1))),
        record("data1.txt", "parallel", 1, 0.0, 2.0, once(Some(1))),
    ]
    .concat();
    let a = dp_agg(dir.path(), &["--no-exact"], &plain);
    let b = dp_agg(dir.path(), &["--no-exact"], &repeat_one);
    a.success();
    b.success();
    assert_eq!(a.stdout, b.stdout);
    assert!(!a.stdout.contains("repeats"), "{}", a.stdout);
    assert!(
        a.stdout
            .lines()
            .any(|l| l == "Speed Improvement: 4.00x faster with parallel execution (75% less time)"),
        "{}",
        a.stdout
    );
}

/// Spin on a machine whose other core was taken: two workers, each file
/// only half its time on a CPU, 1.00 cores busy of 2. Still bound by cores
/// (the work computes), not "the work waits".
#[test]
fn work_that_computes_on_a_loaded_machine_is_bound_by_cores() {
    let dir = temp_dir();
    let spin = |cpu_s| Extra {
        cpu_s: Some(cpu_s),
        workers: Some(2),
        ..Extra::default()
    };
    let mut lines = String::new();
    lines += &record("data1.txt", "sequential", 1, 1000.0, 2.0, spin(2.0));
    lines += &record("data2.txt", "sequential", 2, 1002.0, 2.0, spin(2.0));
    lines += &record("data1.txt", "spin", 1, 1010.0, 4.0, spin(2.0));
    lines += &record("data2.txt", "spin", 2, 1010.0, 4.0, spin(2.0));
    let run = dp_agg(dir.path(), &["--no-exact"], &lines);
    run.success();
    let expected = "spin: 1.00 of 2 cores busy: bound by cores";
    assert!(
        run.stdout.lines().any(|l| l.ends_with(expected)),
        "no line {expected:?} in\n{}",
        run.stdout
    );
}
