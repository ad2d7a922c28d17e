//! Where the report goes: a stdout closed early (`| head -1`) or closed
//! before the start (`>&-`), `-o -`, and `-o` targets that cannot be
//! written or are not regular files.

mod common;

use common::{at, dp_agg, stats_record, temp_dir, values};
use dp_testkit::shell;

/// Records of `runs` runs over the same two files: every face of their
/// report is far larger than a pipe's buffer (a summary per run in JSON).
fn many_runs(runs: usize) -> String {
    let data = [values(1, 20, 5.0, 2.0), values(2, 20, 7.0, 2.0)];
    (0..runs)
        .flat_map(|run| {
            let label = format!("run{run}");
            data.iter()
                .enumerate()
                .map(|(i, values)| {
                    let path = format!("data{}.txt", i + 1);
                    stats_record(&path, Some(&label), values, at(run as f64))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_format_ends_quietly_on_a_closed_pipe() {
    let dir = temp_dir();
    std::fs::write(dir.path().join("in.jsonl"), many_runs(1500)).unwrap();
    for format in ["text", "markdown", "json", "csv"] {
        let command = format!("dp-agg --no-exact --files-limit all --format {format} in.jsonl");
        // The whole report is large, so dp-agg is still writing when head leaves.
        let size = shell(&format!("{command} | wc -c"), dir.path());
        size.success();
        let bytes: usize = size.stdout.trim().parse().unwrap();
        assert!(bytes > 4 << 16, "{format}: {bytes} bytes");
        let ran = shell(
            &format!("{command} | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}"),
            dir.path(),
        );
        assert_eq!(ran.stdout, "0\n", "{format}: {}", ran.stderr);
        assert_eq!(ran.stderr, "", "{format}");
    }
}

#[test]
fn dash_is_stdout() {
    let dir = temp_dir();
    let record = stats_record("data1.txt", Some("r"), &values(1, 20, 5.0, 2.0), at(0.0));
    let run = dp_agg(dir.path(), &["--no-exact", "-o", "-"], &record);
    run.code_is(0);
    assert!(run.stdout.starts_with("Run: r\n"), "{}", run.stdout);
    assert_eq!(dp_testkit::names_in(dir.path()), Vec::<String>::new());
    // `-o -` records nothing in a manifest: there is no file.
    let manifest = dp_agg(
        dir.path(),
        &["--no-exact", "-o", "-", "--manifest", "m.jsonl"],
        &record,
    );
    manifest.code_is(2);
    manifest.stderr_has("--manifest records files dp writes; -o - is not one");
    assert_eq!(manifest.stdout, "");
}

#[test]
fn a_closed_stdout_is_an_error_not_a_lost_report() {
    let dir = temp_dir();
    let record = stats_record("data1.txt", Some("r"), &values(1, 20, 5.0, 2.0), at(0.0));
    std::fs::write(dir.path().join("in.jsonl"), record).unwrap();
    for output in ["", "-o -"] {
        let ran = shell(
            &format!("dp-agg --no-exact {output} in.jsonl >&-; echo \"exit $?\" >&2"),
            dir.path(),
        );
        assert_eq!(
            ran.stderr,
            "dp-agg: stdout is closed: the report would be lost (give -o FILE)\nexit 1\n",
            "{output}"
        );
    }
    // Thrown away on purpose is not closed.
    let ran = shell(
        "dp-agg --no-exact in.jsonl >/dev/null; echo \"exit $?\" >&2",
        dir.path(),
    );
    assert_eq!(ran.stderr, "exit 0\n");
    // With -o FILE stdout is not needed.
    let ran = shell(
        "dp-agg --no-exact -o report.txt in.jsonl >&-; echo \"exit $?\" >&2",
        dir.path(),
    );
    assert_eq!(ran.stderr, "exit 0\n");
    assert!(dir.path().join("report.txt").is_file());
}

#[test]
fn an_output_that_cannot_be_written_is_named() {
    let dir = temp_dir();
    let record = stats_record("data1.txt", Some("r"), &values(1, 20, 5.0, 2.0), at(0.0));
    std::fs::write(dir.path().join("a-file"), "").unwrap();
    // With an anonymous temporary file and with a named one alike.
    for named in [false, true] {
        let mut command = dp_testkit::dp("dp-agg")
            .args(["--no-exact", "-o", "a-file/report.txt"])
            .current_dir(dir.path())
            .stdin(record.clone());
        if named {
            command = command.env(dp_core::atomic::NO_TMPFILE_ENV, "1");
        }
        let run = command.run();
        run.code_is(1);
        assert_eq!(
            run.stderr,
            "dp-agg: cannot write a-file/report.txt: Not a directory (os error 20)\n"
        );
    }
}

#[test]
fn an_output_that_is_not_a_regular_file_is_written_to_not_replaced() {
    let dir = temp_dir();
    let record = stats_record("data1.txt", Some("r"), &values(1, 20, 5.0, 2.0), at(0.0));
    std::fs::write(dir.path().join("in.jsonl"), record).unwrap();
    let ran = shell(
        "mkfifo pipe; timeout 10 cat pipe > got.txt & \
         dp-agg --no-exact -o pipe in.jsonl; echo \"exit $?\"; wait; \
         test -p pipe && echo 'still a FIFO'",
        dir.path(),
    );
    assert_eq!(ran.stdout, "exit 0\nstill a FIFO\n", "{}", ran.stderr);
    let got = std::fs::read_to_string(dir.path().join("got.txt")).unwrap();
    assert!(got.starts_with("Run: r\n"), "{got}");
}
