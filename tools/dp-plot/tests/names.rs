//! Names as dp-plot shows them: control characters never reach a chart
//! (the SVG stays XML), nor a terminal (diagnostics escape them), and a
//! joblog's command in another encoding is drawn, not refused.

mod common;

use common::*;
use dp_testkit::{installed, shell, skip};

/// Every character of `svg` is one XML 1.0 allows, and (where python3 is
/// installed) a real XML parser reads it.
fn assert_xml(svg: &str, what: &str) {
    let bad: Vec<char> = svg
        .chars()
        .filter(|&c| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    assert!(bad.is_empty(), "{what}: characters XML forbids: {bad:?}");
    if !installed("python3") {
        skip("assert_xml", "python3 is not installed: no XML parser run");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.svg"), svg).unwrap();
    shell(
        "python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' c.svg",
        dir.path(),
    )
    .success();
}

fn stats_with_controls() -> String {
    stats_line("r\u{7}un", "/d/a\nb.txt", 100.0, 101.0, 1)
        + &stats_line("r\u{7}un", "/d/\u{1b}[31mc.txt", 100.5, 102.0, 2)
        + &stats_line("sequential", "/d/a\nb.txt", 100.0, 103.0, 3)
            .replace("\"host\":\"test\"", "\"host\":\"h\\u0001ost\"")
}

#[test]
fn control_characters_in_names_and_titles_leave_valid_svg_and_a_png() {
    let dir = tempfile::tempdir().unwrap();
    let input = stats_with_controls();
    for kind in ["comparison", "timeline"] {
        for color_by in ["run", "pid"] {
            let out = dir.path().join(format!("{kind}-{color_by}.svg"));
            let ran = dp_plot(&[
                "--kind",
                kind,
                "--color-by",
                color_by,
                "--title",
                "t\u{1}itle\u{7f}",
                "-o",
                out.to_str().unwrap(),
            ])
            .stdin(input.as_bytes())
            .run();
            ran.success();
            let svg = std::fs::read_to_string(&out).unwrap();
            assert_xml(&svg, &format!("{kind} by {color_by}"));
            let texts = svg_texts(&svg);
            assert!(texts.contains(&"run".to_owned()), "{texts:?}");
            if kind == "timeline" {
                assert!(texts.contains(&"ab.txt".to_owned()), "{texts:?}");
            }

            let out = out.with_extension("png");
            let ran = dp_plot(&["--kind", kind, "--color-by", color_by])
                .args(["--title", "t\u{1}", "-o", out.to_str().unwrap()])
                .stdin(input.as_bytes())
                .run();
            ran.success();
            assert_eq!(png_size(&std::fs::read(&out).unwrap()), (1000, 600));
        }
    }
}

const HEADER: &[u8] =
    b"Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n";

#[test]
fn a_joblog_command_in_another_encoding_is_drawn_lossily() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("latin1.joblog");
    let mut text = HEADER.to_vec();
    text.extend_from_slice(b"1\t:\t100.0\t2.0\t0\t0\t0\t0\tdp-stats /d/caf\xe9.txt > /o/x.json\n");
    text.extend_from_slice(b"2\tn\x07de\t100.5\t2.0\t0\t0\t0\t0\tdp-stats /d/b\x1b.txt\n");
    std::fs::write(&log, text).unwrap();
    let out = dir.path().join("t.svg");
    let ran = dp_plot(&["--kind", "timeline", "--color-by", "pid"])
        .args([
            "--joblog",
            log.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .run();
    ran.success();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert_xml(&svg, "joblog timeline");
    let texts = svg_texts(&svg);
    assert!(texts.contains(&"caf\u{fffd}.txt".to_owned()), "{texts:?}");
    assert!(texts.contains(&"b.txt".to_owned()), "{texts:?}");
    assert!(texts.iter().any(|t| t.starts_with("nde")), "{texts:?}");
}

#[test]
fn a_bad_field_is_quoted_with_its_controls_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("bad.joblog");
    let mut text = HEADER.to_vec();
    text.extend_from_slice(b"1\t:\t1\x1b[2J\t2.0\t0\t0\t0\t0\tcmd\n");
    text.extend_from_slice(b"2\t:\t100.0\t2.0\t0\t0\t0\t0\tcmd\n");
    std::fs::write(&log, text).unwrap();
    let ran = dp_plot(&["--joblog", log.to_str().unwrap(), "-o"])
        .args([dir.path().join("t.svg").to_str().unwrap()])
        .run();
    ran.code_is(1).stderr_has(&format!(
        "dp-plot: {}:2: Starttime '1\\u{{1b}}[2J' is not a number\n",
        log.display()
    ));
    assert!(!ran.stderr.contains('\u{1b}'), "{:?}", ran.stderr);
}

#[test]
fn diagnostics_escape_the_names_they_show() {
    let dir = tempfile::tempdir().unwrap();
    let job = b"1\t:\t100.0\t2.0\t0\t0\t0\t0\tcmd\n";
    std::fs::write(dir.path().join("g\nlog"), [HEADER, &job[..]].concat()).unwrap();
    std::fs::copy(data("runs.jsonl"), dir.path().join("in.jsonl")).unwrap();
    let cases: [(&[&str], i32, &str); 6] = [
        // A file that cannot be read.
        (
            &["-o", "c.svg", "no\nsuch"],
            1,
            "dp-plot: no\\nsuch: No such file",
        ),
        // An output whose format cannot be told.
        (
            &["-o", "c\n.txt", "in.jsonl"],
            2,
            "cannot tell the format of 'c\\n.txt'",
        ),
        // Two joblogs of one name.
        (
            &["-o", "c.svg", "--joblog", "g\nlog", "--joblog", "g\nlog"],
            2,
            "two runs are named 'g\\nlog' (joblog g\\nlog)",
        ),
        // A baseline that is not there.
        (
            &["-o", "c.svg", "--baseline", "x\u{1b}[1m", "in.jsonl"],
            2,
            "--baseline x\\u{1b}[1m: no such run",
        ),
        // An output that cannot be written.
        (
            &["-o", "no\ndir/c.svg", "in.jsonl"],
            1,
            "cannot write no\\ndir/c.svg",
        ),
        // A manifest that cannot be written.
        (
            &["-o", "c.svg", "--manifest", "no\ndir/m", "in.jsonl"],
            1,
            "cannot write no\\ndir/m",
        ),
    ];
    for (args, code, expected) in cases {
        let ran = dp_plot(args).current_dir(dir.path()).run();
        ran.code_is(code).stderr_has(expected);
        let lines = ran.stderr.lines().count();
        assert!(
            ran.stderr.lines().all(|l| l.starts_with("dp-plot: ")),
            "{args:?}: {lines} lines, each a diagnostic:\n{}",
            ran.stderr
        );
        assert!(!ran.stderr.contains('\u{1b}'), "{:?}", ran.stderr);
    }
}
