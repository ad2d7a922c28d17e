//! How dp-plot fails, and how it writes: exit codes, messages, and output
//! that appears whole or not at all.

mod common;

use common::*;

#[test]
fn no_stats_records_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.png");
    let only_others = "{\"type\":\"error\",\"path\":\"a\",\"error\":\"x\"}\n\n";
    let output = run(&["-o", out.to_str().unwrap()], only_others.as_bytes());
    assert_exit(&output, 1);
    assert_eq!(
        stderr(&output),
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
        let output = run(
            &[
                "-o",
                out.to_str().unwrap(),
                data("runs.jsonl").to_str().unwrap(),
            ],
            b"",
        );
        assert_exit(&output, 2);
        assert!(
            stderr(&output).contains("name the output FILE.png or FILE.svg"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(names_in(dir.path()), Vec::<String>::new());
    // The extension's case does not matter.
    let out = dir.path().join("CHART.SVG");
    let output = run(
        &[
            "-o",
            out.to_str().unwrap(),
            data("runs.jsonl").to_str().unwrap(),
        ],
        b"",
    );
    assert_exit(&output, 0);
}

#[test]
fn bad_lines_and_missing_files_are_reported_and_the_rest_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let good = std::fs::read_to_string(data("runs.jsonl")).unwrap();
    std::fs::write(&input, format!("{}not json\n", good)).unwrap();
    let missing = dir.path().join("missing.jsonl");
    let out = dir.path().join("c.svg");
    let output = run(
        &[
            "-o",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
            missing.to_str().unwrap(),
        ],
        b"",
    );
    assert_exit(&output, 1);
    let err = stderr(&output);
    assert!(
        err.contains(&format!("dp-plot: {}:13: not JSON", input.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("dp-plot: {}: No such file", missing.display())),
        "{err}"
    );
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    assert!(texts.contains(&"4.96×".to_owned()), "{texts:?}");
}

#[test]
fn a_record_that_ends_before_it_starts_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.svg");
    let input =
        stats_line("r", "/d/a.txt", 10.0, 12.0, 1) + &stats_line("r", "/d/b.txt", 12.0, 11.0, 1);
    let output = run(&["-o", out.to_str().unwrap()], input.as_bytes());
    assert_exit(&output, 1);
    assert!(
        stderr(&output).contains("dp-plot: -:2: finished_at 11 is before started_at 12\n"),
        "{}",
        stderr(&output)
    );
    assert!(svg_texts(&std::fs::read_to_string(&out).unwrap()).contains(&"1 file".to_owned()));
}

#[test]
fn an_existing_chart_is_replaced_whole_and_no_temporary_file_is_left() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.png");
    std::fs::write(&out, vec![b'x'; 1 << 20]).unwrap();
    let output = run(
        &[
            "-o",
            out.to_str().unwrap(),
            data("runs.jsonl").to_str().unwrap(),
        ],
        b"",
    );
    assert_exit(&output, 0);
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
    let output = run(
        &[
            "-o",
            out.to_str().unwrap(),
            data("runs.jsonl").to_str().unwrap(),
        ],
        b"",
    );
    assert_exit(&output, 1);
    assert!(
        stderr(&output).starts_with(&format!("dp-plot: cannot write {}", out.display())),
        "{}",
        stderr(&output)
    );
}

#[test]
fn help_shows_examples_and_version_the_version() {
    let output = dp_plot().arg("--help").output().unwrap();
    assert_exit(&output, 0);
    let help = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "Examples:",
        "--kind",
        "--joblog",
        "--color-by",
        "--width",
        "--title",
        "timeline",
    ] {
        assert!(help.contains(expected), "{expected} in help:\n{help}");
    }
    let output = dp_plot().arg("--version").output().unwrap();
    assert_exit(&output, 0);
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("dp-plot {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn sizes_out_of_range_are_usage_errors() {
    for args in [["--width", "10"], ["--height", "99999"]] {
        let output = run(&[args[0], args[1], "-o", "x.png"], b"");
        assert_exit(&output, 2);
    }
}
