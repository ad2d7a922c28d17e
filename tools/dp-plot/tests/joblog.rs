//! dp-plot on GNU parallel's `--joblog` files.

mod common;

use common::*;

fn joblog() -> String {
    data("gnu-parallel.joblog").display().to_string()
}

#[test]
fn a_joblog_renders_as_a_timeline_named_after_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gnu.svg");
    let ran = dp_plot(&[
        "--kind",
        "timeline",
        "--joblog",
        &joblog(),
        "-o",
        out.to_str().unwrap(),
    ])
    .run();
    ran.success();
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    assert!(texts.contains(&"gnu-parallel".to_owned()), "{texts:?}");
    // Jobs 1–3 then 4–7 on three slots; job 6 exited 1. Last end: 103.461 + 3.017.
    assert!(
        texts.contains(&"7 files · 6.07 s · up to 3 at once".to_owned()),
        "{texts:?}"
    );
    for i in 1..=7 {
        assert!(
            texts.contains(&format!("data{i}.txt")),
            "data{i}.txt in {texts:?}"
        );
    }
    assert!(
        texts.contains(&"failed (non-zero exit)".to_owned()),
        "{texts:?}"
    );

    let out = dir.path().join("gnu.png");
    let ran = dp_plot(&[
        "--kind",
        "timeline",
        "--joblog",
        &joblog(),
        "--color-by",
        "pid",
        "-o",
        out.to_str().unwrap(),
    ])
    .run();
    ran.success();
    assert_eq!(png_size(&std::fs::read(&out).unwrap()), (1000, 600));
}

#[test]
fn joblogs_and_stats_records_compare_under_names_given_by_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.svg");
    let ran = dp_plot(&[
        "-o",
        out.to_str().unwrap(),
        "--joblog",
        &joblog(),
        "--run",
        "gnu",
        data("runs.jsonl").to_str().unwrap(),
    ])
    .run();
    ran.success();
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    assert!(
        texts.contains(&"dp: sequential vs parallel vs gnu".to_owned()),
        "{texts:?}"
    );
    assert!(texts.contains(&"7 files".to_owned()), "{texts:?}");
    // 15.018 s / 6.066 s
    assert!(texts.contains(&"2.48×".to_owned()), "{texts:?}");
}

#[test]
fn a_bad_joblog_line_is_named_and_the_rest_still_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("broken.joblog");
    let mut text = std::fs::read_to_string(data("gnu-parallel.joblog")).unwrap();
    text.push_str("8\t:\tlater\t     3.000\t0\t0\t0\t0\tdp-stats data8.txt\n");
    text.push_str("9\t:\t1700000106.5\n");
    std::fs::write(&log, text).unwrap();
    let out = dir.path().join("t.svg");
    let ran = dp_plot(&[
        "--kind",
        "timeline",
        "--joblog",
        log.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
    .run();
    let log = log.display();
    ran.code_is(1)
        .stderr_has(&format!(
            "dp-plot: {log}:9: Starttime 'later' is not a number"
        ))
        .stderr_has(&format!(
            "dp-plot: {log}:10: expected 9 tab-separated columns"
        ));
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    assert!(
        texts.contains(&"broken".to_owned()),
        "the good jobs are drawn: {texts:?}"
    );
    assert!(texts.contains(&"data7.txt".to_owned()), "{texts:?}");
}

#[test]
fn a_file_that_is_not_a_joblog_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.png");
    let not_a_log = data("runs.jsonl");
    let ran = dp_plot(&[
        "--joblog",
        not_a_log.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ])
    .run();
    ran.code_is(1)
        .stderr_has(&format!(
            "{}:1: not a GNU parallel joblog",
            not_a_log.display()
        ))
        .stderr_has("nothing to plot");
    assert!(!out.exists());
}

#[test]
fn more_run_names_than_joblogs_is_a_usage_error() {
    let ran = dp_plot(&["--run", "a", "-o", "x.png"]).run();
    ran.code_is(2).stderr_has("--run names the runs of joblogs");
}

#[test]
fn two_runs_with_one_name_are_refused() {
    let ran = dp_plot(&["--joblog", &joblog(), "--joblog", &joblog(), "-o", "x.png"]).run();
    ran.code_is(2)
        .stderr_has("two runs are named 'gnu-parallel'");
}
