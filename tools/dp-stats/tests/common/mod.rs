//! Running the real dp-stats binary in tests, and reading what it printed.

#![allow(dead_code)] // each test file uses its own part of these helpers

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_dp-stats");

/// A fixture under tests/data.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The fixture's path as the records name it.
pub fn fixture_str(name: &str) -> String {
    fixture(name).to_string_lossy().into_owned()
}

/// What a finished dp-stats run showed.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Every stdout line as JSON; fails the test on a line that is not.
    pub fn records(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|err| panic!("stdout line is not JSON ({err}): {line}"))
            })
            .collect()
    }

    /// The only record; fails the test unless there is exactly one.
    pub fn record(&self) -> Value {
        let mut records = self.records();
        assert_eq!(
            records.len(),
            1,
            "expected one record, got: {}",
            self.stdout
        );
        records.remove(0)
    }
}

/// A dp-stats command with a clean environment for `DP_RUN`.
pub fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("DP_RUN");
    cmd
}

/// Runs dp-stats with `stdin` as its input (empty when `None`).
pub fn run_with(mut cmd: Command, stdin: Option<&[u8]>) -> Ran {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("dp-stats starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    if let Some(bytes) = stdin {
        input.write_all(bytes).expect("stdin accepts the input");
    }
    drop(input);
    let out = child.wait_with_output().expect("dp-stats ends");
    Ran {
        code: out.status.code().expect("dp-stats exits, not killed"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

pub fn run(args: &[&str]) -> Ran {
    run_with(command(args), None)
}

/// Asserts `got` is within `tolerance` of `expected`, both shown if not.
pub fn assert_close(got: &Value, expected: f64, tolerance: f64, what: &str) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: expected a number near {expected}, got {got}"));
    assert!(
        (got - expected).abs() <= tolerance,
        "{what}: expected {expected} ± {tolerance}, got {got}"
    );
}

/// The record without the fields that differ between two runs of the same
/// work: its timing and the process id.
pub fn without_timing(record: &Value) -> Value {
    let mut record = record.clone();
    if let Some(fields) = record.as_object_mut() {
        for field in ["started_at", "finished_at", "elapsed_s", "pid"] {
            fields.remove(field);
        }
    }
    record
}
