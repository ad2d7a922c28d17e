//! Values near the ends of f64's range (docs/reference.md, "Values and
//! statistics"): every representable statistic is given, exactly as for
//! any file; one beyond the range is `null`, the record's `notes` says
//! which, a warning names the file, and the exit status stays 0.
//!
//! The expected values are exact rationals rounded once, from Python:
//! `fractions.Fraction` for the sum, mean and variance, `decimal` at 80
//! digits for the square root.

use dp_testkit::dp;
use serde_json::{Value, json};

/// `dp-stats -` on `values`: it must succeed, warning once per note.
fn stats_of(values: &str) -> (Value, String) {
    let ran = dp("dp-stats").arg("-").stdin(values).run();
    ran.success();
    let record = ran.record();
    let notes = record["notes"].as_array().map_or(0, Vec::len);
    assert_eq!(ran.stderr.lines().count(), notes, "{}", ran.stderr);
    (record, ran.stderr)
}

fn fields(record: &Value, names: &[&str]) -> Value {
    names
        .iter()
        .map(|&name| (name, record[name].clone()))
        .collect()
}

#[test]
fn squares_that_overflow_still_give_the_variance_when_it_is_representable() {
    // Σ(x − 0)² / 1 = 2e306: the squares (1e306 each) do not overflow, but
    // the sum of squares did for 1e155 and up, and became 0.
    let (record, stderr) = stats_of("1e153\n-1e153\n");
    assert_eq!(record["variance"], 2e306, "{record}");
    assert_eq!(record["stddev"], 1.414213562373095e153, "{record}");
    assert!(record.get("notes").is_none(), "{record}");
    assert_eq!(stderr, "");
}

#[test]
fn a_variance_beyond_range_is_null_with_a_note_and_its_stddev_is_given() {
    // Variance 2e400, 2e308 and 2e616: beyond f64; their roots are not.
    for (values, stddev) in [
        ("1e200\n-1e200\n", 1.414213562373095e200),
        ("1e154\n-1e154\n", 1.414213562373095e154),
        ("-1e308\n1e308\n", 1.4142135623730951e308),
    ] {
        let (record, stderr) = stats_of(values);
        assert_eq!(
            fields(&record, &["sum", "mean", "variance", "stddev", "notes"]),
            json!({
                "sum": 0.0, "mean": 0.0, "variance": null, "stddev": stddev,
                "notes": ["variance: exceeds f64's range"],
            }),
            "{values:?}"
        );
        assert_eq!(stderr, "dp-stats: -: variance: exceeds f64's range\n");
    }
    // √2 · f64::MAX: both are beyond.
    let (record, _) = stats_of("1.7976931348623157e308\n-1.7976931348623157e308\n");
    assert_eq!(
        fields(&record, &["variance", "stddev", "notes"]),
        json!({
            "variance": null, "stddev": null,
            "notes": ["variance: exceeds f64's range", "stddev: exceeds f64's range"],
        })
    );
}

#[test]
fn a_sum_beyond_range_is_null_with_a_note_and_the_mean_is_given() {
    let (record, stderr) = stats_of("1e308\n1e308\n");
    assert_eq!(
        fields(
            &record,
            &["sum", "mean", "median", "q1", "variance", "stddev", "notes"]
        ),
        json!({
            "sum": null, "mean": 1e308, "median": 1e308, "q1": 1e308,
            "variance": 0.0, "stddev": 0.0,
            "notes": ["sum: exceeds f64's range"],
        })
    );
    assert_eq!(stderr, "dp-stats: -: sum: exceeds f64's range\n");
    // The running sum overflows on the way, the sum (exactly 1) does not.
    let (record, _) = stats_of("1e308\n1e308\n-1e308\n-1e308\n1\n");
    assert_eq!(
        fields(&record, &["sum", "mean", "median", "stddev", "notes"]),
        json!({
            "sum": 1.0, "mean": 0.2, "median": 1.0, "stddev": 1e308,
            "notes": ["variance: exceeds f64's range"],
        })
    );
}

#[test]
fn the_median_and_quartiles_of_huge_values_are_never_infinite() {
    // (1e308 + 1e308) / 2 and −1e308 + 0.25 · (1e308 − −1e308) overflow
    // on the way; their values do not.
    let (record, _) = stats_of("-1e308\n1e308\n");
    assert_eq!(
        fields(&record, &["median", "q1", "q3"]),
        json!({"median": 0.0, "q1": -5e307, "q3": 5e307})
    );
    let (record, _) = stats_of("1.7e308\n1.75e308\n");
    assert_eq!(record["median"], 1.725e308, "{record}");
}

#[test]
fn the_mean_stays_within_min_and_max() {
    // 0.1 × 3 sums to 0.30000000000000004, which over 3 rounds to
    // 0.10000000000000002: above the max, a record dp-agg would refuse.
    let (record, _) = stats_of("0.1\n0.1\n0.1\n");
    assert_eq!(record["mean"], 0.1, "{record}");
    let typed: dp_core::record::Record = serde_json::from_value(record).unwrap();
    let dp_core::record::Record::Stats(stats) = typed else {
        panic!("not a stats record")
    };
    assert_eq!(stats.check(), Ok(()));
}

#[test]
fn notes_reach_csv_and_table_as_empty_cells_and_warnings() {
    for format in ["csv", "table"] {
        let ran = dp("dp-stats")
            .args(["--format", format, "-"])
            .stdin("1e308\n1e308\n")
            .run();
        ran.success()
            .stderr_has("dp-stats: -: sum: exceeds f64's range");
        assert!(!ran.stdout.contains("inf"), "{}", ran.stdout);
    }
}
