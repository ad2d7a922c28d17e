//! Shared helpers for dp-agg's tests: dp-agg run through dp-testkit, data
//! files with their `stats` records, and reference statistics computed the
//! naive way (sort, two passes), independently of dp-core's.

#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};

use dp_core::digest::Digest;
use dp_core::record::{ErrorRecord, Record, StatsRecord};
use dp_core::splitmix::SplitMix64;
use dp_core::stats::summarize;
use dp_testkit::{Ran, dp};

/// Runs dp-agg in `dir` with `args`, feeding `stdin`.
pub fn dp_agg(dir: &Path, args: &[&str], stdin: &str) -> Ran {
    dp("dp-agg").args(args).current_dir(dir).stdin(stdin).run()
}

/// Writes `values` one a line to `dir/name`, returning the path as written in records.
pub fn write_data(dir: &Path, name: &str, values: &[f64]) -> String {
    let mut text = String::new();
    for v in values {
        text.push_str(&format!("{v}\n"));
    }
    std::fs::write(dir.join(name), text).unwrap();
    name.to_owned()
}

/// Deterministic pseudo-random values: `count` values around `level`,
/// spread by `spread`.
pub fn values(seed: u64, count: usize, level: f64, spread: f64) -> Vec<f64> {
    let mut random = SplitMix64(seed);
    (0..count)
        .map(|_| {
            let unit = random.next_f64();
            // Round to 6 decimals, as data files usually hold.
            ((level + spread * (unit - 0.5)) * 1e6).round() / 1e6
        })
        .collect()
}

/// The timing part of a record: when the file started and how long it took.
#[derive(Clone, Copy)]
pub struct Timing {
    pub started_at: f64,
    pub elapsed_s: f64,
}

/// The `stats` record dp-stats would write for `values` (statistics by
/// dp-core, as dp-stats computes them).
pub fn stats_record(path: &str, run: Option<&str>, values: &[f64], timing: Timing) -> String {
    stats_line(stats_of(path, run, values, timing))
}

/// The record of [`stats_record`], to change before it is written.
pub fn stats_of(path: &str, run: Option<&str>, values: &[f64], timing: Timing) -> StatsRecord {
    let mut data = values.to_vec();
    let summary = summarize(&mut data, &[]);
    StatsRecord {
        run: run.map(str::to_owned),
        started_at: timing.started_at,
        finished_at: timing.started_at + timing.elapsed_s,
        elapsed_s: timing.elapsed_s,
        host: "test".into(),
        pid: 1,
        ..StatsRecord::from_summary(path.to_owned(), summary)
    }
}

/// A `stats` record as a line of JSON.
pub fn stats_line(record: StatsRecord) -> String {
    line(&Record::Stats(Box::new(record)))
}

/// Timing enough for a record: started at `started_at`, one second long.
pub fn at(started_at: f64) -> Timing {
    Timing {
        started_at,
        elapsed_s: 1.0,
    }
}

/// An `error` record.
pub fn error_record(path: &str, run: Option<&str>, error: &str) -> String {
    line(&Record::Error(ErrorRecord {
        path: path.to_owned(),
        run: run.map(str::to_owned),
        error: error.to_owned(),
        line: None,
        repeat: None,
    }))
}

fn line(record: &Record) -> String {
    let mut text = serde_json::to_string(record).unwrap();
    text.push('\n');
    text
}

/// Reference statistics of a set of values, computed naively.
#[derive(Debug)]
pub struct Reference {
    pub count: usize,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub variance: f64,
    pub median: f64,
    pub q1: f64,
    pub q3: f64,
    pub sorted: Vec<f64>,
}

impl Reference {
    pub fn of(values: &[f64]) -> Self {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        // Sum in f128-like care is not needed for these magnitudes: sorted
        // pairwise sums are accurate to far below the tolerance used.
        let sum = pairwise_sum(&sorted);
        let mean = sum / n as f64;
        let variance = pairwise_sum(
            &sorted
                .iter()
                .map(|x| (x - mean) * (x - mean))
                .collect::<Vec<_>>(),
        ) / (n - 1) as f64;
        let quantile = |p: f64| {
            let h = (n - 1) as f64 * p;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        };
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Reference {
            count: n,
            sum,
            min: sorted[0],
            max: sorted[n - 1],
            mean,
            variance,
            median,
            q1: quantile(0.25),
            q3: quantile(0.75),
            sorted: sorted.clone(),
        }
    }

    /// The ranks (0-based, inclusive range) at which `value` sits in the data.
    pub fn rank_range(&self, value: f64) -> (usize, usize) {
        let below = self.sorted.partition_point(|&x| x < value);
        let up_to = self.sorted.partition_point(|&x| x <= value);
        (below, up_to.max(below + 1) - 1)
    }
}

fn pairwise_sum(values: &[f64]) -> f64 {
    if values.len() <= 8 {
        return values.iter().sum();
    }
    let (a, b) = values.split_at(values.len() / 2);
    pairwise_sum(a) + pairwise_sum(b)
}

/// The `summary` records of dp-agg's JSON output, in order.
pub fn summaries(json: &str) -> Vec<serde_json::Value> {
    dp_testkit::records(json)
        .into_iter()
        .filter(|record| record["type"] == "summary")
        .collect()
}

/// A temporary directory for one test.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The digest of a record line, for tests that look into it.
pub fn digest_of(record_line: &str) -> Digest {
    match serde_json::from_str::<Record>(record_line).unwrap() {
        Record::Stats(stats) => stats.digest,
        other => panic!("not a stats record: {other:?}"),
    }
}

/// The directory holding the committed fixtures.
pub fn data_dir() -> PathBuf {
    dp_testkit::fixture(env!("CARGO_MANIFEST_DIR"), "")
}
