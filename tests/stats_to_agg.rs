//! dp-stats into dp-agg: dp-agg reads every record dp-stats writes, a sum
//! beyond f64's range included, and does not call quantiles exact once a
//! data file has changed since its record was made.

use dp_testkit::shell;

#[test]
fn a_sum_beyond_range_from_dp_stats_is_read_and_said_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let ran = shell(
        "printf '1e308\\n1e308\\n' > big.txt; seq 3 > small.txt; \
         dp-stats big.txt small.txt 2>/dev/null | dp-agg --format json",
        dir.path(),
    );
    ran.success();
    assert_eq!(ran.stderr, "");
    let summary = &ran.records()[0];
    assert_eq!(summary["files"], 2, "{summary}");
    assert_eq!(summary["failed"], 0, "{summary}");
    assert_eq!(summary["count"], 5);
    assert!(summary["sum"].is_null(), "{summary}");
    assert_eq!(
        summary["notes"][0],
        "sum unknown: big.txt's sum exceeds f64's range"
    );
    assert_eq!(summary["max"], 1e308);
}

#[test]
fn a_data_file_changed_since_dp_stats_read_it_is_not_read_as_exact() {
    let dir = tempfile::tempdir().unwrap();
    // `seq 1 1001`, recorded, then two middle values swapped for two that
    // keep the count, min, max and even the sum: only the checksum dp-stats
    // recorded tells.
    let ran = shell(
        "seq 1 1001 > d.txt && dp-stats d.txt > d.jsonl && \
         awk '{ print $1 == 500 ? 499 : $1 == 501 ? 502 : $1 }' d.txt > new.txt && \
         mv new.txt d.txt && dp-agg --format json d.jsonl",
        dir.path(),
    );
    ran.success();
    assert_eq!(ran.records()[0]["quantiles"], "digest", "{}", ran.stdout);
    assert!(
        ran.stderr.starts_with(
            "dp-agg: run (no run): d.txt: its text changed since its record was made (the checksum differs)"
        ),
        "{}",
        ran.stderr
    );
}
