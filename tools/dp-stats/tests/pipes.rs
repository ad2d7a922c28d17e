//! dp-stats in pipes: a reader that goes away is a quiet success, and every
//! record fits in one pipe write (PIPE_BUF) so parallel writers never tear.

mod common;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::fixture_str;
use dp_testkit::dp;

const PIPE_BUF: usize = 4096;

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    let good = fixture_str("one_to_ten.txt");
    // Far more records than a pipe holds, so dp-stats must meet the closed end.
    let args: Vec<&str> = std::iter::repeat_n(good.as_str(), 2000).collect();
    for (jobs, format) in [("1", "jsonl"), ("2", "jsonl"), ("2", "csv"), ("1", "table")] {
        let mut cmd = dp("dp-stats")
            .args(["-j", jobs, "--format", format])
            .args(&args);
        let mut child = cmd
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(
            first.starts_with(r#"{"type":"stats""#) || format != "jsonl",
            "{first}"
        );
        // The BufReader, and with it the read end of the pipe, is gone.
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "-j {jobs} {format}: {out:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "",
            "-j {jobs} {format}"
        );
    }
}

/// A directory path of about `length` bytes under `root`, created.
fn long_directory(root: &Path, length: usize) -> PathBuf {
    let mut dir = root.to_path_buf();
    let mut level = 0;
    while dir.as_os_str().len() + 201 < length {
        dir.push(format!("{level:0>200}"));
        level += 1;
    }
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Values with the longest JSON forms: 17 significant digits, big exponents.
fn extreme_values(count: u64) -> String {
    let mut text = String::from("-1.7976931348623157e308\n1.7976931348623157e308\n5e-324\n");
    for k in 0..count {
        let sign = if k % 2 == 0 { "-" } else { "" };
        let exponent = (k % 600) as i64 - 300;
        text.push_str(&format!(
            "{sign}1.{:016}e{exponent}\n",
            k * 7_919 % 10_000_000_000_000_000
        ));
    }
    text
}

#[test]
fn records_fit_one_pipe_write_even_with_long_paths_and_extreme_values() {
    let root = tempfile::tempdir().unwrap();
    let dir = long_directory(root.path(), 1500);
    let path = dir.join("extreme.txt");
    fs::write(&path, extreme_values(50_000)).unwrap();
    let path = path.to_string_lossy().into_owned();
    let ran = dp("dp-stats")
        .args([&path, &fixture_str("one_to_ten.txt")])
        .run();
    ran.success();
    // The values' variance is beyond f64's range: the one message.
    assert_eq!(
        ran.stderr,
        format!("dp-stats: {path}: variance: exceeds f64's range\n"),
        "{ran:?}"
    );
    for line in ran.stdout.lines() {
        assert!(
            line.len() < PIPE_BUF,
            "a record of {} bytes",
            line.len() + 1
        );
    }
    let record = &ran.records()[0];
    assert_eq!(record["path"], path);
    assert_eq!(record["count"], 50_003);
    assert_eq!(record["max"], 1.7976931348623157e308);
    assert_eq!(record["digest"]["count"], 50_003);
    assert!(
        record["digest"]["q"]
            .as_array()
            .is_some_and(|q| q.len() >= 2),
        "{record}"
    );
}

#[test]
fn a_record_that_cannot_fit_is_written_whole_with_a_warning() {
    let root = tempfile::tempdir().unwrap();
    let dir = long_directory(root.path(), 3900);
    let path = dir.join(format!("{:x<150}.txt", "long"));
    fs::write(&path, "1\n2\n3\n").unwrap();
    let path = path.to_string_lossy().into_owned();
    let ran = dp("dp-stats").arg(&path).run();
    ran.success().stderr_has("more than one pipe write");
    let record = ran.record();
    assert_eq!(record["count"], 3);
    assert!(ran.stdout.len() > PIPE_BUF);
}

/// dp-stats with its stdout a pipe whose read end is already closed, so
/// that its very first write meets the closed end (`| head -1` may or may
/// not have gone when dp-stats writes: this one always has).
fn into_a_closed_pipe(args: &[&str]) -> std::process::Output {
    let mut cmd = dp("dp-stats").args(args);
    let mut child = cmd
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn every_format_ends_quietly_on_a_closed_stdout() {
    let good = fixture_str("one_to_ten.txt");
    let bad = fixture_str("bad_token.txt");
    for format in ["jsonl", "csv", "table"] {
        let out = into_a_closed_pipe(&["--format", format, &good]);
        assert_eq!(out.status.code(), Some(0), "{format}: {out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{format}");
    }
    // A file that failed before the write met the closed end still fails
    // the run (CSV's header is written first: it stops before any file).
    for format in ["jsonl", "table"] {
        let out = into_a_closed_pipe(&["--format", format, &bad]);
        assert_eq!(out.status.code(), Some(1), "{format}: {out:?}");
    }
}

#[test]
fn a_file_list_of_zeros_stops_at_its_first_line_with_bounded_memory() {
    let Some(time) = ["/usr/bin/time"]
        .into_iter()
        .find(|t| Path::new(t).exists())
    else {
        dp_testkit::skip(
            "a_file_list_of_zeros_stops_at_its_first_line_with_bounded_memory",
            "no /usr/bin/time to measure the peak memory with",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // 1 GiB of zeros: without a cap on the line, several GB of memory.
    let ran = dp_testkit::shell(
        &format!(
            "head -c 1G /dev/zero | timeout 60 {time} -f '%M' -o rss dp-stats; \
             echo \"exit ${{PIPESTATUS[1]}}\""
        ),
        dir.path(),
    );
    assert!(ran.stdout.ends_with("exit 1\n"), "{ran:?}");
    let record = dp_testkit::records(ran.stdout.lines().next().unwrap())[0].clone();
    assert_eq!(record["type"], "error", "{record}");
    assert_eq!(record["path"], "-");
    assert_eq!(record["line"], 1);
    ran.stderr_has("dp-stats: -:1: a line longer than 4 MiB");
    // GNU time also writes "Command exited with non-zero status 1" there.
    let rss = fs::read_to_string(dir.path().join("rss")).unwrap();
    let rss_kib: u64 = rss.lines().last().unwrap().trim().parse().unwrap();
    assert!(rss_kib < 64 * 1024, "peak memory {rss_kib} KiB");
}

#[test]
fn a_nul_byte_in_the_file_list_stops_it_on_its_line() {
    let good = fixture_str("one_to_ten.txt");
    let ran = dp("dp-stats")
        .stdin(format!("{good}\n{good}\x00\n{good}\n"))
        .run();
    ran.code_is(1)
        .stderr_has("dp-stats: -:2: a NUL byte: binary data, not text");
    let records = ran.records();
    assert_eq!(records.len(), 2, "the list stops at line 2: {}", ran.stdout);
    assert_eq!(
        (&records[0]["type"], &records[1]["type"]),
        (&"stats".into(), &"error".into())
    );
    assert_eq!(records[1]["line"], 2);
}
