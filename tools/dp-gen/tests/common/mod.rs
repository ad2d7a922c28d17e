//! Running the real dp-gen binary in a temporary directory.

#![allow(dead_code)] // each test file uses its own part

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const DP_GEN: &str = env!("CARGO_BIN_EXE_dp-gen");

/// What a run of dp-gen showed: exit code, stdout, stderr.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code().expect("dp-gen was killed by a signal"),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Each stdout line parsed as JSON.
    pub fn records(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }

    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Runs dp-gen with `args`.
pub fn dp_gen<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Run::from(
        Command::new(DP_GEN)
            .args(args)
            .output()
            .expect("cannot run dp-gen"),
    )
}

/// Runs dp-gen writing into `dir` with `args` after `--dir DIR`.
pub fn dp_gen_in(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec![OsStr::new("--dir"), dir.as_os_str()];
    all.extend(args.iter().map(OsStr::new));
    dp_gen(all)
}

/// The names in `dir`, sorted; empty if `dir` does not exist.
pub fn names_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The contents of `dir/data1.txt` … `dir/dataN.txt`.
pub fn contents(dir: &Path, files: u64) -> Vec<Vec<u8>> {
    (1..=files)
        .map(|i| fs::read(data_file(dir, i)).unwrap())
        .collect()
}

pub fn data_file(dir: &Path, index: u64) -> PathBuf {
    dir.join(format!("data{index}.txt"))
}
