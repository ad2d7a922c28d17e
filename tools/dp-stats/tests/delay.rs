//! `--delay`: the artificial time is spent inside each file's timing, by
//! sleeping or by keeping a core busy.

mod common;

use std::process::Command;

use common::{BIN, fixture_str, run};

#[test]
fn a_delay_lengthens_every_file_and_is_recorded() {
    let good = fixture_str("one_to_ten.txt");
    let ran = run(&["--delay", "200ms", &good, &good]);
    assert_eq!(ran.code, 0, "{ran:?}");
    let records = ran.records();
    assert_eq!(records.len(), 2);
    for record in &records {
        assert_eq!(record["delay_s"], 0.2, "{record}");
        let elapsed = record["elapsed_s"].as_f64().unwrap();
        assert!(
            (0.2..2.0).contains(&elapsed),
            "elapsed {elapsed} in {record}"
        );
    }
    // One job: the second file starts after the first ends.
    let first_end = records[0]["finished_at"].as_f64().unwrap();
    let second_start = records[1]["started_at"].as_f64().unwrap();
    assert!(second_start >= first_end, "{records:?}");
}

#[test]
fn parallel_jobs_overlap_their_delays() {
    let good = fixture_str("one_to_ten.txt");
    let ran = run(&["-j", "2", "--delay", "300ms", &good, &good]);
    assert_eq!(ran.code, 0, "{ran:?}");
    let records = ran.records();
    let start = |i: usize| records[i]["started_at"].as_f64().unwrap();
    let end = |i: usize| records[i]["finished_at"].as_f64().unwrap();
    assert!(
        start(1) < end(0) && start(0) < end(1),
        "no overlap: {records:?}"
    );
}

/// User CPU seconds of one dp-stats run, measured by bash's `time`.
fn user_cpu_seconds(mode: &str) -> f64 {
    let out = Command::new("bash")
        .args([
            "-c",
            r#"TIMEFORMAT=%U; time "$0" --delay 600ms --delay-mode "$1" "$2" > /dev/null 2> /dev/null"#,
            BIN,
            mode,
            &fixture_str("one_to_ten.txt"),
        ])
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stderr);
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a time from bash: {text:?}"))
}

#[test]
fn spin_burns_cpu_for_the_delay_and_sleep_does_not() {
    let spin = user_cpu_seconds("spin");
    let sleep = user_cpu_seconds("sleep");
    // On a busy shared machine (two cores, other builds) the spinning thread
    // may get only part of a core; a quarter still tells spinning from
    // sleeping, which uses next to nothing.
    assert!(spin >= 0.15, "spin used {spin} s of CPU for a 0.6 s delay");
    assert!(
        sleep < 0.06,
        "sleep used {sleep} s of CPU for a 0.6 s delay"
    );
}

#[test]
fn a_file_that_fails_is_not_delayed() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir
        .path()
        .join("missing.txt")
        .to_string_lossy()
        .into_owned();
    let started = std::time::Instant::now();
    let ran = run(&["--delay", "5s", &missing]);
    assert_eq!(ran.code, 1, "{ran:?}");
    assert!(
        started.elapsed().as_secs_f64() < 4.0,
        "{:?}",
        started.elapsed()
    );
}
