//! One big file on every core: `-j N` parses a file's blocks on N threads
//! and the record is the same for every N and every block size, through
//! the real binary (block boundaries moved with the `DP_BLOCK_SIZE` test
//! knob).

mod common;

use std::fs;
use std::path::Path;

use common::{Written, without_timing};
use dp_testkit::dp;

const JOBS: [&str; 4] = ["1", "2", "3", "8"];
/// Block sizes that put boundaries everywhere (and the default, 1 MiB).
const BLOCKS: [&str; 4] = ["37", "64", "1000", "1048576"];

/// A text with every shape a block boundary can cut: CRLF, several values
/// a line, blank lines, a line far longer than a block (values separated
/// by blanks), no newline at the end.
fn awkward_text() -> String {
    let mut text = String::new();
    for i in 0..3000_u64 {
        match i % 5 {
            0 => text.push_str(&format!("{}.{:03}\r\n", i, i * 7 % 1000)),
            1 => text.push_str(&format!("-{i} {} {}e-2\n", i * 3, i)),
            2 => text.push_str("\n\r\n  \n"),
            3 => text.push_str(&format!("\t{}\n", i as f64 / 7.0)),
            _ => text.push_str(&format!("{i}\n")),
        }
    }
    let long_line: Vec<String> = (0..400).map(|k| format!("{}.5", k * 11)).collect();
    text.push_str(&long_line.join(" "));
    text.push('\n');
    text.push_str("42 -0 0 7");
    text
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn records(args: &[&str], jobs: &str, block: &str, code: i32) -> Vec<Written> {
    let ran = dp("dp-stats")
        .args(["-j", jobs])
        .args(args)
        .env("DP_BLOCK_SIZE", block)
        .run();
    ran.code_is(code);
    ran.records().iter().map(without_timing).collect()
}

#[test]
fn every_number_of_threads_and_block_size_gives_the_same_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "big.txt", &awkward_text());
    let args = [path.as_str(), "--percentiles", "1,90,99.9"];
    let expected = records(&args, "1", "1048576", 0);
    assert_eq!(expected[0]["count"], 3000 / 5 * 6 + 400 + 4);
    for block in BLOCKS {
        for jobs in JOBS {
            assert_eq!(
                records(&args, jobs, block, 0),
                expected,
                "-j {jobs}, blocks of {block} bytes"
            );
        }
    }
}

/// Values enough for several spans of the statistics' passes (2^16 values
/// each, summed apart and possibly on other threads), in several blocks.
fn spans_text() -> String {
    let mut x: u64 = 7;
    (0..300_000)
        .map(|i| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            match i % 3 {
                0 => format!("{:.6}\n", (x >> 11) as f64 / (1u64 << 53) as f64 * 1e3),
                1 => format!("{}\n", (x >> 61) as i64 - 3),
                _ => format!("{:e}\n", (x >> 20) as f64 * 1e-9),
            }
        })
        .collect()
}

#[test]
fn statistics_over_many_spans_are_the_same_on_every_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "spans.txt", &spans_text());
    let small = write(dir.path(), "small.txt", "1\n2.5\n-3\n");
    // Alone, and among other files, which keep threads busy meanwhile.
    let args = [path.as_str(), "--percentiles", "0.5,99"];
    let expected = records(&args, "1", "1048576", 0);
    assert_eq!(expected[0]["count"], 300_000);
    let mixed = [&small, &path, &small, &path, "--percentiles", "0.5,99"];
    let expected_mixed = records(&mixed, "1", "1048576", 0);
    assert_eq!(expected_mixed[1], expected[0]);
    for jobs in JOBS {
        assert_eq!(
            records(&mixed, jobs, "1048576", 0),
            expected_mixed,
            "-j {jobs}, mixed"
        );
    }
    for block in ["100000", "1048576"] {
        for jobs in JOBS {
            assert_eq!(
                records(&args, jobs, block, 0),
                expected,
                "-j {jobs}, blocks of {block} bytes"
            );
        }
    }
}

#[test]
fn a_bad_token_in_a_later_block_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = awkward_text();
    text.push_str("\n1\n\n2 oops 3\r\n4\n");
    let lines = text.matches('\n').count() - 1;
    let path = write(dir.path(), "bad.txt", &text);
    for block in BLOCKS {
        for jobs in JOBS {
            let ran = dp("dp-stats")
                .args(["-j", jobs, &path])
                .env("DP_BLOCK_SIZE", block)
                .run();
            ran.code_is(1)
                .stderr_has(&format!("{path}:{lines}: 'oops' is not a finite number"));
            assert_eq!(ran.record()["line"], lines, "-j {jobs}, blocks of {block}");
        }
        // Skipped and counted instead, the same for every N.
        let args = [path.as_str(), "--skip-invalid"];
        let expected = records(&args, "1", block, 0);
        assert_eq!(expected[0]["invalid"], 1);
        for jobs in JOBS {
            assert_eq!(records(&args, jobs, block, 0), expected, "-j {jobs}");
        }
    }
}

#[test]
fn many_files_and_a_big_one_share_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for i in 0..6 {
        paths.push(write(
            dir.path(),
            &format!("small{i}.txt"),
            &format!("{i}\n{}\n", i * 2),
        ));
    }
    paths.insert(2, write(dir.path(), "big.txt", &awkward_text()));
    paths.push(write(
        dir.path(),
        "big2.txt",
        &awkward_text().replace('7', "8"),
    ));
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let expected = records(&args, "1", "64", 0);
    assert_eq!(expected.len(), paths.len());
    for jobs in JOBS {
        assert_eq!(records(&args, jobs, "64", 0), expected, "-j {jobs}");
    }
}

#[test]
fn the_checksum_is_that_of_the_whole_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = awkward_text();
    let path = write(dir.path(), "big.txt", &text);
    let one_block = records(&[&path], "1", "1048576", 0);
    for jobs in ["1", "3"] {
        assert_eq!(
            records(&[&path], jobs, "37", 0)[0]["checksum"],
            one_block[0]["checksum"]
        );
    }
    // And the text on stdin, read in blocks too, gives the same record
    // but for its path.
    let ran = dp("dp-stats")
        .args(["-j", "2", "-"])
        .stdin(text)
        .env("DP_BLOCK_SIZE", "64")
        .run();
    ran.success();
    let mut from_stdin = without_timing(&ran.record());
    from_stdin["path"] = one_block[0]["path"].clone();
    assert_eq!(from_stdin, one_block[0]);
}
