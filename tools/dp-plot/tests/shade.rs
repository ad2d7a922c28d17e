//! `--kind timeline --shade cpu`: each bar paled by the share of its job's
//! time that was not on a CPU (cpu_s / elapsed_s), checked on the binary.

mod common;

use common::*;

/// One run, `sequential`, of two files: one all waiting (cpu_s 0), one
/// without cpu_s.
fn records() -> String {
    let waiting = stats_line(
        "sequential",
        "/d/a.txt",
        1_700_000_000.0,
        1_700_000_002.0,
        1,
    );
    assert!(waiting.contains("\"cpu_s\":null"), "{waiting}");
    let waiting = waiting.replace("\"cpu_s\":null", "\"cpu_s\":0.0");
    let unknown = stats_line(
        "sequential",
        "/d/b.txt",
        1_700_000_002.0,
        1_700_000_004.0,
        1,
    );
    waiting + &unknown
}

fn timeline(dir: &std::path::Path, name: &str, extra: &[&str]) -> String {
    let out = dir.join(name);
    let mut args = vec!["--kind", "timeline", "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let ran = dp_plot(&args).stdin(records().as_bytes()).run();
    ran.success();
    assert_eq!(ran.stderr, "");
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn a_waiting_job_is_pale_and_the_default_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let plain = timeline(dir.path(), "plain.svg", &[]);
    assert_eq!(
        plain,
        timeline(dir.path(), "none.svg", &["--shade", "none"])
    );
    let shaded = timeline(dir.path(), "cpu.svg", &["--shade", "cpu"]);
    // #4E79A7 at a fifth towards white: the job that only waited.
    assert!(!plain.contains("#DCE4ED"));
    assert!(shaded.contains("fill=\"#DCE4ED\""), "{shaded:.2000}");
    // The job whose record does not say keeps its full colour.
    assert!(shaded.contains("fill=\"#4E79A7\""));
    assert!(
        svg_texts(&shaded)
            .iter()
            .any(|t| t == "pale: waiting, full: on a CPU")
    );
    assert!(!svg_texts(&plain).iter().any(|t| t.starts_with("pale")));
}
