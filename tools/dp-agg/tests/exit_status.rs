//! dp-agg's exit status says what happened whatever becomes of its
//! diagnostics: with stderr full (`2>/dev/full`) or closed (`2>&-`) a bad
//! line still exits 1, a warning 0, a usage error 2. A full stdout fails
//! the report, saying so.

mod common;

use common::{Timing, stats_record, temp_dir, values};
use dp_testkit::shell;

/// A stats record of one file, run `r`.
fn one_record() -> String {
    stats_record(
        "data1.txt",
        Some("r"),
        &values(1, 50, 5.0, 2.0),
        Timing {
            started_at: 0.0,
            elapsed_s: 1.0,
        },
    )
}

#[test]
fn exit_codes_stay_right_when_stderr_is_full_or_closed() {
    let dir = temp_dir();
    let record = one_record();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("bad-line.jsonl", &format!("{record}not json\n"));
    write("twice.jsonl", &format!("{record}{record}"));
    write("empty.jsonl", "");

    for stderr in ["2>/dev/full", "2>&-"] {
        // One dp-agg per line, each followed by its exit code.
        let script = [
            "dp-agg --no-exact bad-line.jsonl",
            "dp-agg --no-exact twice.jsonl",
            "dp-agg --format xml twice.jsonl",
            "dp-agg empty.jsonl",
        ]
        .map(|command| format!("{command} >/dev/null {stderr}; echo $?\n"))
        .concat();
        let ran = shell(&script, dir.path());
        ran.success();
        assert_eq!(
            ran.stdout, "1\n0\n2\n1\n",
            "exit codes with {stderr}:\n{script}"
        );
    }
}

#[test]
fn a_full_stdout_fails_the_report_and_says_where() {
    let dir = temp_dir();
    let record = one_record();
    std::fs::write(dir.path().join("runs.jsonl"), record).unwrap();
    for format in ["text", "html"] {
        let command = format!("dp-agg --no-exact --format {format} runs.jsonl > /dev/full");
        let ran = shell(&command, dir.path());
        ran.code_is(1);
        ran.stderr_has("dp-agg: cannot write the report to stdout: No space left on device");
    }
}
