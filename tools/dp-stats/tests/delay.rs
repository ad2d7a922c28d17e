//! `--delay`: the artificial time is spent inside each file's timing, by
//! sleeping or by keeping a core busy.
//!
//! These tests measure time: they live in this test binary alone and each
//! holds the machine, so no sibling test shares the cores while they run.

mod common;

use common::fixture_str;
use dp_testkit::{dp, machine, number, shell};

#[test]
fn a_delay_lengthens_every_file_and_is_recorded() {
    let _machine = machine();
    let good = fixture_str("one_to_ten.txt");
    let ran = dp("dp-stats")
        .args(["--delay", "200ms", &good, &good])
        .run();
    ran.success();
    let records = ran.records();
    assert_eq!(records.len(), 2);
    for record in &records {
        assert_eq!(record["delay_s"], 0.2, "{record}");
        let elapsed = number(&record["elapsed_s"]);
        assert!(
            (0.2..2.0).contains(&elapsed),
            "elapsed {elapsed} in {record}"
        );
    }
    // One job: the second file starts after the first ends.
    let first_end = number(&records[0]["finished_at"]);
    let second_start = number(&records[1]["started_at"]);
    assert!(second_start >= first_end, "{records:?}");
}

#[test]
fn parallel_jobs_overlap_their_delays() {
    let _machine = machine();
    let good = fixture_str("one_to_ten.txt");
    let ran = dp("dp-stats")
        .args(["-j", "2", "--delay", "300ms", &good, &good])
        .run();
    ran.success();
    let records = ran.records();
    let start = |i: usize| number(&records[i]["started_at"]);
    let end = |i: usize| number(&records[i]["finished_at"]);
    assert!(
        start(1) < end(0) && start(0) < end(1),
        "no overlap: {records:?}"
    );
}

/// User CPU seconds of one dp-stats run, measured by bash's `time`.
fn user_cpu_seconds(mode: &str) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "TIMEFORMAT=%U; time dp-stats --delay 600ms --delay-mode {mode} '{}' > /dev/null 2> /dev/null",
        fixture_str("one_to_ten.txt")
    );
    let ran = shell(&script, dir.path());
    ran.success();
    ran.stderr
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a time from bash: {:?}", ran.stderr))
}

#[test]
fn spin_burns_cpu_for_the_delay_and_sleep_does_not() {
    let _machine = machine();
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
    let _machine = machine();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir
        .path()
        .join("missing.txt")
        .to_string_lossy()
        .into_owned();
    let started = std::time::Instant::now();
    dp("dp-stats")
        .args(["--delay", "5s", &missing])
        .run()
        .code_is(1);
    assert!(
        started.elapsed().as_secs_f64() < 4.0,
        "{:?}",
        started.elapsed()
    );
}

/// The CPU seconds each record of `dp-stats ARGS fixture × files` says.
fn cpu_seconds(args: &[&str], files: usize) -> Vec<f64> {
    let good = fixture_str("one_to_ten.txt");
    let ran = dp("dp-stats").args(args).args(vec![&good; files]).run();
    ran.success();
    let records = ran.records();
    assert_eq!(records.len(), files);
    records
        .iter()
        .map(|record| number(&record["cpu_s"]))
        .collect()
}

#[test]
fn a_spinning_delay_is_recorded_as_its_cpu_time_and_a_sleeping_one_is_not() {
    let _machine = machine();
    // What parsing and the statistics cost on their own.
    let parse = cpu_seconds(&[], 3).into_iter().fold(0.0, f64::max);
    for jobs in ["1", "2"] {
        // Each worker thread measures its own file.
        for cpu in cpu_seconds(&["-j", jobs, "--delay", "300ms", "--delay-mode", "spin"], 2) {
            assert!(
                (0.24..=0.36).contains(&cpu),
                "-j {jobs}: {cpu} s of CPU for a 0.3 s spin"
            );
        }
        for cpu in cpu_seconds(
            &["-j", jobs, "--delay", "300ms", "--delay-mode", "sleep"],
            2,
        ) {
            assert!(
                cpu < 0.05 + parse,
                "-j {jobs}: {cpu} s of CPU for a 0.3 s sleep (parsing alone: {parse} s)"
            );
        }
    }
}
