//! What dp-agg does with its input: runs in order of appearance, failed
//! files, malformed lines, files recorded twice, sources that are missing.

mod common;

use common::{
    Timing, at, dp_agg, error_record, stats_line, stats_of, stats_record, summaries, temp_dir,
    values,
};
use dp_testkit::shell;

fn record(path: &str, run: Option<&str>, seed: u64, started_at: f64) -> String {
    let timing = Timing {
        started_at,
        elapsed_s: 1.0,
    };
    stats_record(path, run, &values(seed, 50, 5.0, 2.0), timing)
}

#[test]
fn error_records_are_reported_and_exit_1() {
    let dir = temp_dir();
    let input = [
        record("data1.txt", Some("seq"), 1, 0.0),
        error_record(
            "data2.txt",
            Some("seq"),
            "data2.txt:17: 'abc' is not a finite number",
        ),
        record("data3.txt", Some("seq"), 3, 1.0),
    ]
    .concat();
    let run = dp_agg(dir.path(), &["--no-exact"], &input);
    run.code_is(1);
    assert!(
        run.stderr.contains("run seq: 1 of 3 files failed"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("Failed files (1):"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("  data2.txt:17: 'abc' is not a finite number\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("processed          2 files, 1 failed"),
        "{}",
        run.stdout
    );

    let json = dp_agg(dir.path(), &["--no-exact", "--format", "json"], &input);
    json.code_is(1);
    let summary = &summaries(&json.stdout)[0];
    assert_eq!(summary["files"], 2);
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["errors"][0]["path"], "data2.txt");
    assert_eq!(summary["count"], 100);
}

#[test]
fn a_malformed_line_is_named_skipped_and_the_report_still_complete() {
    let dir = temp_dir();
    let input = [
        record("data1.txt", Some("sequential"), 1, 0.0),
        "{\"type\":\"stats\",\"path\":\"broken\n".to_owned(),
        record("data2.txt", Some("sequential"), 2, 1.0),
        "\n".to_owned(),
        "not json at all\n".to_owned(),
        record("data1.txt", Some("parallel"), 1, 5.0),
        record("data2.txt", Some("parallel"), 2, 5.0),
    ]
    .concat();
    std::fs::write(dir.path().join("records.jsonl"), &input).unwrap();
    let run = dp_agg(dir.path(), &["--no-exact", "records.jsonl"], "");
    run.code_is(1);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert!(
        lines[0].starts_with("dp-agg: records.jsonl:2: "),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("dp-agg: records.jsonl:5: not JSON"),
        "{}",
        lines[1]
    );
    // Both runs complete, the comparison block at the end.
    assert!(
        run.stdout.contains("Results identical across runs: yes"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Speed Improvement: "), "{}", run.stdout);

    // The same from stdin names it.
    let run = dp_agg(dir.path(), &["--no-exact"], &input);
    run.code_is(1);
    assert!(
        run.stderr.starts_with("dp-agg: <stdin>:2: "),
        "{}",
        run.stderr
    );
}

#[test]
fn runs_are_grouped_in_order_of_first_appearance_and_other_records_ignored() {
    let dir = temp_dir();
    let input = [
        "{\"type\":\"file\",\"path\":\"data1.txt\",\"index\":1,\"count\":50,\"seed\":1,\"dist\":\"u\",\"bytes\":9}\n".to_owned(),
        record("data1.txt", None, 1, 0.0),
        record("data1.txt", Some("b"), 1, 0.0),
        "{\"type\":\"future-kind\",\"x\":1}\n".to_owned(),
        record("data1.txt", Some("a"), 1, 0.0),
        record("data2.txt", None, 2, 0.0),
        record("data2.txt", Some("a"), 2, 0.0),
        record("data2.txt", Some("b"), 2, 0.0),
    ]
    .concat();
    let run = dp_agg(dir.path(), &["--no-exact", "--format", "json"], &input);
    run.code_is(0);
    let runs: Vec<serde_json::Value> = summaries(&run.stdout)
        .iter()
        .map(|s| s["run"].clone())
        .collect();
    assert_eq!(runs, [serde_json::Value::Null, "b".into(), "a".into()]);
    assert_eq!(summaries(&run.stdout)[0]["files"], 2);

    let text = dp_agg(dir.path(), &["--no-exact"], &input)
        .code_is(0)
        .stdout
        .clone();
    assert!(text.starts_with("Run: (no run)\n"), "{text}");
    assert!(text.contains("\n(no run) Execution:\n"), "{text}");
}

#[test]
fn a_file_recorded_twice_counts_once_with_its_later_record() {
    let dir = temp_dir();
    let input = [
        error_record(
            "data1.txt",
            Some("r"),
            "data1.txt: No such file or directory",
        ),
        record("data2.txt", Some("r"), 2, 0.0),
        record("data1.txt", Some("r"), 1, 1.0),
    ]
    .concat();
    std::fs::write(dir.path().join("in.jsonl"), &input).unwrap();
    let run = dp_agg(
        dir.path(),
        &["--no-exact", "--format", "json", "in.jsonl"],
        "",
    );
    run.code_is(0);
    assert!(
        run.stderr
            .contains("in.jsonl:3: data1.txt recorded again in run r (first at in.jsonl:1); using the later record"),
        "{}",
        run.stderr
    );
    let summary = &summaries(&run.stdout)[0];
    assert_eq!(summary["files"], 2);
    assert_eq!(summary["failed"], 0);
    assert_eq!(summary["count"], 100);
}

#[test]
fn sources_are_read_in_order_and_a_missing_one_is_reported() {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("a.jsonl"),
        record("data1.txt", Some("sequential"), 1, 0.0),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.jsonl"),
        record("data1.txt", Some("parallel"), 1, 0.0),
    )
    .unwrap();
    let run = dp_agg(
        dir.path(),
        &[
            "--no-exact",
            "--format",
            "json",
            "a.jsonl",
            "gone.jsonl",
            "-",
            "b.jsonl",
        ],
        &record("data1.txt", Some("stdin"), 1, 0.0),
    );
    run.code_is(1);
    assert!(
        run.stderr.starts_with("dp-agg: gone.jsonl: "),
        "{}",
        run.stderr
    );
    let runs: Vec<serde_json::Value> = summaries(&run.stdout)
        .iter()
        .map(|s| s["run"].clone())
        .collect();
    assert_eq!(runs, ["sequential", "stdin", "parallel"]);
}

#[test]
fn no_records_at_all_is_an_error() {
    let dir = temp_dir();
    let run = dp_agg(dir.path(), &[], "");
    run.code_is(1);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("no stats or error records"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = temp_dir();
    dp_agg(dir.path(), &["--format", "xml"], "").code_is(2);
    dp_agg(dir.path(), &["--exact", "--no-exact"], "").code_is(2);
    dp_agg(dir.path(), &["--files-limit", "many"], "").code_is(2);
}

#[test]
fn help_shows_examples_and_version_answers() {
    let dir = temp_dir();
    let help = dp_agg(dir.path(), &["--help"], "")
        .code_is(0)
        .stdout
        .clone();
    assert!(help.contains("Examples:"), "{help}");
    assert!(help.contains("--files-limit"), "{help}");
    let version = dp_agg(dir.path(), &["--version"], "")
        .code_is(0)
        .stdout
        .clone();
    assert!(version.starts_with("dp-agg "), "{version}");
}

#[test]
fn a_data_file_given_by_mistake_is_named_briefly() {
    let dir = temp_dir();
    let numbers: String = (1..=50).map(|i| format!("{i}.5\n")).collect();
    std::fs::write(dir.path().join("data1.txt"), numbers).unwrap();
    let run = dp_agg(dir.path(), &["data1.txt"], "");
    run.code_is(1);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 12, "{}", run.stderr);
    assert!(
        lines[0].starts_with("dp-agg: data1.txt:1: not a valid record"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[10],
        "dp-agg: data1.txt: 40 more lines skipped (50 in all)"
    );
    assert!(
        lines[11].contains("no stats or error records"),
        "{}",
        lines[11]
    );
}

#[test]
fn a_run_whose_files_all_failed_has_no_times() {
    let dir = temp_dir();
    let mut input = [
        record("data1.txt", Some("sequential"), 1, 0.0),
        record("data2.txt", Some("sequential"), 2, 1.0),
    ]
    .concat();
    input += &error_record(
        "data1.txt",
        Some("parallel"),
        "data1.txt: Permission denied",
    );
    input += &error_record(
        "data2.txt",
        Some("parallel"),
        "data2.txt: Permission denied",
    );
    let run = dp_agg(dir.path(), &["--no-exact"], &input);
    run.code_is(1);
    let text = &run.stdout;
    assert!(text.contains("Parallel Execution:\n- Total time: n/a\n- Processed 0 files (2 failed)\n- Average time per file: n/a\n"), "{text}");
    assert!(
        text.ends_with(
            "Speed Improvement: n/a with parallel execution (a total time is zero or unknown)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("data1.txt: failed in run parallel: data1.txt: Permission denied"),
        "{text}"
    );
}

#[test]
fn a_record_that_ends_before_it_starts_is_named_and_fails_its_file() {
    let dir = temp_dir();
    let backwards = Timing {
        started_at: 100.0,
        elapsed_s: -2.5,
    };
    let input = [
        record("data1.txt", Some("r"), 1, 0.0),
        stats_record("data2.txt", Some("r"), &values(2, 50, 5.0, 2.0), backwards),
        record("data3.txt", Some("r"), 3, 1.0),
    ]
    .concat();
    std::fs::write(dir.path().join("in.jsonl"), &input).unwrap();
    let run = dp_agg(
        dir.path(),
        &["--no-exact", "--format", "json", "in.jsonl"],
        "",
    );
    run.code_is(1);
    assert_eq!(
        run.stderr,
        "dp-agg: in.jsonl:2: data2.txt: finished_at 97.5 is before started_at 100; record skipped\n\
         dp-agg: run r: 1 of 3 files failed\n"
    );
    let summary = &summaries(&run.stdout)[0];
    assert_eq!(summary["files"], 2);
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["skipped_lines"], 0);
    assert_eq!(summary["errors"][0]["path"], "data2.txt");
    assert_eq!(summary["count"], 100);
    // The span is that of the two records used: 0 to 2.
    assert_eq!(summary["wall_s"], 2.0);
}

#[test]
fn impossible_records_fail_their_files_and_lines_that_are_not_records_are_counted() {
    let dir = temp_dir();
    let good = || stats_of("good.txt", Some("r"), &values(1, 50, 5.0, 2.0), at(0.0));
    let impossible = |path: &str, change: fn(&mut dp_core::record::StatsRecord)| {
        let mut record = good();
        record.path = path.to_owned();
        change(&mut record);
        stats_line(record)
    };
    let input = [
        stats_line(good()),
        impossible("negative.txt", |r| {
            (r.variance, r.stddev) = (Some(-4.0), Some(2.0))
        }),
        impossible("upside-down.txt", |r| (r.min, r.max) = (r.max, r.min)),
        impossible("outside.txt", |r| *r.digest.q.last_mut().unwrap() += 100.0),
        // Valid JSON, a stats record of a known run, but not a valid one.
        "{\"type\":\"stats\",\"path\":\"partial.txt\",\"run\":\"r\",\"count\":3}\n".to_owned(),
        "not json\n".to_owned(),
        "[1, 2]\n".to_owned(),
    ]
    .concat();
    std::fs::write(dir.path().join("in.jsonl"), &input).unwrap();
    let run = dp_agg(dir.path(), &["--no-exact", "in.jsonl"], "");
    run.code_is(1);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines[..3],
        [
            "dp-agg: in.jsonl:2: negative.txt: variance -4 is negative; record skipped",
            "dp-agg: in.jsonl:3: upside-down.txt: min 5.995496 is above max 4.087497; record skipped",
            "dp-agg: in.jsonl:4: outside.txt: digest points [4.087497, 105.995496] reach outside \
             [min, max] = [4.087497, 5.995496]; record skipped",
        ],
        "{}",
        run.stderr
    );
    assert!(
        lines[3].starts_with("dp-agg: in.jsonl:5: partial.txt: not a valid record: missing field"),
        "{}",
        lines[3]
    );
    assert!(lines[3].ends_with("; record skipped"), "{}", lines[3]);
    assert!(
        lines[4].starts_with("dp-agg: in.jsonl:6: not JSON"),
        "{}",
        lines[4]
    );
    assert!(
        lines[5].starts_with("dp-agg: in.jsonl:7: not a valid record"),
        "{}",
        lines[5]
    );
    assert_eq!(lines[6], "dp-agg: run r: 4 of 5 files failed");
    assert_eq!(lines.len(), 7, "{}", run.stderr);
    // The report counts all of them.
    let text = &run.stdout;
    assert!(
        text.starts_with("Input: 2 lines skipped (not records); see the messages on stderr\n"),
        "{text}"
    );
    assert!(text.contains("\nFailed files (4):\n  negative.txt: record refused at in.jsonl:2: variance -4 is negative\n"), "{text}");
    assert!(
        text.contains("processed          1 file, 4 failed"),
        "{text}"
    );
    assert!(!text.contains("NaN"), "{text}");

    let json = dp_agg(
        dir.path(),
        &["--no-exact", "--format", "json", "in.jsonl"],
        "",
    );
    json.code_is(1);
    let summary = &summaries(&json.stdout)[0];
    assert_eq!(summary["files"], 1);
    assert_eq!(summary["failed"], 4);
    assert_eq!(summary["skipped_lines"], 2);
    assert_eq!(summary["unread_sources"], 0);
    assert_eq!(summary["count"], 50);
    assert_eq!(summary["errors"][1]["path"], "upside-down.txt");

    let markdown = dp_agg(
        dir.path(),
        &["--no-exact", "--format", "markdown", "in.jsonl"],
        "",
    );
    markdown.code_is(1);
    markdown.stdout_has("**Input:** 2 lines skipped (not records); see the messages on stderr.\n");
}

#[test]
fn sources_not_read_are_counted_in_the_report() {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("a.jsonl"),
        record("data1.txt", Some("r"), 1, 0.0),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("a-directory")).unwrap();
    let run = dp_agg(
        dir.path(),
        &[
            "--no-exact",
            "--format",
            "json",
            "a.jsonl",
            "gone.jsonl",
            "a-directory",
        ],
        "",
    );
    run.code_is(1);
    run.stderr_has("dp-agg: gone.jsonl: No such file or directory");
    run.stderr_has("dp-agg: a-directory: Is a directory");
    let summary = &summaries(&run.stdout)[0];
    assert_eq!(summary["unread_sources"], 2);
    assert_eq!(summary["skipped_lines"], 0);
}

#[test]
fn dev_zero_ends_quickly_with_a_named_error_and_little_memory() {
    let dir = temp_dir();
    // 256 MiB of address space is plenty for a capped line; the debug
    // binary starting takes a fraction of it.
    let ran = shell(
        "ulimit -v 262144; timeout 20 dp-agg /dev/zero; echo \"exit $?\"",
        dir.path(),
    );
    assert_eq!(ran.stdout, "exit 1\n", "{}", ran.stderr);
    assert!(
        ran.stderr
            .starts_with("dp-agg: /dev/zero:1: a line longer than 4 MiB"),
        "{}",
        ran.stderr
    );
}

#[test]
fn lines_past_the_first_batches_keep_their_numbers_and_order() {
    // dp-agg parses batches of 256 lines on several threads: diagnostics,
    // duplicates and a binary line still come in order with their numbers.
    let dir = temp_dir();
    let mut lines: Vec<String> = (1..=600)
        .map(|i| record(&format!("data{i}.txt"), Some("r"), i, i as f64))
        .collect();
    lines[299] = "not json at all\n".to_owned();
    lines[519] = record("data2.txt", Some("r"), 2, 520.0);
    let mut input = lines.concat().into_bytes();
    input.extend_from_slice(b"binary \0 line\n");
    input.extend_from_slice(record("data601.txt", Some("r"), 601, 601.0).as_bytes());
    std::fs::write(dir.path().join("in.jsonl"), &input).unwrap();
    let run = dp_agg(
        dir.path(),
        &["--no-exact", "--format", "json", "in.jsonl"],
        "",
    );
    run.code_is(1);
    let said: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(said.len(), 3, "{}", run.stderr);
    assert!(
        said[0].starts_with("dp-agg: in.jsonl:300: not JSON"),
        "{}",
        said[0]
    );
    assert!(
        said[1].contains("in.jsonl:520: data2.txt recorded again in run r (first at in.jsonl:2)"),
        "{}",
        said[1]
    );
    assert!(
        said[2].starts_with("dp-agg: in.jsonl:601: a NUL byte"),
        "{}",
        said[2]
    );
    let summary = &summaries(&run.stdout)[0];
    // 600 lines less the one not JSON and the one recorded again; nothing
    // after the binary line is read.
    assert_eq!(summary["files"], 598);
}
