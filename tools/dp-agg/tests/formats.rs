//! The report's faces on fixed records (tests/data/runs.jsonl): text and
//! Markdown against committed expected files, JSON and CSV by their shape.

mod common;

use std::path::Path;

use common::{data_dir, dp_agg};
use dp_testkit::Ran;

/// Compares `got` with the expected file, printing the lines that differ
/// side by side. `DP_BLESS=1` rewrites the file instead.
fn assert_matches_expected(got: &str, expected_file: &str) {
    let path = data_dir().join(expected_file);
    if std::env::var_os("DP_BLESS").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    if got == expected {
        return;
    }
    let (want, have): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    let mut report = format!(
        "{} differs from the report (line: expected | got):\n",
        path.display()
    );
    for i in 0..want.len().max(have.len()) {
        let (a, b) = (want.get(i).copied(), have.get(i).copied());
        if a != b {
            report += &format!(
                "{:>4}: {:<60} | {}\n",
                i + 1,
                a.unwrap_or("<none>"),
                b.unwrap_or("<none>")
            );
        }
    }
    if expected.ends_with('\n') != got.ends_with('\n') {
        report += "(the final line end differs)\n";
    }
    panic!("{report}\n--- got in full:\n{got}");
}

fn in_data(args: &[&str]) -> Ran {
    let run = dp_agg(&data_dir(), args, "");
    run.code_is(0);
    run
}

#[test]
fn text_report_matches_the_expected_file() {
    let run = in_data(&["runs.jsonl"]);
    assert_eq!(run.stderr, "");
    assert_matches_expected(&run.stdout, "runs.expected.txt");
}

#[test]
fn text_report_from_the_digests_matches_the_expected_file() {
    let run = in_data(&["--no-exact", "--files-limit", "2", "runs.jsonl"]);
    assert_matches_expected(&run.stdout, "runs.no-exact.expected.txt");
}

#[test]
fn markdown_report_matches_the_expected_file() {
    let run = in_data(&["--format", "markdown", "runs.jsonl"]);
    assert_matches_expected(&run.stdout, "runs.expected.md");
}

#[test]
fn json_is_one_summary_per_run_then_the_comparison() {
    let run = in_data(&["--format", "json", "runs.jsonl"]);
    let records = run.records();
    let types: Vec<&str> = records
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["summary", "summary", "comparison"]);
    for (summary, run) in records.iter().zip(["sequential", "parallel"]) {
        assert_eq!(summary["run"], run);
        assert_eq!(summary["files"], 3);
        assert_eq!(summary["failed"], 0);
        assert_eq!(summary["count"], 274);
        assert_eq!(summary["quantiles"], "exact");
        for field in [
            "sum",
            "min",
            "max",
            "mean",
            "median",
            "q1",
            "q3",
            "variance",
            "stddev",
            "wall_s",
            "mean_elapsed_s",
            "sum_elapsed_s",
            "started_at",
            "finished_at",
        ] {
            assert!(summary[field].is_f64(), "{field} in {summary}");
        }
    }
    let comparison = &records[2];
    assert_eq!(comparison["baseline"], "sequential");
    assert_eq!(comparison["identical"], true);
    let runs = comparison["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["speedup"], 1.0);
    let wall = |i: usize| runs[i]["wall_s"].as_f64().unwrap();
    let speedup = runs[1]["speedup"].as_f64().unwrap();
    assert!((speedup - wall(0) / wall(1)).abs() < 1e-12, "{comparison}");
    let saved = runs[1]["saved_pct"].as_f64().unwrap();
    assert!((saved - (1.0 - wall(1) / wall(0)) * 100.0).abs() < 1e-9);

    // From the digests, the bound is given.
    let digest = in_data(&["--format", "json", "--no-exact", "runs.jsonl"]);
    let summary = &digest.records()[0];
    assert_eq!(summary["quantiles"], "digest");
    assert!(summary["rank_err"].as_f64().unwrap() > 0.0, "{summary}");
}

#[test]
fn csv_is_the_per_file_table_of_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let records = std::fs::read_to_string(data_dir().join("runs.jsonl")).unwrap();
    let failed = common::error_record(
        "bad, \"quoted\".txt",
        Some("parallel"),
        "bad.txt:3: 'x' is not a finite number",
    );
    let run = dp_agg(
        dir.path(),
        &["--format", "csv", "--no-exact"],
        &(records + &failed),
    );
    run.code_is(1);
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(&header[..3], ["run", "path", "count"]);
    // Issue 10's columns come after the seed's, which end with `error`.
    assert_eq!(
        &header[16..],
        ["error", "cpu_s", "max_rss_kib", "workers", "repeat"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 7);
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    // Natural order of paths within each run, full precision.
    let paths: Vec<&str> = rows.iter().map(|r| &r[column("path")]).collect();
    assert_eq!(
        paths,
        [
            "large1.txt",
            "small1.txt",
            "small2.txt",
            "large1.txt",
            "small1.txt",
            "small2.txt",
            "bad, \"quoted\".txt"
        ]
    );
    assert_eq!(&rows[1][column("mean")], "27.270833333333332");
    assert_eq!(&rows[6][column("run")], "parallel");
    assert_eq!(&rows[6][column("count")], "");
    assert_eq!(
        &rows[6][column("error")],
        "bad.txt:3: 'x' is not a finite number"
    );
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.md");
    let run = dp_agg(
        &data_dir(),
        &[
            "--format",
            "markdown",
            "-o",
            out.to_str().unwrap(),
            "runs.jsonl",
        ],
        "",
    );
    run.code_is(0);
    assert_eq!(run.stdout, "");
    let expected = std::fs::read_to_string(data_dir().join("runs.expected.md")).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file left beside it");
    assert!(Path::new(&out).exists());
}

#[test]
fn names_with_control_characters_break_no_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = Some("r\u{1b}[31m");
    let data = common::values(1, 20, 5.0, 2.0);
    let mut backwards = common::stats_of("late\nfile.txt", run, &data, common::at(5.0));
    backwards.finished_at = 1.0;
    let records = [
        common::stats_record("two\nlines.txt", run, &data, common::at(0.0)),
        common::error_record("bad\rname.txt", run, "gone"),
        common::stats_line(backwards),
    ]
    .concat();
    let source = "records\nof today.jsonl";
    std::fs::write(dir.path().join(source), &records).unwrap();
    std::fs::write(dir.path().join("next.jsonl"), "not json\n").unwrap();
    let no_control = |text: &str, what: &str| {
        assert!(
            !text.contains(['\u{1b}', '\r']),
            "{what} holds a control character:\n{text}"
        );
    };
    for format in ["text", "markdown"] {
        let ran = dp_agg(
            dir.path(),
            &["--no-exact", "--format", format, source, "next.jsonl"],
            "",
        );
        ran.code_is(1);
        no_control(&ran.stdout, format);
        no_control(&ran.stderr, "stderr");
        // Every diagnostic is one line of its own.
        for line in ran.stderr.lines() {
            assert!(line.starts_with("dp-agg: "), "{line:?} in\n{}", ran.stderr);
        }
        ran.stderr_has(
            "dp-agg: records\\nof today.jsonl:3: late\\nfile.txt: finished_at 1 is before started_at 5; record skipped\n",
        );
        ran.stderr_has("dp-agg: run r\\u{1b}[31m: 2 of 3 files failed\n");
        assert!(!ran.stdout.contains("\nlines.txt"), "{}", ran.stdout);
        if format == "text" {
            ran.stdout_has("Run: r\\u{1b}[31m\n");
            ran.stdout_has("\n  two\\nlines.txt ");
            ran.stdout_has("\n  bad\\rname.txt: gone\n");
        } else {
            ran.stdout_has("## Run: r\\\\u{1b}\\[31m\n");
            ran.stdout_has("\n| two\\\\nlines.txt |");
            // Every line of a table is a row.
            for line in ran.stdout.lines() {
                assert!(
                    !line.contains(" | ") || line.starts_with('|'),
                    "{line:?} in\n{}",
                    ran.stdout
                );
            }
        }
    }
}
