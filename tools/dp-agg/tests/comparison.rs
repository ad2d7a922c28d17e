//! The comparison of runs: timing from the records' timestamps, speedups
//! against the baseline, and the check that every run computed the same.

mod common;

use common::{Timing, dp_agg, stats_record, temp_dir, values};

/// Records of `files` data sets for one run, started at `starts` and taking `elapsed`.
fn run_records(run: &str, data: &[Vec<f64>], starts: &[f64], elapsed: &[f64]) -> String {
    data.iter()
        .enumerate()
        .map(|(i, values)| {
            let timing = Timing {
                started_at: starts[i],
                elapsed_s: elapsed[i],
            };
            stats_record(&format!("data{}.txt", i + 1), Some(run), values, timing)
        })
        .collect()
}

fn data_sets() -> Vec<Vec<f64>> {
    (1..=3).map(|seed| values(seed, 100, 50.0, 20.0)).collect()
}

/// The lines of the final comparison block.
fn final_block(text: &str) -> Vec<&str> {
    let start = text
        .find("=== Performance Comparison ===")
        .unwrap_or_else(|| panic!("no comparison block in\n{text}"));
    text[start..].lines().collect()
}

fn field<'a>(block: &'a [&str], after: &str, prefix: &str) -> &'a str {
    let at = block.iter().position(|l| *l == after).unwrap();
    block[at..]
        .iter()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix} after {after}"))
}

#[test]
fn the_comparison_block_is_recomputed_from_the_timestamps() {
    let dir = temp_dir();
    let data = data_sets();
    let t0 = 1_700_000_000.0;
    // Sequential: one file after another. Parallel: overlapping, started out of order.
    let sequential = run_records(
        "sequential",
        &data,
        &[t0, t0 + 3.25, t0 + 6.5],
        &[3.25, 3.25, 3.0],
    );
    let parallel = run_records(
        "parallel",
        &data,
        &[t0 + 20.1, t0 + 20.0, t0 + 20.2],
        &[3.5, 3.0, 3.2],
    );
    // Parallel first: the baseline is still the run named sequential.
    let input = format!("{parallel}{sequential}");
    let run = dp_agg(dir.path(), &["--no-exact"], &input);
    run.code_is(0);
    let block = final_block(&run.stdout);

    let seq_total = (t0 + 6.5 + 3.0) - t0;
    let par_total = (t0 + 20.1 + 3.5) - (t0 + 20.0);
    let seq_avg = (3.25 + 3.25 + 3.0) / 3.0;
    let par_avg = (3.5 + 3.0 + 3.2) / 3.0;
    let speedup = seq_total / par_total;
    let saved = (1.0 - par_total / seq_total) * 100.0;
    let expected = vec![
        "=== Performance Comparison ===".to_owned(),
        String::new(),
        "Sequential Execution:".to_owned(),
        format!("- Total time: {seq_total:.2} seconds"),
        "- Processed 3 files".to_owned(),
        format!("- Average time per file: {seq_avg:.2} seconds"),
        String::new(),
        "Parallel Execution:".to_owned(),
        format!("- Total time: {par_total:.2} seconds"),
        "- Processed 3 files".to_owned(),
        format!("- Average time per file: {par_avg:.2} seconds"),
        String::new(),
        format!(
            "Speed Improvement: {speedup:.2}x faster with parallel execution ({saved:.0}% less time)"
        ),
    ];
    assert_eq!(block, expected, "\n{}", run.stdout);
    assert_eq!(
        field(&block, "Parallel Execution:", "- Total time: "),
        "3.60 seconds"
    );

    // "Results identical" comes right above the block.
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == "=== Performance Comparison ===")
        .unwrap();
    assert_eq!(lines[at - 2], "Results identical across runs: yes");
    assert!(run.stdout.ends_with("less time)\n"));
}

#[test]
fn every_run_gets_a_section_and_a_speed_line_baseline_first() {
    let dir = temp_dir();
    let data = data_sets();
    let mut input = String::new();
    input += &run_records("xargs", &data, &[10.0, 10.0, 10.0], &[2.0, 2.0, 2.0]);
    input += &run_records("sequential", &data, &[0.0, 2.0, 4.0], &[2.0, 2.0, 2.0]);
    input += &run_records("threads", &data, &[20.0, 20.0, 22.0], &[2.0, 2.0, 2.0]);
    let run = dp_agg(dir.path(), &["--no-exact"], &input);
    run.code_is(0);
    let block = final_block(&run.stdout);
    let sections: Vec<&str> = block
        .iter()
        .copied()
        .filter(|l| l.ends_with(" Execution:"))
        .collect();
    assert_eq!(
        sections,
        [
            "Sequential Execution:",
            "Xargs Execution:",
            "Threads Execution:"
        ]
    );
    let speeds: Vec<&str> = block
        .iter()
        .copied()
        .filter(|l| l.starts_with("Speed Improvement"))
        .collect();
    assert_eq!(
        speeds,
        [
            "Speed Improvement: 3.00x faster with xargs execution (67% less time)",
            "Speed Improvement: 1.50x faster with threads execution (33% less time)",
        ]
    );

    // --baseline picks another run.
    let run = dp_agg(dir.path(), &["--no-exact", "--baseline", "threads"], &input);
    run.code_is(0);
    let block = final_block(&run.stdout);
    assert_eq!(block[2], "Threads Execution:");
    assert!(
        block.contains(
            &"Speed Improvement: 0.67x (1.50x slower) with sequential execution (50% more time)"
        ),
        "{block:#?}"
    );
    let run = dp_agg(dir.path(), &["--baseline", "nope"], &input);
    run.code_is(2);
    assert!(run.stderr.contains("--baseline nope"), "{}", run.stderr);
}

#[test]
fn a_zero_total_time_gives_no_ratio() {
    let dir = temp_dir();
    let data = data_sets();
    let mut input = run_records("sequential", &data, &[0.0, 1.0, 2.0], &[1.0, 1.0, 1.0]);
    input += &run_records("parallel", &data, &[5.0, 5.0, 5.0], &[0.0, 0.0, 0.0]);
    let run = dp_agg(dir.path(), &["--no-exact"], &input);
    run.code_is(0);
    let block = final_block(&run.stdout);
    assert!(block.contains(&"- Total time: 0.00 seconds"), "{block:#?}");
    let speed = block.last().unwrap();
    assert!(
        speed.starts_with("Speed Improvement: n/a with parallel execution"),
        "{speed}"
    );

    let json = dp_agg(dir.path(), &["--no-exact", "--format", "json"], &input);
    json.code_is(0);
    let comparison = json.records().pop().unwrap();
    assert_eq!(comparison["type"], "comparison");
    assert!(comparison["runs"][1]["speedup"].is_null(), "{comparison}");
}

#[test]
fn a_run_with_other_results_is_named_and_fails() {
    let dir = temp_dir();
    let data = data_sets();
    let mut changed = data.clone();
    changed[1][7] += 0.5;
    let mut input = run_records("sequential", &data, &[0.0, 1.0, 2.0], &[1.0, 1.0, 1.0]);
    input += &run_records("parallel", &changed, &[5.0, 5.0, 5.0], &[1.0, 1.0, 1.0]);
    let run = dp_agg(dir.path(), &["--no-exact"], &input);
    run.code_is(1);
    assert!(run.stderr.contains("differ"), "{}", run.stderr);
    let text = &run.stdout;
    assert!(text.contains("Results identical across runs: no"), "{text}");
    let sum_line = text
        .lines()
        .find(|l| l.contains("data2.txt: sum is"))
        .unwrap_or_else(|| panic!("no difference line for data2.txt's sum in\n{text}"));
    assert!(sum_line.contains("in run parallel"), "{sum_line}");
    assert!(sum_line.contains("in run sequential"), "{sum_line}");
    assert!(!text.contains("data1.txt: sum"), "{text}");
    // The comparison block still ends the report.
    assert!(text.trim_end().ends_with("less time)"), "{text}");

    let json = dp_agg(dir.path(), &["--no-exact", "--format", "json"], &input);
    json.code_is(1);
    let comparison = json.records().pop().unwrap();
    assert_eq!(comparison["identical"], false);
    let fields: Vec<&str> = comparison["differences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == "data2.txt")
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"sum") && fields.contains(&"mean"),
        "{fields:?}"
    );
    assert!(
        comparison["differences"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["run"] == "parallel")
    );
}

#[test]
fn different_sets_of_files_are_named() {
    let dir = temp_dir();
    let data = data_sets();
    let mut input = run_records("sequential", &data, &[0.0, 1.0, 2.0], &[1.0, 1.0, 1.0]);
    input += &run_records("parallel", &data[..2], &[5.0, 5.0], &[1.0, 1.0]);
    input += &stats_record(
        "other.txt",
        Some("parallel"),
        &data[2],
        Timing {
            started_at: 5.0,
            elapsed_s: 1.0,
        },
    );
    let run = dp_agg(dir.path(), &["--no-exact"], &input);
    run.code_is(1);
    assert!(
        run.stdout.contains("data3.txt: not in run parallel"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("other.txt: in run parallel, not in run sequential"),
        "{}",
        run.stdout
    );
}

#[test]
fn one_run_has_no_comparison() {
    let dir = temp_dir();
    let input = run_records(
        "sequential",
        &data_sets(),
        &[0.0, 1.0, 2.0],
        &[1.0, 1.0, 1.0],
    );
    let run = dp_agg(dir.path(), &["--no-exact"], &input);
    run.code_is(0);
    assert!(
        !run.stdout.contains("Performance Comparison"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("identical"), "{}", run.stdout);
    let total = run
        .stdout
        .lines()
        .find(|l| l.contains("total time"))
        .unwrap();
    assert!(total.contains("3.00 s"), "{total}");
}
