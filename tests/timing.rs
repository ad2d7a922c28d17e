//! The Makefile's modes timed: what parallelism buys sleeping and spinning
//! files, and make's clock against dp's. These tests measure, so each holds
//! [`dp_testkit::machine`] for its whole length and nothing else lives in
//! this test binary: no sibling test shares the cores while one measures
//! (cargo runs test binaries one at a time).

mod common;

use common::performance_comparison;
use dp_testkit::{Make, machine, number};

#[test]
fn sleeping_files_overlap_so_five_at_once_take_the_time_of_one() {
    let _machine = machine();
    let make = Make::new(&["FILES=5", "JOBS=5", "DELAY=0.2"]);
    let stdout = make.ok(&["compare"]);
    let speedup = performance_comparison(&stdout, 5, Some(0.2));
    // Sleeping files overlap completely: near FILES when JOBS >= FILES.
    assert!(
        (3.5..=5.5).contains(&speedup),
        "speedup {speedup}, expected about 5\n{stdout}"
    );
}

#[test]
fn spinning_files_speed_up_with_cores_not_with_files() {
    let _machine = machine();
    const FILES: usize = 5;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bound = cores.min(FILES) as f64;
    // The upper end is the claim (no more than the cores, whatever the
    // files); the lower end only that the cores were used at all, as many
    // as this machine gives us now (its other work may hold some).
    let available = dp_testkit::available_cores(std::time::Duration::from_millis(500));
    let expected = (0.55 * available.min(bound))..=(1.3 * bound);
    let make = Make::new(&["FILES=5", "JOBS=5", "DELAY=0.2", "DELAY_MODE=spin"]);
    // A shared machine's other work can take cores away for a moment: more
    // measurements before concluding.
    let mut speedups = Vec::new();
    for _ in 0..3 {
        let stdout = make.ok(&["compare"]);
        let speedup = performance_comparison(&stdout, FILES, None);
        speedups.push(speedup);
        if expected.contains(&speedup) {
            return;
        }
    }
    panic!(
        "speedups {speedups:?} on {cores} cores ({available:.2} available), \
         expected within {expected:?}"
    );
}

#[test]
fn makes_wall_clock_agrees_with_dp_aggs_total_time() {
    let _machine = machine();
    // Long files: make's overhead (~30 ms, more on a loaded machine) stays
    // well under 5%.
    let make = Make::new(&["FILES=2", "JOBS=2", "DELAY=2"]);
    make.ok(&["compare"]);
    let json = common::comparison_json(&make);
    for mode in ["sequential", "parallel"] {
        let wall = std::fs::read_to_string(make.out_dir().join(format!("{mode}.wall"))).unwrap();
        let times: Vec<f64> = wall
            .split_whitespace()
            .map(|t| t.parse().unwrap())
            .collect();
        assert_eq!(times.len(), 2, "{mode}.wall: {wall:?}");
        let make_s = times[1] - times[0];
        let summary = json
            .iter()
            .find(|r| r["type"] == "summary" && r["run"] == mode)
            .unwrap();
        let total_s = number(&summary["wall_s"]);
        // make's clock brackets dp's: it starts before the first file and
        // stops after the last.
        assert!(
            total_s <= make_s && make_s <= total_s * 1.05,
            "{mode}: make measured {make_s:.3} s, dp-agg's total is {total_s:.3} s"
        );
    }
}

#[test]
fn sleeping_files_scale_with_the_workers_of_make_scaling() {
    let _machine = machine();
    // 8 files of 0.2 s: 1.6 s at one worker, 0.4 s at four.
    let make = Make::new(&["FILES=8", "DELAY=0.2", "WORKERS=1 2 4"]);
    make.ok(&["scaling"]);
    let json =
        dp_testkit::records(&std::fs::read_to_string(make.out_dir().join("scaling.json")).unwrap());
    let total = |run: &str| {
        let summary = json
            .iter()
            .find(|r| r["type"] == "summary" && r["run"] == run)
            .unwrap_or_else(|| panic!("no summary of {run} in {json:?}"));
        number(&summary["wall_s"])
    };
    let one = total("parallel-j1");
    assert!((1.6..2.2).contains(&one), "parallel-j1 took {one:.3} s");
    for p in [2.0, 4.0] {
        let speedup = one / total(&format!("parallel-j{p}"));
        // Sleeping files overlap freely: near p, and never beyond it.
        assert!(
            (0.8 * p..=1.05 * p).contains(&speedup),
            "speedup {speedup:.2} at {p} workers"
        );
    }
}
