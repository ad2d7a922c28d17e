//! `--kind scaling` on the real binary: speedup by workers with error bars
//! from the repeats, for a few and for many worker counts, and the errors
//! when T_1 is missing.

mod common;

use common::*;

const SERIES_BLUE: &str = "#4E79A7";

/// The records of `mode-j<p>` for each p, `repeats` times each: 8 files,
/// whose total time is `total(p)` (stretched by `spread` on odd repeats).
fn scaling_lines(
    mode: &str,
    workers: &[u64],
    repeats: u64,
    spread: f64,
    total: impl Fn(u64) -> f64,
    labelled: bool,
) -> String {
    let mut out = String::new();
    let mut t0 = 1_700_000_000.0;
    for &p in workers {
        for repeat in 1..=repeats {
            let stretch = if repeat % 2 == 1 { 1.0 + spread } else { 1.0 };
            let total_s = total(p) * stretch;
            let files = 8u64;
            let waves = files.div_ceil(p);
            let each = total_s / waves as f64;
            for i in 0..files {
                let start = t0 + (i / p) as f64 * each;
                let run = if labelled {
                    format!("{mode}-j{p}")
                } else {
                    format!("{mode}{p}")
                };
                let line = stats_line(&run, &format!("/d/f{i}.txt"), start, start + each, 100);
                assert!(line.contains("\"workers\":null,\"repeat\":null"), "{line}");
                out.push_str(&line.replace(
                    "\"workers\":null,\"repeat\":null",
                    &format!("\"workers\":{p},\"repeat\":{repeat}"),
                ));
            }
            t0 += total_s + 5.0;
        }
    }
    out
}

fn plot(
    dir: &std::path::Path,
    name: &str,
    lines: &str,
    extra: &[&str],
) -> (dp_testkit::Ran, std::path::PathBuf) {
    let out = dir.join(name);
    let mut args = vec!["--kind", "scaling", "-o", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let ran = dp_plot(&args).stdin(lines.as_bytes()).run();
    (ran, out)
}

#[test]
fn png_and_svg_of_the_requested_size_for_three_and_seven_worker_counts() {
    let dir = tempfile::tempdir().unwrap();
    for workers in [&[1, 2, 4][..], &[1, 2, 4, 8, 16, 32, 64][..]] {
        let lines = scaling_lines("parallel", workers, 2, 0.05, |p| 16.0 / p as f64, true);
        let (ran, png) = plot(
            dir.path(),
            "s.png",
            &lines,
            &["--width", "900", "--height", "700", "--cores", "4"],
        );
        ran.success();
        assert_eq!(ran.stderr, "");
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(png_size(&bytes), (900, 700));
        assert_eq!(png_pixels(&bytes).len(), 900 * 700);

        let (ran, svg) = plot(
            dir.path(),
            "s.svg",
            &lines,
            &["--width", "800", "--height", "640", "--cores", "4"],
        );
        ran.success();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert_eq!(svg_size(&text), (800, 640));
        let texts = svg_texts(&text);
        for p in workers {
            assert!(texts.contains(&p.to_string()), "tick {p} in {texts:?}");
        }
        for label in [
            "workers (p, log scale)",
            "speedup (×, log scale)",
            "efficiency (S/p)",
            "4 cores",
            "ideal (S = p)",
            "parallel: measured ± σ",
        ] {
            assert!(texts.iter().any(|t| t == label), "{label} in {texts:?}");
        }
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("parallel: Amdahl fit, f = 0.000")),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t == "dp: speedup by workers, parallel"),
            "{texts:?}"
        );
    }
}

/// The error bars' stems in an SVG: vertical `<polyline>`s of two points
/// stroked in the series' colour (the fit's dashes are never vertical).
fn error_bars(svg: &str) -> usize {
    svg.split("<polyline ")
        .skip(1)
        .filter(|e| e[..e.find('>').unwrap()].contains(SERIES_BLUE))
        .filter(|e| {
            let at = e.find("points=\"").unwrap() + 8;
            let points: Vec<(i32, i32)> = e[at..at + e[at..].find('"').unwrap()]
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect();
            points.len() == 2 && points[0].0 == points[1].0 && points[0].1 != points[1].1
        })
        .count()
}

#[test]
fn repeats_give_error_bars() {
    let dir = tempfile::tempdir().unwrap();
    let workers = [1, 2, 4, 8];
    let once = scaling_lines("parallel", &workers, 1, 0.0, |p| 16.0 / p as f64, true);
    let repeated = scaling_lines("parallel", &workers, 3, 0.1, |p| 16.0 / p as f64, true);
    let (ran, without) = plot(dir.path(), "once.svg", &once, &["--cores", "2"]);
    ran.success();
    let (ran, with) = plot(dir.path(), "repeated.svg", &repeated, &["--cores", "2"]);
    ran.success();
    let without = error_bars(&std::fs::read_to_string(without).unwrap());
    let with = error_bars(&std::fs::read_to_string(with).unwrap());
    // One bar per point, in both panels; none without repeats.
    assert_eq!((without, with), (0, 2 * workers.len()));
}

#[test]
fn workers_come_from_the_records_and_t1_from_sequential() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = scaling_lines("sequential", &[1], 1, 0.0, |_| 16.0, false)
        .replace("\"sequential1\"", "\"sequential\"");
    lines.push_str(&scaling_lines(
        "threads",
        &[2, 4],
        1,
        0.0,
        |p| 16.0 / p as f64,
        false,
    ));
    let (ran, svg) = plot(dir.path(), "s.svg", &lines, &["--cores", "8"]);
    ran.success();
    let texts = svg_texts(&std::fs::read_to_string(svg).unwrap());
    assert!(texts.iter().any(|t| t == "8 cores"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "runs: measured ± σ"), "{texts:?}");
}

#[test]
fn a_missing_baseline_exits_1_and_says_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let lines = scaling_lines("parallel", &[2, 4], 1, 0.0, |p| 16.0 / p as f64, true);
    let (ran, out) = plot(dir.path(), "s.png", &lines, &[]);
    ran.code_is(1);
    assert_eq!(
        ran.stderr,
        "dp-plot: cannot scale mode 'parallel': no one-worker run ('parallel-j1') and no run \
         named 'sequential' gives T_1\n"
    );
    assert!(!out.exists());

    let lines = run_lines("plain", 3, 1, 1.0);
    let (ran, out) = plot(dir.path(), "s.png", &lines, &[]);
    ran.code_is(1);
    ran.stderr_has("nothing to scale: no run says its workers");
    assert!(!out.exists());
}

#[test]
fn the_chart_is_recorded_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("m.jsonl");
    let lines = scaling_lines("parallel", &[1, 2], 1, 0.0, |p| 4.0 / p as f64, true);
    let (ran, out) = plot(
        dir.path(),
        "s.png",
        &lines,
        &["--manifest", manifest.to_str().unwrap()],
    );
    ran.success();
    assert!(out.exists());
    let written = std::fs::read_to_string(&manifest).unwrap();
    assert_eq!(written.lines().count(), 1, "{written}");
    assert!(written.contains("s.png"), "{written}");
}
