//! What a record says about how it was measured: how many files the run
//! could process at once (`workers`), which repeat it belongs to
//! (`repeat`), and the process's peak memory (`max_rss_kib`). The CPU time
//! is timing, tested in delay.rs.

mod common;

use common::fixture_str;
use dp_testkit::dp;
use serde_json::Value;

/// The records of dp-stats on `files` copies of the small fixture, with
/// `args` and the environment `env`.
fn records(args: &[&str], env: &[(&str, &str)], files: usize) -> Vec<Value> {
    let good = fixture_str("one_to_ten.txt");
    let mut command = dp("dp-stats").args(args).args(vec![&good; files]);
    for (name, value) in env {
        command = command.env(name, value);
    }
    let ran = command.run();
    ran.success();
    ran.records()
}

/// One way to run dp-stats: its flags, its environment, and what its
/// records should say.
type Case<T> = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
    T,
);

/// `field` of every record.
fn field(records: &[Value], field: &str) -> Vec<Value> {
    records.iter().map(|record| record[field].clone()).collect()
}

#[test]
fn workers_are_the_jobs_unless_an_outside_runner_says() {
    let cases: [Case<u64>; 6] = [
        (&[], &[], 1),
        (&["-j", "3"], &[], 3),
        (&["--workers", "8"], &[], 8),
        (&["-j", "2"], &[("DP_WORKERS", "16")], 16),
        // The flag beats the variable, as for --run and DP_RUN.
        (&["-j", "2", "--workers", "4"], &[("DP_WORKERS", "16")], 4),
        (&["--workers=5"], &[("DP_REPEAT", "2")], 5),
    ];
    for (args, env, expected) in cases {
        let records = records(args, env, 3);
        assert_eq!(records.len(), 3);
        for workers in field(&records, "workers") {
            assert_eq!(workers, expected, "{args:?} {env:?}: {records:?}");
        }
    }
}

#[test]
fn the_repeat_is_recorded_and_null_when_not_given() {
    let cases: [Case<Value>; 4] = [
        (&[], &[], Value::Null),
        (&["--repeat", "2"], &[], 2.into()),
        (&[], &[("DP_REPEAT", "7")], 7.into()),
        (&["--repeat", "3"], &[("DP_REPEAT", "7")], 3.into()),
    ];
    for (args, env, expected) in cases {
        let records = records(args, env, 2);
        for repeat in field(&records, "repeat") {
            assert_eq!(repeat, expected, "{args:?} {env:?}: {records:?}");
        }
    }
}

#[test]
fn every_record_gives_a_plausible_peak_memory_and_a_cpu_time() {
    for args in [&[][..], &["-j", "2"]] {
        let records = records(args, &[], 3);
        for record in &records {
            // A small file: a few MiB, far under 1 GiB.
            let kib = record["max_rss_kib"].as_u64().unwrap_or(0);
            assert!((100..1 << 20).contains(&kib), "{record}");
            let cpu = record["cpu_s"].as_f64().unwrap_or(-1.0);
            let elapsed = record["elapsed_s"].as_f64().unwrap();
            assert!(cpu >= 0.0 && cpu <= elapsed + 0.01, "{record}");
        }
    }
}

#[test]
fn the_fields_read_back_into_the_typed_record() {
    let records = records(&["--workers", "4", "--repeat", "2"], &[], 1);
    let typed: dp_core::record::Record = serde_json::from_value(records[0].clone()).unwrap();
    let dp_core::record::Record::Stats(stats) = typed else {
        panic!("not a stats record: {records:?}");
    };
    assert_eq!((stats.workers, stats.repeat), (Some(4), Some(2)));
    assert!(stats.cpu_s.is_some() && stats.max_rss_kib.is_some());
}

#[test]
fn bad_counts_are_usage_errors_that_name_the_flag_and_the_variable() {
    let good = fixture_str("one_to_ten.txt");
    for (flag, variable) in [("--workers", "DP_WORKERS"), ("--repeat", "DP_REPEAT")] {
        for bad in ["0", "-1", "two", "1.5", ""] {
            let ran = dp("dp-stats").arg(format!("{flag}={bad}")).arg(&good).run();
            ran.code_is(2).stderr_has(flag);
            assert_eq!(ran.stdout, "", "{ran:?}");
            let ran = dp("dp-stats").env(variable, bad).arg(&good).run();
            ran.code_is(2).stderr_has(flag).stderr_has(variable);
            assert_eq!(ran.stdout, "", "{ran:?}");
        }
    }
}

#[test]
fn help_shows_the_flags_their_variables_and_an_example() {
    let ran = dp("dp-stats").arg("--help").run();
    ran.success();
    for text in [
        "--workers <N>",
        "DP_WORKERS",
        "--repeat <N>",
        "DP_REPEAT",
        "DP_WORKERS=8 xargs -P8",
        "--repeat 2",
    ] {
        ran.stdout_has(text);
    }
}
