//! What the Makefile's modes say on stderr while they work
//! (docs/reference.md, "Progress"): in a log, one plain line as each mode
//! starts and one as it ends, nothing else; on a terminal, a live line that
//! settles into the same result line; stdout carries the report alone.

use std::fs;
use std::process::{Command, Stdio};

use dp_testkit::{Make, Ran, installed, skip};

/// `NAME: N files in S s`, with S a number of seconds: the line a mode
/// ends with.
fn is_result(line: &str, name: &str, files: usize) -> bool {
    line.strip_prefix(&format!("{name}: {files} files in "))
        .and_then(|rest| rest.strip_suffix(" s"))
        .is_some_and(|seconds| seconds.parse::<f64>().is_ok())
}

#[test]
fn in_a_log_each_mode_and_repeat_says_one_line_as_it_starts_and_one_as_it_ends() {
    let make = Make::new(&["FILES=3", "DELAY=0.1", "JOBS=3", "RUNS=2"]);
    let ran = make.run(&["compare"]);
    ran.success();
    assert!(
        !ran.stderr.contains(['\r', '\x1b']),
        "control characters in a log: {:?}",
        ran.stderr
    );
    let lines: Vec<&str> = ran.stderr.lines().collect();
    let names = [
        "sequential (1/2)",
        "parallel (1/2)",
        "sequential (2/2)",
        "parallel (2/2)",
    ];
    assert_eq!(lines.len(), 2 * names.len(), "stderr:\n{}", ran.stderr);
    for (name, said) in names.iter().zip(lines.chunks(2)) {
        assert_eq!(
            said[0],
            format!("{name}: 3 files..."),
            "stderr:\n{}",
            ran.stderr
        );
        assert!(is_result(said[1], name, 3), "stderr:\n{}", ran.stderr);
    }
    // The report, as before, and nothing of the progress.
    ran.stdout_has("=== Performance Comparison ===");
    for line in &lines {
        assert!(
            !ran.stdout.contains(line),
            "{line:?} on stdout:\n{}",
            ran.stdout
        );
    }
}

#[test]
fn in_a_log_a_failed_mode_says_so_and_what_it_did() {
    let make = Make::new(&["FILES=3", "DELAY=0", "JOBS=3"]);
    make.ok(&["data"]);
    fs::write(make.data_dir.join("data2.txt"), "1\nnot-a-number\n").unwrap();
    let ran = make.run(&["parallel", "DATA="]);
    ran.code_is(2).stderr_has("parallel: 3 files...\n");
    // Between dp-stats' message and make's, which follow its end; the
    // files done are those make had started when data2.txt failed.
    let ended: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|line| line.starts_with("parallel: "))
        .collect();
    assert_eq!(ended.len(), 2, "stderr:\n{}", ran.stderr);
    assert!(
        ended[1].starts_with("parallel: failed (exit 2) after ")
            && (ended[1].ends_with(" s, 2/3 files done")
                || ended[1].ends_with(" s, 1/3 files done")),
        "stderr:\n{}",
        ran.stderr
    );
}

/// The shell words of `make ARGS` as the test would run it.
fn make_line(make: &Make, args: &[&str]) -> (String, Command) {
    let inner = make.command(args);
    let quote = |word: &std::ffi::OsStr| format!("'{}'", word.to_string_lossy());
    let line = std::iter::once(inner.get_program())
        .chain(inner.get_args())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ");
    (line, inner)
}

/// `SCRIPT` (bash) on a terminal: util-linux's `script` gives it a pty, in
/// make's environment. Its stdout is what the terminal showed.
fn on_a_pty(what: &str, script: &str, environment: &Command) -> Ran {
    let mut command = Command::new("script");
    command
        .args(["-qfec", script, "/dev/null"])
        .stdin(Stdio::null());
    for (name, value) in environment.get_envs() {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    command.env("TERM", "xterm").env("SHELL", "/bin/bash");
    Ran::of(what, command)
}

/// `make ARGS` on a terminal, its stdout into a file: what the terminal
/// showed, and that stdout.
fn on_a_terminal(make: &Make, args: &[&str]) -> (Ran, String) {
    let (line, inner) = make_line(make, args);
    let stdout = make.scratch().join("stdout.txt");
    let script = format!("{line} > '{}'", stdout.display());
    let ran = on_a_pty(
        &format!("script -c 'make {}'", args.join(" ")),
        &script,
        &inner,
    );
    let stdout = fs::read_to_string(stdout).unwrap_or_default();
    (ran, stdout)
}

#[test]
fn on_a_terminal_a_live_line_per_mode_settles_into_its_result() {
    if !installed("script") {
        return skip(
            "progress::on_a_terminal_a_live_line_per_mode_settles_into_its_result",
            "no `script` (util-linux) to give make a terminal",
        );
    }
    let make = Make::new(&["FILES=2", "DELAY=1"]);
    make.ok(&["data"]);
    let (ran, stdout) = on_a_terminal(&make, &["sequential"]);
    ran.success();
    let shown = &ran.stdout;
    // Redrawn in place: mode, files done of total, elapsed; once a file is
    // done, the time left.
    assert!(shown.contains("\rsequential: 0/2 files, 0."), "{shown:?}");
    assert!(shown.contains("\rsequential: 1/2 files, "), "{shown:?}");
    assert!(shown.contains(" s left\x1b[K"), "{shown:?}");
    // Cleared, then the result on a line of its own, and nothing drawn after.
    let settled = shown
        .rfind("\r\x1b[Ksequential: 2 files in ")
        .unwrap_or_else(|| panic!("no settled line in {shown:?}"));
    let rest = &shown[settled + 4..];
    let result = rest.lines().next().unwrap().trim_end_matches('\r');
    assert!(is_result(result, "sequential", 2), "{shown:?}");
    assert!(
        !rest.contains("files, "),
        "a live line after the result: {shown:?}"
    );
    assert!(
        !stdout.contains("sequential:"),
        "progress on stdout: {stdout:?}"
    );
}

#[test]
fn on_a_terminal_the_modes_own_messages_pass_on_lines_of_their_own() {
    if !installed("script") {
        return skip(
            "progress::on_a_terminal_the_modes_own_messages_pass_on_lines_of_their_own",
            "no `script` (util-linux) to give make a terminal",
        );
    }
    let make = Make::new(&["FILES=2", "DELAY=0"]);
    make.ok(&["data"]);
    fs::write(make.data_dir.join("data2.txt"), "1\nnot-a-number\n").unwrap();
    let (ran, _) = on_a_terminal(&make, &["sequential", "DATA="]);
    ran.code_is(2);
    let shown = &ran.stdout;
    // The live line is cleared before dp-stats' message, which keeps its line.
    assert!(
        shown.contains("\r\x1b[Kdp-stats: ")
            && shown.contains("'not-a-number' is not a finite number"),
        "{shown:?}"
    );
    assert!(
        shown.contains("\r\x1b[Ksequential: failed (exit 2) after "),
        "{shown:?}"
    );
}

#[test]
fn on_a_terminal_ctrl_c_leaves_no_live_line_and_no_process() {
    let test = "progress::on_a_terminal_ctrl_c_leaves_no_live_line_and_no_process";
    if !installed("script") {
        return skip(test, "no `script` (util-linux) to give make a terminal");
    }
    let make = Make::new(&["FILES=3", "DELAY=1"]);
    make.ok(&["data"]);
    // make as a terminal's job (a process group of its own, job control),
    // Ctrl-C sent to that group once the first file is done: an event, not
    // a guess at how long the machine takes.
    let first = make.out_dir().join("sequential/data1.txt.stats.json");
    let (line, inner) = make_line(&make, &["sequential"]);
    let script = format!(
        "set -m; {line} > /dev/null & while [ ! -e '{}' ]; do sleep 0.05; done; \
         kill -INT -- -$!; wait $!",
        first.display()
    );
    let ran = on_a_pty("make sequential, then Ctrl-C", &script, &inner);
    let shown = &ran.stdout;
    let settled = shown
        .rfind("\r\x1b[Ksequential: interrupted after ")
        .unwrap_or_else(|| panic!("no line saying so in {shown:?}"));
    let rest = &shown[settled + 4..];
    // 0 or 1: make deletes a result whose recipe the signal cut short.
    assert!(rest.contains("/3 files done"), "{shown:?}");
    assert!(
        !rest.contains("files, "),
        "a live line after the end: {shown:?}"
    );
    // Nothing of the run is left running: no watcher, no mode.
    let data_dir = make.data_dir.display().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let ps = Command::new("ps").args(["-eo", "args"]).output().unwrap();
        let left: Vec<String> = String::from_utf8_lossy(&ps.stdout)
            .lines()
            .filter(|args| args.contains(&data_dir))
            .map(str::to_owned)
            .collect();
        if left.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running: {left:#?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // An interrupted mode keeps no wall clock: it did not run to its end.
    assert!(!make.out_dir().join("sequential.wall").exists());
}

#[test]
fn the_build_shows_cargos_progress_on_a_terminal_once_and_is_quiet_in_a_log() {
    let make = Make::new(&["FILES=1", "DELAY=0", "CARGO=echo"]);
    // CARGO=echo says how cargo would be called.
    let builds = |stdout: &str| -> Vec<String> {
        stdout
            .lines()
            .filter(|line| line.starts_with("build "))
            .map(|line| line.trim_end().to_owned())
            .collect()
    };
    assert_eq!(builds(&make.ok(&["build"])), ["build --release --quiet"]);
    if !installed("script") {
        return skip(
            "progress::the_build_shows_cargos_progress_on_a_terminal_once_and_is_quiet_in_a_log",
            "no `script` (util-linux) to give make a terminal",
        );
    }
    let (ran, stdout) = on_a_terminal(&make, &["compare"]);
    ran.success();
    // make compare's own build shows cargo's progress; those of the makes it
    // runs inside (data, verify, the modes) find nothing to build.
    let builds = builds(&stdout);
    assert_eq!(builds[0], "build --release", "{builds:?}");
    assert!(builds.len() > 1, "{builds:?}");
    assert!(
        builds[1..].iter().all(|b| b == "build --release --quiet"),
        "{builds:?}"
    );
}
