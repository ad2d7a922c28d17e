//! `--max-memory`: values that do not fit are read again (files) or
//! spilled (stdin), and the record is the one of a run without a limit but
//! for `passes`, through the real binary.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Written, without_timing};
use dp_testkit::{dp, names_in};
use serde_json::Value;

/// The record without timing, and its `passes` apart.
fn split_passes(record: &Value) -> (Written, u64) {
    let mut record = without_timing(record);
    let passes = record["passes"].as_u64().expect("passes is a number");
    record.as_object_mut().unwrap().remove("passes");
    (record, passes)
}

fn stats(args: &[&str]) -> (Written, u64) {
    let ran = dp("dp-stats").args(args).run();
    ran.success();
    split_passes(&ran.record())
}

/// A million values of a few shapes: ties, a long tail, negatives.
fn million() -> String {
    let mut text = String::with_capacity(12 << 20);
    let mut x: u64 = 12345;
    for i in 0..1_000_000_u64 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let value = match i % 4 {
            0 => format!("{:.6}", (x >> 11) as f64 / (1u64 << 53) as f64),
            1 => format!("{}", (x >> 60) as i64 - 8),
            2 => format!(
                "{:e}",
                ((x >> 11) as f64 / (1u64 << 53) as f64).powi(8) * 1e9
            ),
            _ => format!("-{:.3}", (x >> 40) as f64 / 1e3),
        };
        text.push_str(&value);
        text.push('\n');
    }
    text
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn a_million_values_in_one_mebibyte_give_the_unlimited_record() {
    let dir = tempfile::tempdir().unwrap();
    let text = million();
    let path = write(dir.path(), "million.txt", &text);
    let percentiles = ["--percentiles", "0.1,50,99.99"];
    let (unlimited, passes) = stats(&[&path, percentiles[0], percentiles[1]]);
    assert_eq!(passes, 1);
    assert_eq!(unlimited["count"], 1_000_000);
    for jobs in ["1", "2"] {
        let (limited, passes) = stats(&[
            "-j",
            jobs,
            "--max-memory",
            "1M",
            &path,
            percentiles[0],
            percentiles[1],
        ]);
        assert_eq!(limited, unlimited, "-j {jobs}");
        assert!(passes >= 2, "{passes} passes");
    }

    // On stdin: the spill goes to TMPDIR and is gone afterwards.
    let tmp = tempfile::tempdir().unwrap();
    let ran = dp("dp-stats")
        .args(["--max-memory", "1M", "-", percentiles[0], percentiles[1]])
        .env("TMPDIR", tmp.path())
        .stdin(text)
        .run();
    ran.success();
    let (mut from_stdin, passes) = split_passes(&ran.record());
    assert!(passes >= 2, "{passes} passes");
    from_stdin["path"] = unlimited["path"].clone();
    assert_eq!(from_stdin, unlimited);
    assert_eq!(names_in(tmp.path()), Vec::<String>::new());
}

#[test]
fn ties_equal_values_and_signed_zeros_stay_exact() {
    let dir = tempfile::tempdir().unwrap();
    let few: String = (0..20_000)
        .map(|i| format!("{}\n", [3, -1, 7][i % 3]))
        .collect();
    let mostly_one: String = (0..20_000)
        .map(|i| if i % 1000 == 7 { "2.5\n" } else { "1\n" })
        .collect();
    let zeros: String = (0..20_000)
        .map(|i| if i % 3 == 0 { "-0\n" } else { "0.0\n" })
        .collect();
    // Past 65,536 values the in-memory path counts a histogram, whose
    // bucket crowded with zeros must still put −0 before 0.
    let crowded_zeros: String = (0..200_000)
        .map(|i: usize| {
            ["-0\n", "0\n", "0.0\n", "-0.0\n", "1\n", "-1\n"][((i * 2_654_435_761) >> 7) % 6]
        })
        .collect();
    let equal = "4.25\n".repeat(20_000);
    for (name, text) in [
        ("few", few),
        ("mostly_one", mostly_one),
        ("zeros", zeros),
        ("crowded_zeros", crowded_zeros),
        ("equal", equal),
    ] {
        let path = write(dir.path(), name, &text);
        let (unlimited, _) = stats(&[&path, "--percentiles", "33.3,66.7"]);
        let (limited, passes) = stats(&["--max-memory", "1K", &path, "--percentiles", "33.3,66.7"]);
        assert_eq!(limited, unlimited, "{name}");
        assert!(passes >= 2, "{name}: {passes} passes");
    }
}

#[test]
fn bad_tokens_past_the_limit_are_refused_or_counted_as_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut text: String = (0..20_000).map(|i| format!("{i}\n")).collect();
    text.push_str("1\nnan\n2\n");
    let path = write(dir.path(), "bad.txt", &text);
    let ran = dp("dp-stats").args(["--max-memory", "1K", &path]).run();
    ran.code_is(1)
        .stderr_has(&format!("{path}:20002: 'nan' is not a finite number"));
    let (unlimited, _) = stats(&["--skip-invalid", &path]);
    let (limited, passes) = stats(&["--skip-invalid", "--max-memory", "1K", &path]);
    assert_eq!(limited, unlimited);
    assert_eq!(limited["invalid"], 1);
    assert!(passes >= 2);

    // On stdin, the spill of a failed read is removed too.
    let tmp = tempfile::tempdir().unwrap();
    let ran = dp("dp-stats")
        .args(["--max-memory", "1K", "-"])
        .env("TMPDIR", tmp.path())
        .stdin(text)
        .run();
    ran.code_is(1)
        .stderr_has("-:20002: 'nan' is not a finite number");
    assert_eq!(names_in(tmp.path()), Vec::<String>::new());
}

#[test]
fn a_spill_has_no_name_and_leaves_nothing_when_interrupted_or_killed() {
    // O_TMPFILE, then a named file removed at once where it is refused.
    for (signal, named) in [("INT", false), ("KILL", false), ("KILL", true)] {
        let tmp = tempfile::tempdir().unwrap();
        let mut command = Command::new(dp_testkit::bin("dp-stats"));
        command
            .args(["--max-memory", "1K", "-"])
            .env("TMPDIR", tmp.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if named {
            command.env(dp_core::atomic::NO_TMPFILE_ENV, "1");
        }
        let mut child = command.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // More than a block of values, so that the spill begins.
        let values: String = (0..400_000).map(|i| format!("{i}\n")).collect();
        stdin.write_all(values.as_bytes()).unwrap();
        stdin.flush().unwrap();
        let started = Instant::now();
        while open_files_in(child.id(), tmp.path()) == 0 {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no spill appeared"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        // Open, written to, and no name in TMPDIR even now.
        assert_eq!(names_in(tmp.path()), Vec::<String>::new(), "{signal}");
        send(signal, child.id());
        let status = child.wait().unwrap();
        drop(stdin);
        assert!(!status.success());
        assert_eq!(names_in(tmp.path()), Vec::<String>::new(), "{signal}");
    }
}

#[test]
fn a_spill_that_cannot_be_written_says_where() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("gone");
    let values: String = (0..20_000).map(|i| format!("{i}\n")).collect();
    let ran = dp("dp-stats")
        .args(["--max-memory", "1K", "-"])
        .env("TMPDIR", &missing)
        .stdin(values)
        .run();
    ran.code_is(1).stderr_has(&format!(
        "-: cannot spill its values to {}: No such file or directory",
        missing.display()
    ));
}

/// How many files in `dir` process `pid` has open (named or not).
fn open_files_in(pid: u32, dir: &Path) -> usize {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return 0;
    };
    fds.filter_map(|fd| fs::read_link(fd.ok()?.path()).ok())
        .filter(|target| target.starts_with(dir))
        .count()
}

/// SIGNAL (`INT`, as Ctrl-C sends it, or `KILL`) to `pid`.
fn send(signal: &str, pid: u32) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}
