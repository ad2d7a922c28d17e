//! How dp-plot fails, and how it writes: exit codes, messages, and output
//! that appears whole or not at all.

mod common;

use std::fs::File;
use std::process::Stdio;

use common::*;
use dp_testkit::names_in;
use dp_testkit::shell;

#[test]
fn no_stats_records_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.png");
    let only_others = "{\"type\":\"error\",\"path\":\"a\",\"error\":\"x\"}\n\n";
    let ran = dp_plot(&["-o", out.to_str().unwrap()])
        .stdin(only_others.as_bytes())
        .run();
    ran.code_is(1);
    assert_eq!(
        ran.stderr,
        "dp-plot: nothing to plot: no stats records in the input\n"
    );
    assert!(!out.exists());
    assert_eq!(names_in(dir.path()), Vec::<String>::new());
}

#[test]
fn an_output_name_without_png_or_svg_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["chart.jpg", "chart", "chart.png.txt"] {
        let out = dir.path().join(name);
        let ran = dp_plot(&[
            "-o",
            out.to_str().unwrap(),
            data("runs.jsonl").to_str().unwrap(),
        ])
        .run();
        ran.code_is(2)
            .stderr_has("name the output FILE.png or FILE.svg");
    }
    assert_eq!(names_in(dir.path()), Vec::<String>::new());
    // The extension's case does not matter.
    let out = dir.path().join("CHART.SVG");
    let ran = dp_plot(&[
        "-o",
        out.to_str().unwrap(),
        data("runs.jsonl").to_str().unwrap(),
    ])
    .run();
    ran.success();
}

#[test]
fn bad_lines_and_missing_files_are_reported_and_the_rest_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let good = std::fs::read_to_string(data("runs.jsonl")).unwrap();
    std::fs::write(&input, format!("{}not json\n", good)).unwrap();
    let missing = dir.path().join("missing.jsonl");
    let out = dir.path().join("c.svg");
    let ran = dp_plot(&[
        "-o",
        out.to_str().unwrap(),
        input.to_str().unwrap(),
        missing.to_str().unwrap(),
    ])
    .run();
    ran.code_is(1)
        .stderr_has(&format!("dp-plot: {}:13: not JSON", input.display()))
        .stderr_has(&format!("dp-plot: {}: No such file", missing.display()));
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    assert!(texts.contains(&"4.96×".to_owned()), "{texts:?}");
}

#[test]
fn a_record_that_ends_before_it_starts_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.svg");
    let input =
        stats_line("r", "/d/a.txt", 10.0, 12.0, 1) + &stats_line("r", "/d/b.txt", 12.0, 11.0, 1);
    let ran = dp_plot(&["-o", out.to_str().unwrap()])
        .stdin(input.as_bytes())
        .run();
    ran.code_is(1);
    assert_eq!(
        ran.stderr,
        "dp-plot: -:2: finished_at 11 is before started_at 12\n"
    );
    assert!(svg_texts(&std::fs::read_to_string(&out).unwrap()).contains(&"1 file".to_owned()));
}

#[test]
fn an_existing_chart_is_replaced_whole_and_no_temporary_file_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.png");
    std::fs::write(&out, vec![b'x'; 1 << 20]).unwrap();
    let ran = dp_plot(&[
        "-o",
        out.to_str().unwrap(),
        data("runs.jsonl").to_str().unwrap(),
    ])
    .run();
    ran.success();
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(png_size(&bytes), (1000, 600));
    assert!(
        bytes.len() < (1 << 20),
        "the old content is gone, not overwritten in place"
    );
    assert_eq!(
        png_pixels(&bytes).len(),
        1000 * 600,
        "the whole picture decodes"
    );
    assert_eq!(names_in(dir.path()), ["c.png"]);
}

#[test]
fn a_failed_write_keeps_the_old_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no-such-dir").join("c.png");
    let ran = dp_plot(&[
        "-o",
        out.to_str().unwrap(),
        data("runs.jsonl").to_str().unwrap(),
    ])
    .run();
    ran.code_is(1)
        .stderr_has(&format!("dp-plot: cannot write {}", out.display()));
}

#[test]
fn help_shows_examples_and_version_the_version() {
    let ran = dp_plot(&["--help"]).run();
    ran.success();
    let help = &ran.stdout;
    for expected in [
        "Examples:",
        "--kind",
        "--joblog",
        "--color-by",
        "--width",
        "--title",
        "--baseline",
        "timeline",
    ] {
        assert!(help.contains(expected), "{expected} in help:\n{help}");
    }
    let ran = dp_plot(&["--version"]).run();
    ran.success();
    assert_eq!(
        ran.stdout,
        format!("dp-plot {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn sizes_out_of_range_are_usage_errors() {
    for args in [["--width", "10"], ["--height", "99999"]] {
        let ran = dp_plot(&[args[0], args[1], "-o", "x.png"]).run();
        ran.code_is(2);
    }
}

#[test]
fn an_unknown_baseline_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.png");
    let ran = dp_plot(&[
        "-o",
        out.to_str().unwrap(),
        "--baseline",
        "xargs",
        data("runs.jsonl").to_str().unwrap(),
    ])
    .run();
    ran.code_is(2);
    assert_eq!(
        ran.stderr,
        "dp-plot: --baseline xargs: no such run in the input\n"
    );
    assert_eq!(names_in(dir.path()), Vec::<String>::new());
}

/// How dp-plot exits, run in `dir` with `args`, when its stderr is `stderr`.
fn exit_code(dir: &std::path::Path, args: &[&str], stderr: impl Into<Stdio>) -> Option<i32> {
    let mut plot = dp_plot(args).current_dir(dir);
    let status = plot.command().stderr(stderr).status();
    status.expect("dp-plot runs").code()
}

#[test]
fn exit_codes_hold_when_stderr_is_full_closed_or_a_pipe_nobody_reads() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(data("runs.jsonl")).unwrap();
    std::fs::write(dir.path().join("in.jsonl"), good + "not json\n").unwrap();
    let cases: [(&[&str], i32); 3] = [
        (&["-o", "c.png", "in.jsonl"], 1),
        (&["-o", "c.png", "--baseline", "xargs", "in.jsonl"], 2),
        (&["-o", "c.png", "--width", "10", "in.jsonl"], 2),
    ];
    for (args, code) in cases {
        let full = File::options().write(true).open("/dev/full").unwrap();
        let got = exit_code(dir.path(), args, full);
        assert_eq!(got, Some(code), "dp-plot {args:?} 2>/dev/full");

        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let got = exit_code(dir.path(), args, writer);
        assert_eq!(got, Some(code), "dp-plot {args:?}, stderr a closed pipe");

        shell(&format!("dp-plot {} 2>&-", args.join(" ")), dir.path()).code_is(code);
    }
    // The bad line stopped nothing but itself.
    let chart = std::fs::read(dir.path().join("c.png")).unwrap();
    assert_eq!(png_size(&chart), (1000, 600));
}

#[test]
fn endless_input_ends_at_its_first_line_with_bounded_memory() {
    // Stats records and joblogs alike are read a line at a time, with a
    // limit: /dev/zero is one line too long, refused at once by name.
    let dir = tempfile::tempdir().unwrap();
    for args in ["-o z.png /dev/zero", "--joblog /dev/zero -o z.png"] {
        let ran = shell(
            &format!("ulimit -v 1000000; timeout 60 dp-plot {args}"),
            dir.path(),
        );
        ran.code_is(1)
            .stderr_has("dp-plot: /dev/zero:1: a line longer than 4 MiB")
            .stderr_has("dp-plot: nothing to plot");
    }
    assert_eq!(names_in(dir.path()), Vec::<String>::new());
}

#[test]
fn help_and_version_end_quietly_on_a_closed_pipe() {
    let dir = tempfile::tempdir().unwrap();
    for args in ["--help", "-h", "--version"] {
        let ran = shell(
            &format!("dp-plot {args} | head -c 1 >/dev/null"),
            dir.path(),
        );
        ran.success();
        assert_eq!(ran.stderr, "", "dp-plot {args} | head");
        // A pipe closed before anything is written.
        let ran = shell(&format!("dp-plot {args} | true"), dir.path());
        ran.success();
        assert_eq!(ran.stderr, "", "dp-plot {args} | true");
    }
}

#[test]
fn a_run_longer_than_a_chart_can_show_is_refused_and_the_rest_drawn() {
    // Each time is finite, but the span is past what an axis can hold:
    // plotters' ticks never ended (the process spun for good).
    let dir = tempfile::tempdir().unwrap();
    let input = stats_line("huge", "/d/a.txt", -1e308, -1e308, 1)
        + &stats_line("huge", "/d/b.txt", 1e308, 1e308, 1)
        + &stats_line("near", "/d/a.txt", 0.0, 1e308, 1)
        + &run_lines("fine", 2, 1, 1.0);
    std::fs::write(dir.path().join("in.jsonl"), input).unwrap();
    let joblog = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n\
                  1\t:\t-1e308\t0\t0\t0\t0\t0\tcmd a\n2\t:\t1e308\t0\t0\t0\t0\t0\tcmd b\n";
    std::fs::write(dir.path().join("far.joblog"), joblog).unwrap();
    for kind in ["comparison", "timeline"] {
        let ran = shell(
            &format!("timeout 60 dp-plot --kind {kind} -o c.svg in.jsonl --joblog far.joblog"),
            dir.path(),
        );
        ran.code_is(1)
            .stderr_has("dp-plot: run 'huge' spans -1e308 to 1e308, more than the 1e300 s")
            .stderr_has("dp-plot: run 'near' spans 0e0 to 1e308")
            .stderr_has("dp-plot: run 'far' spans -1e308 to 1e308");
        let texts = svg_texts(&std::fs::read_to_string(dir.path().join("c.svg")).unwrap());
        assert!(texts.contains(&"fine".to_owned()), "{texts:?}");
        assert!(!texts.contains(&"huge".to_owned()), "{texts:?}");
    }
}
