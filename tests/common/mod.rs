//! What the pipeline tests share: the workspace's binaries, a shell that
//! finds them first on PATH, and JSON Lines read back.

#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// A sibling binary of the workspace: `cargo test --workspace` builds them
/// all into the directory above this test's `deps/`.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("tests run from target/<profile>/deps");
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is not built: run `cargo test --workspace` (or `cargo build --workspace`)",
        path.display()
    );
    path
}

/// The directory of the tools this test runs: target/<profile>.
pub fn bin_dir() -> PathBuf {
    let dp_stats = binary("dp-stats");
    dp_stats
        .parent()
        .expect("a binary lives in a directory")
        .to_path_buf()
}

/// Runs a shell pipeline with the tools' directory first on PATH; returns
/// exit status, stdout and stderr.
pub fn shell(script: &str, dir: &Path) -> (i32, String, String) {
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-o", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("DP_RUN")
        .stdin(Stdio::null())
        .output()
        .expect("bash runs");
    (
        out.status.code().expect("the pipeline exits"),
        String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    )
}

/// Each line of `text` parsed as JSON.
pub fn records(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {line:?}"))
        })
        .collect()
}
