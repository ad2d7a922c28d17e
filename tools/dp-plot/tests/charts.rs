//! The charts dp-plot draws, checked on the real binary: formats, sizes,
//! labels, and sensible output for 1 file, 500 files and several runs.

mod common;

use common::*;

const SEQUENTIAL_BLUE: [u8; 3] = [0x4e, 0x79, 0xa7];
const PARALLEL_ORANGE: [u8; 3] = [0xf2, 0x8e, 0x2b];

fn fixture() -> String {
    data("runs.jsonl").display().to_string()
}

#[test]
fn comparison_png_is_the_requested_size_and_shows_both_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("compare.png");
    let ran = dp_plot(&[
        "-o",
        out.to_str().unwrap(),
        "--width",
        "800",
        "--height",
        "500",
        &fixture(),
    ])
    .run();
    ran.success();
    assert_eq!(ran.stderr, "");
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(png_size(&bytes), (800, 500));
    let pixels = png_pixels(&bytes);
    assert_eq!(pixels.len(), 800 * 500);
    for (run, color) in [
        ("sequential", SEQUENTIAL_BLUE),
        ("parallel", PARALLEL_ORANGE),
    ] {
        let bar = pixels.iter().filter(|&&p| p == color).count();
        assert!(bar > 1000, "{run}'s bar: {bar} pixels of its colour");
    }
    // The sequential bar (15 s) is about five times the parallel one (3 s).
    let blue = pixels.iter().filter(|&&p| p == SEQUENTIAL_BLUE).count() as f64;
    let orange = pixels.iter().filter(|&&p| p == PARALLEL_ORANGE).count() as f64;
    assert!(
        (blue / orange - 15.02 / 3.028).abs() < 0.3,
        "area ratio {}",
        blue / orange
    );
    // The title is drawn: dark text pixels in the top band.
    let title_ink = pixels[..800 * 40]
        .iter()
        .filter(|p| p.iter().all(|&c| c < 0x60))
        .count();
    assert!(title_ink > 200, "title pixels: {title_ink}");
}

#[test]
fn comparison_svg_labels_runs_times_and_speedup() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("compare.svg");
    let ran = dp_plot(&["-o", out.to_str().unwrap(), &fixture()]).run();
    ran.success();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert_eq!(svg_size(&svg), (1000, 600));
    let texts = svg_texts(&svg);
    // sequential: 4 × 3.004 + 3.002 = 15.018 s; parallel: 3.028 s.
    for expected in [
        "dp: sequential vs parallel",
        "total time (s)",
        "sequential",
        "parallel",
        "15.02 s",
        "3.03 s",
        "1.00× (baseline)",
        "4.96×",
        "5 files",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "{expected:?} not in {texts:?}"
        );
    }
}

#[test]
fn the_baseline_is_the_sequential_run_even_when_not_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.svg");
    let input = run_lines("parallel", 4, 4, 2.0) + &run_lines("sequential", 4, 1, 2.0);
    let ran = dp_plot(&["-o", out.to_str().unwrap(), "--title", "Mine"])
        .stdin(input.as_bytes())
        .run();
    ran.success();
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    assert!(texts.contains(&"Mine".to_owned()), "{texts:?}");
    assert!(
        texts.contains(&"4.00×".to_owned()),
        "parallel vs sequential: {texts:?}"
    );
    assert!(texts.contains(&"1.00× (baseline)".to_owned()), "{texts:?}");
    assert!(texts.contains(&"8.00 s".to_owned()) && texts.contains(&"2.00 s".to_owned()));
}

#[test]
fn without_a_sequential_run_the_first_is_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.svg");
    let input = run_lines("xargs", 4, 2, 1.0) + &run_lines("threads", 4, 4, 1.0);
    let ran = dp_plot(&["-o", out.to_str().unwrap()])
        .stdin(input.as_bytes())
        .run();
    ran.success();
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    assert!(
        texts.contains(&"dp: xargs vs threads".to_owned()),
        "{texts:?}"
    );
    assert!(texts.contains(&"1.00× (baseline)".to_owned()), "{texts:?}");
    assert!(texts.contains(&"2.00×".to_owned()), "{texts:?}");
}

#[test]
fn the_baseline_can_be_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.svg");
    let ran = dp_plot(&[
        "-o",
        out.to_str().unwrap(),
        "--baseline",
        "parallel",
        &fixture(),
    ])
    .run();
    ran.success();
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    // Each bar is labelled time, ratio, name, files.
    let labels = |run: &str| {
        let at = texts.iter().position(|t| t == run).unwrap();
        [&texts[at - 2], &texts[at - 1]].map(String::as_str)
    };
    assert_eq!(labels("sequential"), ["15.02 s", "0.20×"], "{texts:?}");
    assert_eq!(labels("parallel"), ["3.03 s", "1.00× (baseline)"]);
}

#[test]
fn records_without_a_run_are_the_run_no_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = run_lines("x", 4, 1, 2.0).replace(r#""run":"x""#, r#""run":null"#)
        + &run_lines("parallel", 4, 4, 2.0);
    for kind in ["comparison", "timeline"] {
        let out = dir.path().join(format!("{kind}.svg"));
        dp_plot(&["--kind", kind, "-o", out.to_str().unwrap()])
            .stdin(input.as_bytes())
            .run()
            .success();
        let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
        assert!(texts.contains(&"(no run)".to_owned()), "{kind}: {texts:?}");
        if kind == "comparison" {
            assert!(texts.contains(&"dp: (no run) vs parallel".to_owned()));
            assert!(
                texts.contains(&"4.00×".to_owned()),
                "the first is the baseline"
            );
        }
    }
}

#[test]
fn timeline_svg_names_each_file_and_says_how_runs_overlapped() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("timeline.svg");
    let ran = dp_plot(&[
        "--kind",
        "timeline",
        "-o",
        out.to_str().unwrap(),
        "--width",
        "1200",
        "--height",
        "700",
        &fixture(),
    ])
    .run();
    ran.success();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert_eq!(svg_size(&svg), (1200, 700));
    let texts = svg_texts(&svg);
    for expected in [
        "dp: when each file was processed",
        "seconds since the run began",
        "sequential",
        "parallel",
        "5 files · 15.02 s · one at a time",
        "5 files · 3.03 s · up to 5 at once",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "{expected:?} not in {texts:?}"
        );
    }
    for i in 1..=5 {
        let name = format!("data{i}.txt");
        assert_eq!(
            texts.iter().filter(|t| **t == name).count(),
            2,
            "{name} in both runs"
        );
    }
}

#[test]
fn timeline_png_is_the_requested_size_and_draws_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("timeline.png");
    let ran = dp_plot(&[
        "--kind",
        "timeline",
        "-o",
        out.to_str().unwrap(),
        "--width",
        "640",
        "--height",
        "480",
        &fixture(),
    ])
    .run();
    ran.success();
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(png_size(&bytes), (640, 480));
    let pixels = png_pixels(&bytes);
    for color in [SEQUENTIAL_BLUE, PARALLEL_ORANGE] {
        assert!(pixels.iter().filter(|&&p| p == color).count() > 500);
    }
}

#[test]
fn one_file_renders_both_kinds() {
    let dir = tempfile::tempdir().unwrap();
    let input = run_lines("sequential", 1, 1, 0.25);
    for (kind, name) in [("comparison", "one.svg"), ("timeline", "one-t.svg")] {
        let out = dir.path().join(name);
        let ran = dp_plot(&["--kind", kind, "-o", out.to_str().unwrap()])
            .stdin(input.as_bytes())
            .run();
        ran.success();
        let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
        assert!(
            texts.iter().any(|t| t.contains("0.250 s")),
            "{kind}: {texts:?}"
        );
        assert!(
            !texts.iter().any(|t| t.contains("NaN") || t.contains("inf")),
            "{texts:?}"
        );
    }
    let out = dir.path().join("one.png");
    let ran = dp_plot(&["--kind", "timeline", "-o", out.to_str().unwrap()])
        .stdin(input.as_bytes())
        .run();
    ran.success();
    assert_eq!(png_size(&std::fs::read(&out).unwrap()), (1000, 600));
}

#[test]
fn five_hundred_files_in_four_runs_number_rows_instead_of_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let input = run_lines("sequential", 500, 1, 0.05)
        + &run_lines("parallel", 500, 8, 0.05)
        + &run_lines("xargs", 500, 4, 0.05)
        + &run_lines("threads", 500, 2, 0.05);
    let out = dir.path().join("many.svg");
    let ran = dp_plot(&["--kind", "timeline", "-o", out.to_str().unwrap()])
        .stdin(input.as_bytes())
        .run();
    ran.success();
    let svg = std::fs::read_to_string(&out).unwrap();
    let texts = svg_texts(&svg);
    assert!(
        !texts.iter().any(|t| t.starts_with("data")),
        "no file names: {texts:?}"
    );
    assert_eq!(
        texts.iter().filter(|t| *t == "500").count(),
        4,
        "each panel ends at row 500"
    );
    assert!(
        texts.contains(&"500 files · 25.00 s · one at a time".to_owned()),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"500 files · 3.15 s · up to 8 at once".to_owned()),
        "{texts:?}"
    );
    let bars = svg.matches("<rect").count();
    assert!(bars >= 2000, "a bar per file: {bars} rects");
    // Every label fits the picture.
    assert!(texts.len() < 200, "labels are thinned: {}", texts.len());

    let out = dir.path().join("many.png");
    let ran = dp_plot(&["--kind", "timeline", "-o", out.to_str().unwrap()])
        .stdin(input.as_bytes())
        .run();
    ran.success();
    assert_eq!(png_size(&std::fs::read(&out).unwrap()), (1000, 600));
}

#[test]
fn colours_can_follow_the_process_or_the_worker_slot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pid.svg");
    let ran = dp_plot(&[
        "--kind",
        "timeline",
        "--color-by",
        "pid",
        "-o",
        out.to_str().unwrap(),
        &fixture(),
    ])
    .run();
    ran.success();
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    assert!(texts.contains(&"pid 41001".to_owned()), "{texts:?}");

    let out = dir.path().join("slot.svg");
    let ran = dp_plot(&[
        "--kind",
        "timeline",
        "--color-by",
        "slot",
        "-o",
        out.to_str().unwrap(),
        &fixture(),
    ])
    .run();
    ran.success();
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    let slots: Vec<_> = texts.iter().filter(|t| t.starts_with("slot ")).collect();
    assert_eq!(slots, ["slot 1", "slot 2", "slot 3", "slot 4", "slot 5"]);
}

#[test]
fn stdin_is_read_when_no_file_is_given_and_other_records_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c.svg");
    let input = std::fs::read(data("runs.jsonl")).unwrap();
    let ran = dp_plot(&["-o", out.to_str().unwrap()]).stdin(input).run();
    ran.success();
    assert_eq!(ran.stderr, "", "file and error records are not complaints");
    let texts = svg_texts(&std::fs::read_to_string(&out).unwrap());
    assert!(texts.contains(&"4.96×".to_owned()), "{texts:?}");
}
