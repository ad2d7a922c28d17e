//! File names as dp-stats shows them: records keep a name as it is (JSON
//! escapes it), diagnostics and the table escape its control characters so
//! that a newline cannot split a line, and a name that is not UTF-8, which
//! no record could carry, is refused on its own. `--stdin-name` names stdin.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;

use dp_testkit::dp;

#[test]
fn a_newline_in_a_name_splits_neither_a_diagnostic_nor_a_table_row() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("two\nlines.txt");
    fs::write(&good, "1\n2\n").unwrap();
    let missing = dir.path().join("gone\n\u{1b}[31mred.txt");
    let (good, missing) = (good.to_str().unwrap(), missing.to_str().unwrap());
    let shown = |name: &str| name.replace('\n', "\\n").replace('\u{1b}', "\\u{1b}");

    let ran = dp("dp-stats").args([good, missing]).run();
    ran.code_is(1);
    assert_eq!(
        ran.stderr,
        format!("dp-stats: {}: No such file or directory\n", shown(missing))
    );
    let records = ran.records();
    assert_eq!(records[0]["path"], good, "records keep the name as it is");
    assert_eq!(records[1]["path"], missing);

    let ran = dp("dp-stats")
        .args(["--format", "table", good, missing])
        .run();
    ran.code_is(1);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", ran.stdout);
    assert!(lines[1].starts_with(&shown(good)), "{}", lines[1]);
    assert!(lines[2].starts_with(&shown(missing)), "{}", lines[2]);
    assert!(!ran.stdout.contains('\u{1b}'), "{}", ran.stdout);
}

#[test]
fn warnings_escape_the_names_they_hold() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["a", "b"] {
        fs::create_dir(dir.path().join(sub)).unwrap();
        fs::write(dir.path().join(sub).join("x\ny.txt"), "1\n").unwrap();
    }
    let out = dir.path().join("out");
    let ran = dp("dp-stats")
        .current_dir(dir.path())
        .args([
            "--out-dir",
            out.to_str().unwrap(),
            "a/x\ny.txt",
            "b/x\ny.txt",
        ])
        .run();
    ran.success();
    // The overwrite warning: one line, naming the input and the result.
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    ran.stderr_has("dp-stats: b/x\\ny.txt: overwrites ")
        .stderr_has("x\\ny.txt.stats.json written for another file");
}

#[test]
fn a_name_that_is_not_utf8_is_refused_and_the_other_files_are_processed() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join(OsStr::from_bytes(b"caf\xe9.txt"));
    fs::write(&odd, "1\n2\n").unwrap();
    let good = dir.path().join("good.txt");
    fs::write(&good, "3\n").unwrap();
    let shown = format!("{}/caf\\xe9.txt", dir.path().display());
    let why = "the file name is not UTF-8";

    let ran = dp("dp-stats").arg(&odd).arg(&good).run();
    ran.code_is(1)
        .stderr_has(&format!("dp-stats: {shown}: {why}"));
    let records = ran.records();
    assert_eq!(records.len(), 2, "{}", ran.stdout);
    assert_eq!(records[0]["type"], "error");
    assert_eq!(records[0]["path"], shown.as_str());
    assert!(records[0]["error"].as_str().unwrap().starts_with(why));
    assert_eq!(records[1]["type"], "stats");
    assert_eq!(records[1]["count"], 1);

    // The same name on the stdin list.
    let mut list = odd.as_os_str().as_bytes().to_vec();
    list.extend(b"\n");
    list.extend(good.as_os_str().as_bytes());
    let ran = dp("dp-stats").stdin(list).run();
    ran.code_is(1)
        .stderr_has(&format!("dp-stats: {shown}: {why}"));
    let types: Vec<_> = ran.records().iter().map(|r| r["type"].clone()).collect();
    assert_eq!(types, ["error", "stats"]);
}

#[test]
fn an_out_dir_that_is_not_utf8_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    fs::write(&good, "3\n").unwrap();
    let out = dir.path().join(OsStr::from_bytes(b"out\xff"));
    let ran = dp("dp-stats").arg("--out-dir").arg(&out).arg(&good).run();
    ran.code_is(2)
        .stderr_has("the directory's path is not UTF-8");
    assert_eq!(ran.stdout, "");
    assert!(!out.exists());
}

#[test]
fn stdin_takes_the_name_stdin_name_gives_it() {
    let dir = tempfile::tempdir().unwrap();
    let ran = dp("dp-stats")
        .args(["--stdin-name", "far/data7.txt", "-"])
        .stdin("1\n2\noops\n")
        .run();
    ran.code_is(1);
    assert_eq!(ran.record()["path"], "far/data7.txt");
    assert_eq!(
        ran.stderr,
        "dp-stats: far/data7.txt:3: 'oops' is not a finite number\n"
    );
    // Its result is named as a file of that name's would be.
    let out = dir.path().join("out");
    dp("dp-stats")
        .args(["--stdin-name", "far/data7.txt", "--out-dir"])
        .arg(&out)
        .arg("-")
        .stdin("1\n2\n")
        .run()
        .success();
    assert!(out.join("data7.txt.stats.json").is_file());
    // Only stdin takes it; without `-` it changes nothing.
    let file = dir.path().join("good.txt");
    fs::write(&file, "1\n").unwrap();
    let ran = dp("dp-stats").args(["--stdin-name", "x"]).arg(&file).run();
    ran.success();
    assert_eq!(ran.record()["path"], file.to_str().unwrap());
    dp("dp-stats")
        .args(["--stdin-name", "", "-"])
        .stdin("1\n")
        .run()
        .code_is(2);
}
