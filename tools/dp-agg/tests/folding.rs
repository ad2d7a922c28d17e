//! dp-agg on runs whose digests outgrow its memory budget (lowered through
//! `DP_AGG_POINT_BUDGET`): the digests are merged in batches, the stated
//! bound stays within the files' own plus a small merge term, and the true
//! quantiles lie within it.

mod common;

use common::{Reference, Timing, digest_of, stats_record, summaries, values};
use dp_core::digest::shape_rank_err;
use dp_testkit::{Ran, dp};
use serde_json::Value;

const FILES: usize = 3000;
const PER_FILE: usize = 500;

/// dp-agg `--no-exact --format json` on `records`, with a point budget.
fn ran_with_budget(budget: Option<usize>, records: &str) -> Ran {
    let mut command = dp("dp-agg")
        .args(["--no-exact", "--files-limit", "0", "--format", "json"])
        .stdin(records);
    match budget {
        Some(points) => command = command.env("DP_AGG_POINT_BUDGET", points.to_string()),
        None => {
            command.command().env_remove("DP_AGG_POINT_BUDGET");
        }
    }
    command.run()
}

/// The run's summary and stderr, from a dp-agg that succeeds.
fn dp_agg_with_budget(budget: Option<usize>, records: &str) -> (Value, String) {
    let ran = ran_with_budget(budget, records);
    ran.success();
    (summaries(&ran.stdout).remove(0), ran.stderr)
}

/// Files at levels that drift, so batches of them differ.
fn files() -> Vec<Vec<f64>> {
    (0..FILES)
        .map(|i| {
            values(
                i as u64 + 1,
                PER_FILE,
                (i % 37) as f64 + i as f64 / 300.0,
                10.0,
            )
        })
        .collect()
}

fn records_of(files: &[Vec<f64>], first: usize) -> String {
    files
        .iter()
        .enumerate()
        .map(|(i, data)| {
            let timing = Timing {
                started_at: 1.0e9 + i as f64,
                elapsed_s: 0.5,
            };
            stats_record(&format!("data{}.txt", first + i), None, data, timing)
        })
        .collect()
}

/// How far `estimate` is, in ranks, from fractional rank `target`.
fn rank_distance(reference: &Reference, estimate: f64, target: f64) -> f64 {
    let (low, high) = reference.rank_range(estimate);
    if target < low as f64 {
        low as f64 - target
    } else if target > high as f64 {
        target - high as f64
    } else {
        0.0
    }
}

fn check_within_bound(summary: &Value, reference: &Reference, what: &str) -> f64 {
    let n = reference.count as f64;
    let bound = summary["rank_err"].as_f64().unwrap();
    for (field, p) in [("median", 0.5), ("q1", 0.25), ("q3", 0.75)] {
        let estimate = summary[field].as_f64().unwrap();
        let distance = rank_distance(reference, estimate, p * (n - 1.0));
        assert!(
            distance <= bound * n,
            "{what}: {field} ≈ {estimate} is {distance} ranks from its own, bound {}",
            bound * n
        );
    }
    bound
}

#[test]
fn digests_past_the_budget_are_merged_within_the_summed_bound() {
    let files = files();
    let records = records_of(&files, 0);
    let reference = Reference::of(&files.concat());
    let file_err = digest_of(records.lines().next().unwrap()).rank_err;
    let n = reference.count as f64;

    let (whole, _) = dp_agg_with_budget(None, &records);
    assert_eq!(whole["quantiles"], "digest");
    let unmerged = check_within_bound(&whole, &reference, "under the budget");
    assert_eq!(unmerged * n, (FILES as u64 * file_err) as f64);

    // 100,000 points: folds of 1000 digests are taken when 498 digests
    // are held; the first 2 batches and a partial one, and so on.
    let (merged, stderr) = dp_agg_with_budget(Some(100_000), &records);
    assert_eq!(stderr, "");
    assert_eq!(merged["count"], whole["count"]);
    assert_eq!(merged["mean"], whole["mean"]);
    let bound = check_within_bound(&merged, &reference, "merged");
    // At most one merge term (a 4001-point fold of up to 1000 files) per
    // 498 files, on top of the files' own bounds.
    let folds = FILES.div_ceil(498) as u64;
    let merge_term = shape_rank_err(1000 * PER_FILE as u64, 4001);
    assert!(bound > unmerged, "merging says so: {bound} vs {unmerged}");
    assert!(
        bound * n <= (FILES as u64 * file_err + folds * merge_term) as f64,
        "bound {bound} over the files' {unmerged} plus {folds} merge terms of {merge_term}"
    );
    assert!(bound <= 0.005, "{bound}");
}

#[test]
fn files_recorded_again_after_their_digests_were_merged_widen_the_bound() {
    let files = files();
    let mut records = records_of(&files, 0);
    // The first 400 files processed again, with other values: their first
    // records were merged long before.
    let again: Vec<Vec<f64>> = (0..400)
        .map(|i| values(9000 + i, PER_FILE, 100.0, 5.0))
        .collect();
    records.push_str(&records_of(&again, 0));
    let mut now = again.clone();
    now.extend_from_slice(&files[400..]);
    let reference = Reference::of(&now.concat());

    let (summary, _) = dp_agg_with_budget(Some(100_000), &records);
    assert_eq!(summary["count"].as_u64(), Some(reference.count as u64));
    let bound = check_within_bound(&summary, &reference, "files recorded again");
    // Their 200,000 earlier values stay in the merged digests: they widen
    // the bound, stated, not hidden.
    assert!(bound * reference.count as f64 >= 49_000.0, "{bound}");
}

#[test]
fn the_same_records_read_twice_past_the_budget_have_no_quantiles_and_say_why() {
    let files = &files()[..600];
    let records = records_of(files, 0);
    let ran = ran_with_budget(Some(20_000), &(records.clone() + &records));
    ran.code_is(1);
    ran.stderr_has("the merged digests hold 300000 values of 600 replaced records, too many to bound the quantiles; no overall quantiles");
    let summary = &summaries(&ran.stdout)[0];
    assert_eq!(summary["count"], 600 * PER_FILE as u64);
    assert_eq!(summary["quantiles"], "none");
    assert!(summary["median"].is_null(), "{summary}");
}
