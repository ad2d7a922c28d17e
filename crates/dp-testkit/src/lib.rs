//! What every dp test shares (coreutils' `uutests`, ripgrep's `tests/util.rs`):
//!
//! - [`dp`]: a tool of the workspace, run for real and read back as a
//!   [`Ran`] (exit code, stdout, stderr, records), with assertions that
//!   print what was seen when they fail;
//! - [`Make`]: the Makefile driven one way, on a data directory of its own,
//!   with the binaries `cargo test` built (no release build);
//! - [`shell`]: a bash pipeline with the tools first on PATH;
//! - [`machine`]: the lock that timing tests hold, so that no sibling test
//!   shares the cores while they measure;
//! - [`assert_close`] and friends for numbers.
//!
//! The binaries are the ones `cargo test --workspace` builds into
//! `target/<profile>/`, beside the test's own `deps/` directory.

use std::fmt::Debug;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

/// The environment variables dp's tools read: cleared for every command, so
/// only what a test sets counts.
pub const DP_ENV: &[&str] = &["DP_RUN", "DP_REPEAT", "DP_WORKERS", "DP_HOST"];

/// The workspace's root directory (where the Makefile is).
pub fn repo() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .and_then(Path::parent)
        .expect("dp-testkit lives in crates/dp-testkit")
        .to_path_buf()
}

/// The directory of the workspace's binaries: target/<profile>.
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its path");
    exe.parent()
        .and_then(Path::parent)
        .expect("tests run from target/<profile>/deps")
        .to_path_buf()
}

/// A binary of the workspace; fails the test, saying how to build it, if
/// it is not there.
pub fn bin(name: &str) -> PathBuf {
    let path = bin_dir().join(name);
    assert!(
        path.is_file(),
        "{} is not built: run `cargo test --workspace` (or `cargo build --workspace`)",
        path.display()
    );
    path
}

/// A fixture under the calling package's `tests/data/`:
/// `fixture(env!("CARGO_MANIFEST_DIR"), "empty.txt")`.
pub fn fixture(manifest_dir: &str, name: &str) -> PathBuf {
    Path::new(manifest_dir).join("tests/data").join(name)
}

/// A command to run one of dp's tools (`dp("dp-stats")`), with dp's
/// environment variables cleared and stdin empty unless given.
pub fn dp(tool: &str) -> Cmd {
    let mut command = Command::new(bin(tool));
    for name in DP_ENV {
        command.env_remove(name);
    }
    Cmd {
        command,
        what: tool.to_owned(),
        stdin: None,
    }
}

/// A command about to run: a thin builder over [`Command`].
pub struct Cmd {
    command: Command,
    what: String,
    stdin: Option<Vec<u8>>,
}

impl Cmd {
    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Self {
        self.what.push(' ');
        self.what.push_str(&arg.as_ref().to_string_lossy());
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    pub fn env(mut self, name: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.command.env(name, value);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Bytes for the command's stdin.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// The command itself, for what the builder does not cover (a stderr
    /// redirected to `/dev/full`, a process killed mid-run).
    pub fn command(&mut self) -> &mut Command {
        &mut self.command
    }

    /// Runs the command to its end.
    pub fn run(mut self) -> Ran {
        self.command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self
            .command
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", self.what));
        if let Some(bytes) = self.stdin.take() {
            let mut input = child.stdin.take().expect("stdin is piped");
            // The tool may stop reading early (a bad input): that is its
            // right, not the test's failure.
            let _ = input.write_all(&bytes);
        }
        let output = child
            .wait_with_output()
            .unwrap_or_else(|err| panic!("{} did not end: {err}", self.what));
        Ran::from_output(self.what, output)
    }
}

/// A bash pipeline run in `dir`, with the workspace's binaries first on
/// PATH and `pipefail` set.
pub fn shell(script: &str, dir: &Path) -> Ran {
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("bash");
    command
        .args(["-o", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .stdin(Stdio::null());
    for name in DP_ENV {
        command.env_remove(name);
    }
    let output = command.output().expect("bash runs");
    Ran::from_output(script.to_owned(), output)
}

/// What a finished command showed.
#[derive(Debug, Clone)]
pub struct Ran {
    /// The command, as the failure messages show it.
    pub what: String,
    /// The exit code; `None` when a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// Runs a command prepared elsewhere (a [`Make::command`] given a PATH
    /// of its own, say) to its end; `what` names it in failures.
    pub fn of(what: &str, mut command: Command) -> Self {
        let output = command
            .output()
            .unwrap_or_else(|err| panic!("cannot run {what}: {err}"));
        Self::from_output(what.to_owned(), output)
    }

    fn from_output(what: String, output: Output) -> Self {
        Self {
            what,
            code: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Asserts the exit code, showing everything printed if it differs.
    #[track_caller]
    pub fn code_is(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "{}: exit {:?}, expected {code}\n--- stdout\n{}--- stderr\n{}",
            self.what,
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts exit 0.
    #[track_caller]
    pub fn success(&self) -> &Self {
        self.code_is(0)
    }

    /// Asserts that stderr holds `text`.
    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "{}: stderr lacks {text:?}:\n{}",
            self.what,
            self.stderr
        );
        self
    }

    /// Asserts that stdout holds `text`.
    #[track_caller]
    pub fn stdout_has(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "{}: stdout lacks {text:?}:\n{}",
            self.what,
            self.stdout
        );
        self
    }

    /// Every stdout line as JSON; fails the test on a line that is not.
    #[track_caller]
    pub fn records(&self) -> Vec<Value> {
        records(&self.stdout)
    }

    /// The only record on stdout; fails the test unless there is exactly one.
    #[track_caller]
    pub fn record(&self) -> Value {
        let mut records = self.records();
        assert_eq!(
            records.len(),
            1,
            "{}: expected one record, got:\n{}",
            self.what,
            self.stdout
        );
        records.remove(0)
    }
}

/// Each line of `text` parsed as JSON.
#[track_caller]
pub fn records(text: &str) -> Vec<Value> {
    text.lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| panic!("not JSON ({err}): {line:?}"))
        })
        .collect()
}

/// The names in `dir`, sorted; empty if `dir` does not exist.
pub fn names_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Asserts that `got` is within `tolerance` of `expected`, both shown if not.
#[track_caller]
pub fn assert_close(got: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (got - expected).abs() <= tolerance,
        "{what}: expected {expected} ± {tolerance}, got {got}"
    );
}

/// A JSON number, or a failed test naming what was there instead.
#[track_caller]
pub fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {value}"))
}

/// Asserts two values are equal, printing both in full (pretty JSON, say)
/// when they are not.
#[track_caller]
pub fn assert_same<T: PartialEq + Debug>(got: &T, expected: &T, what: &str) {
    assert!(
        got == expected,
        "{what} differ:\n--- expected\n{expected:#?}\n--- got\n{got:#?}"
    );
}

/// The machine, taken by a test that measures time. Timing tests live in
/// a test binary of their own and each holds this for its whole length:
/// cargo runs test binaries one at a time, so a holder shares the cores
/// with no other test.
pub fn machine() -> MutexGuard<'static, ()> {
    static MACHINE: Mutex<()> = Mutex::new(());
    MACHINE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How many cores this process can get right now: every core spins for
/// `duration` and the process's CPU time (from `/proc/self/stat`) is divided
/// by it. On a machine whose other work holds cores, a timing test bounds
/// what it expects by this, not by the cores the machine has.
pub fn available_cores(duration: std::time::Duration) -> f64 {
    let cpu_seconds = || {
        let stat = std::fs::read_to_string("/proc/self/stat").expect("/proc/self/stat");
        // Fields after the command's closing parenthesis; utime and stime
        // are the 14th and 15th of the line, in clock ticks (100 a second).
        let rest = &stat[stat.rfind(')').expect("a stat line") + 2..];
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        ticks as f64 / 100.0
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let before = cpu_seconds();
    let start = std::time::Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..cores {
            scope.spawn(|| {
                let mut x = 0u64;
                while start.elapsed() < duration {
                    x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
                }
            });
        }
    });
    (cpu_seconds() - before) / start.elapsed().as_secs_f64()
}

/// What the environment could set for make (its variables are `?=`):
/// cleared, so only what a test says counts.
const MAKE_ENV: &[&str] = &[
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
    "MAKEFILES",
    "FILES",
    "COUNT",
    "DELAY",
    "DELAY_MODE",
    "JOBS",
    "SEED",
    "DIST",
    "DATA_PREFIX",
    "DATA_DIR",
    "OUT_DIR",
    "GEN_ARGS",
    "COMPRESS",
    "BIN",
    "MODES",
    "MODE",
    "DATA",
    "RUNS",
    "REPEAT",
    "RUN_SUFFIX",
    "WORKERS",
    "HOSTS",
    "CHUNKS",
    "CPUS_PER_TASK",
    "SBATCH_ARGS",
    "SSH_JOBS",
    "SSH_CONFIG",
    "REMOTE_DP_STATS",
    "SHARED_FS",
    "RETRIES",
    "TEST_DEPS",
    // make install's directories, and what says a make runs inside another
    // (as `make test`'s tests do): its build would be quiet.
    "DESTDIR",
    "prefix",
    "exec_prefix",
    "bindir",
    "datarootdir",
    "mandir",
    "DP_MAKE_INSIDE",
];

/// The Makefile, driven on a DATA_DIR of its own (`<tempdir>/data`, its
/// results in `results/`), with the binaries `cargo test` built:
/// `CARGO=true` turns `make build` into a no-op, and being a variable on
/// make's command line it reaches the sub-makes too.
pub struct Make {
    _tmp: tempfile::TempDir,
    pub data_dir: PathBuf,
    vars: Vec<String>,
}

impl Make {
    /// A scratch DATA_DIR and the variables of one test (`FILES=3`, ...).
    pub fn new(vars: &[&str]) -> Self {
        let tmp = tempfile::tempdir().expect("a temporary directory");
        let data_dir = tmp.path().join("data");
        Self {
            _tmp: tmp,
            data_dir,
            vars: vars.iter().map(|v| v.to_string()).collect(),
        }
    }

    /// The scratch directory that holds DATA_DIR, for a test's other files.
    pub fn scratch(&self) -> &Path {
        self._tmp.path()
    }

    pub fn out_dir(&self) -> PathBuf {
        self.data_dir.join("results")
    }

    /// The command `make ARGS`; later arguments override earlier ones, so
    /// ARGS may override the test's variables.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("make");
        command
            .arg("--no-print-directory")
            .arg("-C")
            .arg(repo())
            .arg("CARGO=true")
            .arg(format!("BIN={}", bin_dir().display()))
            .arg(format!("DATA_DIR={}", self.data_dir.display()))
            .args(&self.vars)
            .args(args)
            .stdin(Stdio::null());
        for name in MAKE_ENV.iter().chain(DP_ENV) {
            command.env_remove(name);
        }
        command
    }

    /// Runs `make ARGS` to its end.
    pub fn run(&self, args: &[&str]) -> Ran {
        let output = self
            .command(args)
            .output()
            .expect("cannot run make: is it installed?");
        Ran::from_output(format!("make {}", args.join(" ")), output)
    }

    /// `make ARGS`, which must succeed; its stdout.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let ran = self.run(args);
        ran.success();
        ran.stdout
    }
}

/// Whether `program` is on PATH; a test that needs it and finds it missing
/// says so with [`skip`].
pub fn installed(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Says plainly that a test is skipped and why (cargo shows it with
/// `--nocapture`, and the test's name says what was not tested).
pub fn skip(test: &str, why: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}
