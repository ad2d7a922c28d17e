//! dp-stats' records for good input: files, stdin, the stdin list of files,
//! run labels, percentiles, CSV columns and skipped tokens.

mod common;

use common::fixture_str;
use dp_testkit::{Ran, assert_close, dp, number};
use serde_json::{Value, json};

const TOLERANCE: f64 = 1e-12;

/// Statistics of 1..=10, worked out by hand from the definitions in
/// docs/reference.md, "Values and statistics"
/// (linear interpolation between closest ranks, sample variance).
fn assert_one_to_ten(record: &Value) {
    assert_eq!(record["type"], "stats");
    assert_eq!(record["count"], 10);
    assert_eq!(record["invalid"], 0);
    for (field, expected) in [
        ("sum", 55.0),
        ("min", 1.0),
        ("max", 10.0),
        ("mean", 5.5),
        ("median", 5.5),
        ("q1", 3.25),
        ("q3", 7.75),
        ("variance", 55.0 / 6.0),
        ("stddev", (55.0_f64 / 6.0).sqrt()),
    ] {
        assert_close(number(&record[field]), expected, TOLERANCE, field);
    }
}

/// Asserts a clean run: exit 0, nothing on stderr.
fn clean(ran: &Ran) {
    ran.success();
    assert_eq!(ran.stderr, "", "{ran:?}");
}

#[test]
fn a_good_file_gives_one_complete_stats_record() {
    let path = fixture_str("one_to_ten.txt");
    let ran = dp("dp-stats").arg(&path).run();
    clean(&ran);
    let record = ran.record();
    assert_one_to_ten(&record);
    assert_eq!(record["path"], path);
    assert_eq!(record["run"], Value::Null);
    assert_eq!(record["delay_s"], 0.0);
    assert!(
        record["host"].as_str().is_some_and(|h| !h.is_empty()),
        "{record}"
    );
    assert!(
        record["pid"].as_u64().is_some_and(|pid| pid > 0),
        "{record}"
    );
    assert_eq!(record["digest"]["count"], 10, "{record}");
    assert!(record["digest"]["kind"].is_string(), "{record}");
    let started = record["started_at"].as_f64().unwrap();
    let finished = record["finished_at"].as_f64().unwrap();
    let elapsed = record["elapsed_s"].as_f64().unwrap();
    assert!(started > 1.6e9 && started <= finished, "{record}");
    assert!((finished - started - elapsed).abs() < 2e-6, "{record}");
    assert!(record.get("percentiles").is_none(), "{record}");
    // The record is the stream's contract: it reads back as a stats record.
    let typed: dp_core::record::Record = serde_json::from_value(record).unwrap();
    assert!(matches!(typed, dp_core::record::Record::Stats(_)));
}

#[test]
fn an_empty_file_is_not_an_error_its_statistics_are_null() {
    let ran = dp("dp-stats").arg(fixture_str("empty.txt")).run();
    clean(&ran);
    let record = ran.record();
    assert_eq!(record["count"], 0);
    assert_eq!(record["sum"], 0.0);
    for field in [
        "min", "max", "mean", "median", "q1", "q3", "variance", "stddev",
    ] {
        assert_eq!(record[field], Value::Null, "{field} in {record}");
    }
}

#[test]
fn a_dash_reads_numbers_from_stdin() {
    let numbers: String = (1..=100).map(|i| format!("{i}\n")).collect();
    let ran = dp("dp-stats").arg("-").stdin(numbers).run();
    clean(&ran);
    let record = ran.record();
    assert_eq!(record["path"], "-");
    assert_eq!(record["count"], 100);
    assert_close(number(&record["sum"]), 5050.0, TOLERANCE, "sum");
    assert_close(number(&record["median"]), 50.5, TOLERANCE, "median");
}

#[test]
fn without_files_stdin_lists_them_as_paths_or_records() {
    let good = fixture_str("one_to_ten.txt");
    let empty = fixture_str("empty.txt");
    let list = format!(
        "{good}\n\n  \r\n{}\r\n{}\n",
        json!({"type": "file", "path": empty, "index": 2, "count": 0}),
        good
    );
    let ran = dp("dp-stats").stdin(list).run();
    clean(&ran);
    let records = ran.records();
    let paths: Vec<&Value> = records.iter().map(|r| &r["path"]).collect();
    assert_eq!(paths, [&json!(good), &json!(empty), &json!(good)]);
    assert_one_to_ten(&records[2]);
}

#[test]
fn listed_numbers_that_are_not_files_hint_at_dash() {
    let dir = tempfile::tempdir().unwrap();
    let ran = dp("dp-stats")
        .current_dir(dir.path())
        .stdin(b"17\n".as_slice())
        .run();
    ran.code_is(1);
    let record = ran.record();
    assert_eq!(record["type"], "error");
    assert_eq!(record["path"], "17");
    assert!(
        ran.stderr
            .starts_with("dp-stats: 17: No such file or directory"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("'dp-stats -'"), "{}", ran.stderr);
}

#[test]
fn a_listed_record_without_a_path_fails_on_its_line() {
    let good = fixture_str("one_to_ten.txt");
    let list = format!("{good}\n{{\"type\":\"file\"}}\n{good}\n");
    let ran = dp("dp-stats").stdin(list).run();
    ran.code_is(1);
    let records = ran.records();
    assert_eq!(records.len(), 3, "{}", ran.stdout);
    assert_eq!(records[1]["type"], "error");
    assert_eq!(records[1]["line"], 2);
    assert_eq!(records[2]["type"], "stats");
    assert!(
        ran.stderr
            .starts_with("dp-stats: -:2: not a record with a path"),
        "{}",
        ran.stderr
    );
}

#[test]
fn the_run_label_comes_from_the_flag_or_the_environment() {
    let path = fixture_str("one_to_ten.txt");
    let run = |args: &[&str], env: Option<&str>| {
        let mut cmd = dp("dp-stats").args(args).arg(&path);
        if let Some(label) = env {
            cmd = cmd.env("DP_RUN", label);
        }
        cmd.run().record()["run"].clone()
    };
    assert_eq!(run(&["--run", "sequential"], None), "sequential");
    assert_eq!(run(&[], Some("parallel")), "parallel");
    assert_eq!(run(&["--run", "flag"], Some("env")), "flag");
}

#[test]
fn percentiles_interpolate_between_closest_ranks() {
    let ran = dp("dp-stats")
        .args(["--percentiles", "0,90,99.5,100"])
        .arg(fixture_str("one_to_ten.txt"))
        .run();
    ran.success();
    let record = ran.record();
    let got = record["percentiles"]
        .as_array()
        .expect("a percentiles array");
    let expected = [(0.0, 1.0), (90.0, 9.1), (99.5, 9.955), (100.0, 10.0)];
    assert_eq!(got.len(), expected.len(), "{record}");
    for (pair, (p, value)) in got.iter().zip(expected) {
        assert_close(number(&pair[0]), p, 0.0, "percentile");
        assert_close(number(&pair[1]), value, 1e-9, &format!("p{p}"));
    }
}

#[test]
fn a_csv_column_is_read_by_name_or_number() {
    let path = fixture_str("prices.csv");
    for column in ["price", "2"] {
        let ran = dp("dp-stats")
            .args(["--csv", "--column", column, &path])
            .run();
        clean(&ran);
        let record = ran.record();
        assert_eq!(record["count"], 3);
        assert_close(number(&record["sum"]), 61.0, TOLERANCE, "sum");
        assert_close(number(&record["median"]), 20.5, TOLERANCE, "median");
    }
}

#[test]
fn a_missing_csv_column_fails_the_file() {
    let ran = dp("dp-stats")
        .args(["--csv", "--column", "weight"])
        .arg(fixture_str("prices.csv"))
        .run();
    ran.code_is(1);
    assert_eq!(ran.record()["type"], "error");
    assert!(ran.stderr.contains("weight"), "{}", ran.stderr);
}

#[test]
fn skip_invalid_counts_what_it_skips() {
    let path = fixture_str("some_invalid.txt");
    dp("dp-stats").arg(&path).run().code_is(1);
    let ran = dp("dp-stats").args(["--skip-invalid", &path]).run();
    clean(&ran);
    let record = ran.record();
    assert_eq!(record["count"], 3);
    assert_eq!(record["invalid"], 2);
    assert_close(number(&record["sum"]), 6.0, TOLERANCE, "sum");
}

#[test]
fn every_record_carries_the_checksum_of_the_text_as_read() {
    let text_file = fixture_str("one_to_ten.txt");
    let csv_file = fixture_str("prices.csv");
    let of_file = |path: &str| dp_core::checksum::of(&std::fs::read(path).unwrap());
    let checksum = |ran: &Ran| ran.record()["checksum"].as_str().unwrap().to_owned();

    let ran = dp("dp-stats").arg(&text_file).run();
    clean(&ran);
    assert_eq!(checksum(&ran), of_file(&text_file));
    let ran = dp("dp-stats").arg("-").stdin("3\n1\n2\n").run();
    clean(&ran);
    assert_eq!(checksum(&ran), dp_core::checksum::of(b"3\n1\n2\n"));
    let ran = dp("dp-stats")
        .args(["--csv", "--column", "2", &csv_file])
        .run();
    ran.success();
    assert_eq!(checksum(&ran), of_file(&csv_file));
    // A failed file has no checksum to give.
    let ran = dp("dp-stats").arg(fixture_str("bad_token.txt")).run();
    assert!(ran.record().get("checksum").is_none());
}
