//! dp-agg's overall statistics against references computed from the
//! concatenated data: exact moments, exact quantiles from the files, and
//! digest estimates within their stated bound once the files are gone.

mod common;

use common::{Reference, Timing, dp_agg, stats_record, summaries, temp_dir, values};
use dp_testkit::{assert_close, number};

/// Files of very different sizes and levels, so that a mean of means, or a
/// pooled variance without the spread between the means, is far off.
fn uneven_files() -> Vec<(&'static str, Vec<f64>)> {
    vec![
        ("tiny.txt", vec![1000.5, 1001.25, 999.0]),
        ("small.txt", values(1, 500, 10.0, 4.0)),
        ("large.txt", values(2, 20_000, -50.0, 10.0)),
        ("empty.txt", vec![]),
        ("one.txt", vec![7.0]),
    ]
}

/// Writes the files into `dir` and returns their records and all values.
fn records_for(dir: &std::path::Path, files: &[(&str, Vec<f64>)], run: &str) -> (String, Vec<f64>) {
    let mut records = String::new();
    let mut all = Vec::new();
    for (i, (name, data)) in files.iter().enumerate() {
        common::write_data(dir, name, data);
        let timing = Timing {
            started_at: 1000.0 + i as f64,
            elapsed_s: 0.5,
        };
        records.push_str(&stats_record(name, Some(run), data, timing));
        all.extend_from_slice(data);
    }
    (records, all)
}

#[test]
fn moments_equal_those_of_the_concatenated_data() {
    let dir = temp_dir();
    let files = uneven_files();
    let (records, all) = records_for(dir.path(), &files, "r");
    let reference = Reference::of(&all);

    // The test must be able to tell exact combination from a mean of means.
    let nonempty: Vec<&Vec<f64>> = files
        .iter()
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
        .collect();
    let mean_of_means = nonempty
        .iter()
        .map(|v| v.iter().sum::<f64>() / v.len() as f64)
        .sum::<f64>()
        / nonempty.len() as f64;
    assert!((mean_of_means - reference.mean).abs() > 1.0);

    let run = dp_agg(dir.path(), &["--format", "json"], &records);
    run.code_is(0);
    let summary = &summaries(&run.stdout)[0];
    assert_eq!(summary["run"], "r");
    assert_eq!(summary["files"], 5);
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["count"], reference.count as u64);
    assert_close(
        number(&summary["sum"]),
        reference.sum,
        1e-12 * reference.sum.abs(),
        "sum",
    );
    assert_eq!(number(&summary["min"]), reference.min);
    assert_eq!(number(&summary["max"]), reference.max);
    assert_close(
        number(&summary["mean"]),
        reference.mean,
        1e-12 * reference.mean.abs(),
        "mean",
    );
    assert_close(
        number(&summary["variance"]),
        reference.variance,
        1e-10 * reference.variance.abs(),
        "variance",
    );
    assert_close(
        number(&summary["stddev"]),
        reference.variance.sqrt(),
        1e-10 * reference.variance.sqrt().abs(),
        "stddev",
    );
}

#[test]
fn quantiles_are_exact_while_the_files_are_readable() {
    let dir = temp_dir();
    let (records, all) = records_for(dir.path(), &uneven_files(), "r");
    let reference = Reference::of(&all);

    let run = dp_agg(dir.path(), &["--format", "json"], &records);
    run.code_is(0);
    let summary = &summaries(&run.stdout)[0];
    assert_eq!(summary["quantiles"], "exact");
    assert!(summary.get("rank_err").is_none(), "{summary}");
    assert_eq!(number(&summary["median"]), reference.median);
    assert_close(
        number(&summary["q1"]),
        reference.q1,
        1e-15 * reference.q1.abs(),
        "q1",
    );
    assert_close(
        number(&summary["q3"]),
        reference.q3,
        1e-15 * reference.q3.abs(),
        "q3",
    );

    let text = dp_agg(dir.path(), &[], &records).code_is(0).stdout.clone();
    let median_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("median"))
        .unwrap();
    assert!(median_line.ends_with("(exact)"), "{median_line}");
    assert!(!median_line.contains('≈'), "{median_line}");
}

#[test]
fn quantiles_come_from_the_digests_within_their_bound_once_the_files_are_gone() {
    let dir = temp_dir();
    let files = uneven_files();
    let (records, all) = records_for(dir.path(), &files, "r");
    let reference = Reference::of(&all);
    for (name, _) in &files {
        std::fs::remove_file(dir.path().join(name)).unwrap();
    }

    let run = dp_agg(dir.path(), &["--format", "json"], &records);
    run.code_is(0);
    assert_eq!(
        run.stderr, "",
        "a missing file is the normal case: no warning"
    );
    let summary = &summaries(&run.stdout)[0];
    assert_eq!(summary["quantiles"], "digest");
    let bound = number(&summary["rank_err"]);
    assert!(bound > 0.0 && bound < 0.02, "rank error bound {bound}");
    // Each estimate sits within the bound of the true quantile's rank.
    let n = reference.count as f64;
    for (field, p) in [("median", 0.5), ("q1", 0.25), ("q3", 0.75)] {
        let estimate = number(&summary[field]);
        let (low, high) = reference.rank_range(estimate);
        let target = p * (n - 1.0);
        let distance = if target < low as f64 {
            low as f64 - target
        } else if target > high as f64 {
            target - high as f64
        } else {
            0.0
        };
        assert!(
            distance <= bound * n + 1.0,
            "{field} ≈ {estimate} is {distance} ranks from rank {target}, bound {}",
            bound * n
        );
    }
    // Moments do not need the files.
    assert_close(
        number(&summary["mean"]),
        reference.mean,
        1e-12 * reference.mean.abs(),
        "mean",
    );

    let text = dp_agg(dir.path(), &[], &records).code_is(0).stdout.clone();
    let median_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("median"))
        .unwrap();
    assert!(median_line.contains("≈ "), "{median_line}");
    assert!(
        median_line.contains("(digest, rank error ≤ "),
        "{median_line}"
    );
}

#[test]
fn no_exact_uses_the_digests_even_with_the_files_present() {
    let dir = temp_dir();
    let (records, _) = records_for(dir.path(), &uneven_files(), "r");
    let run = dp_agg(dir.path(), &["--format", "json", "--no-exact"], &records);
    run.code_is(0);
    assert_eq!(summaries(&run.stdout)[0]["quantiles"], "digest");
}

#[test]
fn exact_limit_switches_to_the_digests_and_says_why() {
    let dir = temp_dir();
    let (records, all) = records_for(dir.path(), &uneven_files(), "r");
    let limit = (all.len() - 1).to_string();
    let run = dp_agg(
        dir.path(),
        &["--format", "json", "--exact-limit", &limit],
        &records,
    );
    run.code_is(0);
    assert_eq!(summaries(&run.stdout)[0]["quantiles"], "digest");
    let text = dp_agg(dir.path(), &["--exact-limit", &limit], &records);
    text.code_is(0);
    assert!(text.stdout.contains("--exact-limit"), "{}", text.stdout);
}

#[test]
fn exact_fails_when_a_file_is_gone_and_still_reports() {
    let dir = temp_dir();
    let (records, _) = records_for(dir.path(), &uneven_files(), "r");
    std::fs::remove_file(dir.path().join("small.txt")).unwrap();
    let run = dp_agg(dir.path(), &["--exact"], &records);
    run.code_is(1);
    assert!(run.stderr.contains("--exact"), "{}", run.stderr);
    assert!(run.stderr.contains("small.txt"), "{}", run.stderr);
    assert!(run.stdout.contains("(digest, rank error"), "{}", run.stdout);
}

#[test]
fn a_changed_file_is_noticed_and_the_digests_used() {
    let dir = temp_dir();
    let (records, _) = records_for(dir.path(), &uneven_files(), "r");
    // Same name, one value fewer than its record counted.
    common::write_data(dir.path(), "small.txt", &values(1, 499, 10.0, 4.0));
    let run = dp_agg(dir.path(), &["--format", "json"], &records);
    run.code_is(0);
    assert!(
        run.stderr
            .contains("small.txt: now holds 499 values, its record counted 500"),
        "{}",
        run.stderr
    );
    assert_eq!(summaries(&run.stdout)[0]["quantiles"], "digest");

    let run = dp_agg(dir.path(), &["--exact", "--format", "json"], &records);
    run.code_is(1);
    assert!(run.stderr.contains("small.txt"), "{}", run.stderr);

    // A file that no longer parses is named with its line.
    std::fs::write(dir.path().join("small.txt"), "1\n2\nabc\n").unwrap();
    let run = dp_agg(dir.path(), &["--format", "json"], &records);
    run.code_is(0);
    run.stderr_has("run r: small.txt:3: 'abc' is not a finite number; quantiles estimated");
}

#[test]
fn empty_files_only_give_null_statistics() {
    let dir = temp_dir();
    let files = vec![("a.txt", vec![]), ("b.txt", vec![])];
    let (records, _) = records_for(dir.path(), &files, "r");
    let run = dp_agg(dir.path(), &["--format", "json"], &records);
    run.code_is(0);
    let summary = &summaries(&run.stdout)[0];
    assert_eq!(summary["count"], 0);
    assert_eq!(summary["sum"], 0.0);
    for field in [
        "min", "max", "mean", "median", "q1", "q3", "variance", "stddev",
    ] {
        assert!(summary[field].is_null(), "{field} in {summary}");
    }
    assert_eq!(summary["quantiles"], "none");
}

#[test]
fn exact_reads_the_files_whatever_the_limit() {
    let dir = temp_dir();
    let (records, all) = records_for(dir.path(), &uneven_files(), "r");
    let reference = Reference::of(&all);
    let run = dp_agg(
        dir.path(),
        &["--format", "json", "--exact", "--exact-limit", "1"],
        &records,
    );
    run.code_is(0);
    let summary = &summaries(&run.stdout)[0];
    assert_eq!(summary["quantiles"], "exact");
    assert_eq!(number(&summary["median"]), reference.median);
}

#[test]
fn a_bad_digest_refuses_its_record_and_fails_its_file() {
    let dir = temp_dir();
    let files = uneven_files();
    let (records, _) = records_for(dir.path(), &files, "r");
    // The large file's digest claims one value too many.
    let records = records.replacen(
        "\"count\":20000,\"rank_err\"",
        "\"count\":20001,\"rank_err\"",
        1,
    );
    let run = dp_agg(dir.path(), &["--no-exact", "--format", "json"], &records);
    run.code_is(1);
    run.stderr_has(
        "dp-agg: <stdin>:3: large.txt: bad digest: it summarises 20001 values, \
         the record counted 20000; record skipped\n",
    );
    let summary = &summaries(&run.stdout)[0];
    assert_eq!(summary["files"], 4);
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["count"], 3 + 500 + 1);
    assert_eq!(summary["quantiles"], "digest");
}

/// The record of `values` as dp-stats writes it when their sum exceeds
/// f64's range: the sum null (and said so), the mean still given.
fn beyond_range(path: &str, values: &[f64], mean: f64, started_at: f64) -> String {
    let mut record = common::stats_of(path, Some("r"), values, common::at(started_at));
    assert!(record.sum.is_none(), "the sum of {values:?} overflows");
    record.mean = Some(mean);
    (record.variance, record.stddev) = (Some(0.0), Some(0.0));
    record.notes = vec!["sum: exceeds f64's range".into()];
    common::stats_line(record)
}

#[test]
fn a_sum_beyond_range_is_unknown_with_its_reason_and_the_mean_still_given() {
    let dir = temp_dir();
    let records = [
        beyond_range("big.txt", &[1e308, 1e308], 1e308, 0.0),
        common::stats_record("small.txt", Some("r"), &[1.0, 2.0, 3.0], common::at(1.0)),
    ]
    .concat();
    let run = dp_agg(dir.path(), &["--format", "json"], &records);
    run.code_is(0);
    assert_eq!(run.stderr, "");
    let summary = &summaries(&run.stdout)[0];
    assert_eq!(summary["count"], 5);
    assert!(summary["sum"].is_null(), "{summary}");
    // (2e308 + 6) / 5, the 6 lost to rounding.
    assert_close(number(&summary["mean"]), 4e307, 1e-15 * 4e307, "mean");
    // The variance (3e615) is beyond range, its root is not.
    assert!(summary["variance"].is_null(), "{summary}");
    let (deviation_big, deviation_small): (f64, f64) = (6.0, 4.0);
    let stddev = 1e307
        * ((2.0 * deviation_big * deviation_big + 3.0 * deviation_small * deviation_small) / 4.0)
            .sqrt();
    assert_close(number(&summary["stddev"]), stddev, 1e-12 * stddev, "stddev");
    assert_eq!(
        summary["notes"],
        serde_json::json!([
            "sum unknown: big.txt's sum exceeds f64's range",
            "variance unknown: it exceeds f64's range"
        ])
    );

    let text = dp_agg(dir.path(), &[], &records).code_is(0).stdout.clone();
    assert!(text.contains("\n  sum       unknown\n"), "{text}");
    assert!(text.contains("\n  variance  unknown\n"), "{text}");
    assert!(
        text.contains("\n  (sum unknown: big.txt's sum exceeds f64's range)\n"),
        "{text}"
    );
    let markdown = dp_agg(dir.path(), &["--format", "markdown"], &records);
    markdown.code_is(0);
    markdown.stdout_has("| sum | unknown |");
    markdown.stdout_has("\n- sum unknown: big.txt's sum exceeds f64's range\n");
}

#[test]
fn a_mean_that_rounded_means_cannot_give_is_unknown_too() {
    let dir = temp_dir();
    let records = [
        beyond_range("big.txt", &[1e308, 1e308], 1e308, 0.0),
        beyond_range("negative.txt", &[-1e308, -1e308], -1e308, 1.0),
    ]
    .concat();
    let run = dp_agg(dir.path(), &["--format", "json"], &records);
    run.code_is(0);
    let summary = &summaries(&run.stdout)[0];
    assert!(summary["mean"].is_null(), "{summary}");
    assert_eq!(
        summary["notes"][1],
        "mean unknown: big.txt's sum exceeds f64's range (and 1 more file's), \
         and from the files' rounded means it cannot be told exactly"
    );
}

#[test]
fn a_null_variance_makes_the_overall_one_unknown_not_zero() {
    let dir = temp_dir();
    let mut unknown = common::stats_of("b.txt", Some("r"), &[10.0, 20.0], common::at(1.0));
    (unknown.variance, unknown.stddev) = (None, None);
    let records = [
        common::stats_record("a.txt", Some("r"), &[1.0, 2.0, 3.0, 4.0], common::at(0.0)),
        common::stats_line(unknown),
    ]
    .concat();
    let run = dp_agg(dir.path(), &["--format", "json", "--no-exact"], &records);
    run.code_is(0);
    let summary = &summaries(&run.stdout)[0];
    assert!(summary["variance"].is_null(), "{summary}");
    assert!(summary["stddev"].is_null(), "{summary}");
    assert_eq!(summary["mean"], 40.0 / 6.0);
    assert_eq!(
        summary["notes"],
        serde_json::json!([
            "variance and stddev unknown: b.txt's record has neither variance nor stddev"
        ])
    );
}

/// `seq 1 1001` in `dir/name`, and its record (with its checksum or not).
fn seq_1001(dir: &std::path::Path, name: &str, with_checksum: bool) -> String {
    let values: Vec<f64> = (1..=1001).map(f64::from).collect();
    common::write_data(dir, name, &values);
    let mut record = common::stats_of(name, Some("r"), &values, common::at(0.0));
    if with_checksum {
        let text = std::fs::read(dir.join(name)).unwrap();
        record.checksum = Some(dp_core::checksum::of(&text));
    }
    common::stats_line(record)
}

/// Replaces the values 450 to 550 of `dir/name` with `by`: count, min and
/// max stay.
fn replace_the_middle(dir: &std::path::Path, name: &str, by: f64) {
    let values: Vec<f64> = (1..=1001)
        .map(|i| {
            if (450..=550).contains(&i) {
                by
            } else {
                f64::from(i)
            }
        })
        .collect();
    common::write_data(dir, name, &values);
}

#[test]
fn a_data_file_changed_in_place_is_not_read_as_exact() {
    let dir = temp_dir();
    let json = |records: &str| {
        let run = dp_agg(dir.path(), &["--format", "json"], records);
        run.code_is(0);
        (summaries(&run.stdout).remove(0), run.stderr.clone())
    };
    // Unchanged, with or without its checksum: exact.
    for with_checksum in [false, true] {
        let (summary, stderr) = json(&seq_1001(dir.path(), "d.txt", with_checksum));
        assert_eq!(summary["quantiles"], "exact", "{summary}");
        assert_eq!(stderr, "");
    }

    // The middle values replaced by 450: the sum tells.
    let record = seq_1001(dir.path(), "d.txt", false);
    replace_the_middle(dir.path(), "d.txt", 450.0);
    let (summary, stderr) = json(&record);
    assert_eq!(summary["quantiles"], "digest", "{summary}");
    assert_eq!(
        stderr,
        "dp-agg: run r: d.txt: its values changed since its record was made \
         (the sum differs); quantiles estimated from the digests\n"
    );

    // Replaced by 500, their mean: the sum is the same, the checksum tells.
    let record = seq_1001(dir.path(), "d.txt", true);
    replace_the_middle(dir.path(), "d.txt", 500.0);
    let (summary, stderr) = json(&record);
    assert_eq!(summary["quantiles"], "digest", "{summary}");
    assert_eq!(
        stderr,
        "dp-agg: run r: d.txt: its text changed since its record was made \
         (the checksum differs); quantiles estimated from the digests\n"
    );
    let text = dp_agg(dir.path(), &[], &record).code_is(0).stdout.clone();
    assert!(!text.contains("(exact)"), "{text}");
    assert!(text.contains("(the checksum differs)"), "{text}");
}

#[test]
fn a_data_file_grown_past_its_record_is_noticed_as_it_is_read() {
    let dir = temp_dir();
    let record = common::stats_record("d.txt", Some("r"), &[1.0, 2.0, 3.0], common::at(0.0));
    // 3 values recorded, 3 million there now.
    let text = "1\n2\n3\n".repeat(1_000_000);
    std::fs::write(dir.path().join("d.txt"), text).unwrap();
    let run = dp_agg(dir.path(), &["--format", "json"], &record);
    run.code_is(0);
    run.stderr_has("d.txt: now holds more values than its record counted (3)");
    assert_eq!(summaries(&run.stdout)[0]["quantiles"], "digest");
}

#[test]
fn a_record_of_a_fifo_is_not_read_again() {
    let dir = temp_dir();
    let ran = dp_testkit::shell("mkfifo fifo", dir.path());
    ran.success();
    let record = common::stats_record("fifo", Some("r"), &[1.0, 2.0, 3.0], common::at(0.0));
    // Opening the FIFO would wait for a writer for ever.
    let ran = dp_testkit::shell(
        &format!(
            "echo '{}' | timeout 10 dp-agg --format json",
            record.trim_end()
        ),
        dir.path(),
    );
    ran.success();
    assert_eq!(ran.stderr, "");
    assert_eq!(ran.records()[0]["quantiles"], "digest");
}
