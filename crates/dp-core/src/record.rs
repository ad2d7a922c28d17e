//! The records dp's tools exchange as JSON Lines (docs/reference.md,
//! "Records").
//!
//! Every record is one JSON object on one line with a `type` field. Readers
//! ignore fields and record types they do not know, so a newer writer never
//! breaks an older reader.

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::manifest::WrittenRecord;
use crate::stats::Summary;

/// One line of a dp stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Record {
    File(FileRecord),
    Verify(VerifyRecord),
    Stats(Box<StatsRecord>),
    Error(ErrorRecord),
    Summary(Box<SummaryRecord>),
    Comparison(ComparisonRecord),
    Scaling(ScalingRecord),
    /// A file dp wrote, in a manifest ([`crate::manifest`]).
    Written(WrittenRecord),
    /// A record type this version does not know; readers skip it.
    #[serde(other)]
    Unknown,
}

/// A data file written by dp-gen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    pub path: String,
    /// 1-based file number: `data3.txt` has index 3.
    pub index: u64,
    /// How many values the file holds.
    pub count: u64,
    pub seed: u64,
    /// The distribution and its parameters, e.g. `normal(mean=50,stddev=10)`.
    pub dist: String,
    /// Size of the file in bytes.
    pub bytes: u64,
}

/// The outcome of `dp-gen --verify` for one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifyRecord {
    pub path: String,
    pub index: u64,
    pub ok: bool,
    /// Why the file failed the check; absent when `ok`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The statistics of one data file, computed by dp-stats.
///
/// The statistics are `null` for an empty file (count 0), and `variance` and
/// `stddev` are `null` below two values (docs/reference.md, "Values and
/// statistics").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsRecord {
    pub path: String,
    pub run: Option<String>,
    pub count: u64,
    /// Tokens skipped by `--skip-invalid`.
    #[serde(default)]
    pub invalid: u64,
    /// `None` when the sum exceeds f64's range (`notes` says so).
    pub sum: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
    pub variance: Option<f64>,
    pub stddev: Option<f64>,
    /// `--percentiles`, as `[[p, value], ...]` with p in 0..=100.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub percentiles: Vec<(f64, f64)>,
    /// Unix time in seconds when work on the file began (delay included).
    pub started_at: f64,
    /// Unix time in seconds when work on the file ended.
    pub finished_at: f64,
    pub elapsed_s: f64,
    pub delay_s: f64,
    pub host: String,
    pub pid: u32,
    pub digest: Digest,
    /// Why a statistic is null although the file has values (it exceeds
    /// f64's range); absent when there is nothing to explain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The checksum of the text as read ([`crate::checksum`]), so a file read
    /// again can be told from one that changed; absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    /// CPU time (user + system) the work on this file used on the thread
    /// that did it, the delay included; `None` in records that do not say.
    #[serde(default)]
    pub cpu_s: Option<f64>,
    /// The process's peak resident memory when the record was made, KiB.
    #[serde(default)]
    pub max_rss_kib: Option<u64>,
    /// How many files the run could process at once (`--workers`,
    /// `DP_WORKERS`, else `-j`); `None` in records that do not say.
    #[serde(default)]
    pub workers: Option<u64>,
    /// Which repetition of its run the record belongs to (1, 2, ...);
    /// `None` when the run was made once.
    #[serde(default)]
    pub repeat: Option<u64>,
    /// How many times the file was read: 1, or more when its values did
    /// not fit `--max-memory`; `None` in records that do not say.
    #[serde(default)]
    pub passes: Option<u32>,
}

impl StatsRecord {
    /// The record of `summary` for `path`, with no run, no invalid tokens and
    /// zero timing: the caller sets what it knows.
    pub fn from_summary(path: String, summary: Summary) -> Self {
        Self {
            path,
            run: None,
            count: summary.count,
            invalid: 0,
            sum: summary.sum,
            min: summary.min,
            max: summary.max,
            mean: summary.mean,
            median: summary.median,
            q1: summary.q1,
            q3: summary.q3,
            variance: summary.variance,
            stddev: summary.stddev,
            percentiles: summary.percentiles,
            started_at: 0.0,
            finished_at: 0.0,
            elapsed_s: 0.0,
            delay_s: 0.0,
            host: String::new(),
            pid: 0,
            digest: summary.digest,
            notes: summary.notes,
            checksum: None,
            cpu_s: None,
            max_rss_kib: None,
            workers: None,
            repeat: None,
            passes: None,
        }
    }
}

impl StatsRecord {
    /// Whether the record says something possible: dp-agg refuses, with
    /// this reason, a record no dp-stats could have written (a negative
    /// variance, a stddev that is not its root, `min > max`, a median
    /// outside them, percentiles out of order or outside 0..=100, times
    /// that run backwards or an `elapsed_s` that is not their difference,
    /// digest points outside `[min, max]`). It does not
    /// recompute anything: a well-formed record that lies is not caught.
    pub fn check(&self) -> Result<(), String> {
        crate::run::check_times(self.started_at, self.finished_at)?;
        let finite = |name: &str, value: Option<f64>| match value {
            Some(v) if !v.is_finite() => Err(format!("{name} {v} is not a finite number")),
            _ => Ok(()),
        };
        for (name, value) in [
            ("sum", self.sum),
            ("min", self.min),
            ("max", self.max),
            ("mean", self.mean),
            ("median", self.median),
            ("q1", self.q1),
            ("q3", self.q3),
            ("variance", self.variance),
            ("stddev", self.stddev),
            ("elapsed_s", Some(self.elapsed_s)),
            ("delay_s", Some(self.delay_s)),
        ] {
            finite(name, value)?;
        }
        if self.elapsed_s < 0.0 || self.delay_s < 0.0 {
            return Err("elapsed_s and delay_s cannot be negative".into());
        }
        // dp-stats writes both ends in microseconds, from one clock reading.
        let span = self.finished_at - self.started_at;
        if (self.elapsed_s - span).abs() > 1e-3 {
            return Err(format!(
                "elapsed_s {} is not finished_at − started_at = {span}",
                self.elapsed_s
            ));
        }
        for (name, value) in [("variance", self.variance), ("stddev", self.stddev)] {
            if let Some(v) = value.filter(|v| *v < 0.0) {
                return Err(format!("{name} {v} is negative"));
            }
            if value.is_some() && self.count < 2 {
                return Err(format!(
                    "{name} needs two values, the record has {}",
                    self.count
                ));
            }
        }
        if let Some(variance) = self.variance {
            // stddev is its root, to its rounding.
            let root = variance.sqrt();
            match self.stddev {
                Some(stddev) if (stddev - root).abs() <= 1e-9 * root => {}
                stddev => {
                    let stddev = stddev.map_or_else(|| "null".to_owned(), |s| s.to_string());
                    return Err(format!(
                        "stddev {stddev} is not the root of variance {variance}"
                    ));
                }
            }
        }
        if self.count == 0 {
            return match [self.min, self.max, self.mean, self.median, self.q1, self.q3] {
                [None, None, None, None, None, None] if self.sum == Some(0.0) => Ok(()),
                _ => Err("a record of no values has statistics".into()),
            };
        }
        let (Some(min), Some(max)) = (self.min, self.max) else {
            return Err(format!("{} values but no min or max", self.count));
        };
        if min > max {
            return Err(format!("min {min} is above max {max}"));
        }
        let inside = |name: &str, value: Option<f64>| match value {
            Some(v) if !(min..=max).contains(&v) => {
                Err(format!("{name} {v} is outside [min, max] = [{min}, {max}]"))
            }
            _ => Ok(()),
        };
        for (name, value) in [
            ("mean", self.mean),
            ("median", self.median),
            ("q1", self.q1),
            ("q3", self.q3),
        ] {
            inside(name, value)?;
        }
        let mut previous: Option<(f64, f64)> = None;
        for &(p, value) in &self.percentiles {
            if !(0.0..=100.0).contains(&p) {
                return Err(format!("percentile {p} is outside [0, 100]"));
            }
            inside("a percentile", Some(value))?;
            if let Some((p0, v0)) = previous
                && ((p0 < p && v0 > value) || (p0 > p && v0 < value))
            {
                return Err(format!(
                    "percentile {p0} is {v0} and percentile {p} is {value}: out of order"
                ));
            }
            previous = Some((p, value));
        }
        if let (Some(q1), Some(median), Some(q3)) = (self.q1, self.median, self.q3)
            && !(q1 <= median && median <= q3)
        {
            return Err(format!(
                "q1 {q1}, median {median} and q3 {q3} are out of order"
            ));
        }
        if let (Some(&first), Some(&last)) = (self.digest.q.first(), self.digest.q.last())
            && (first < min || last > max)
        {
            return Err(format!(
                "digest points [{first}, {last}] reach outside [min, max] = [{min}, {max}]"
            ));
        }
        Ok(())
    }
}

/// A file (or line of input) that failed, in place of the record it would
/// have produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorRecord {
    pub path: String,
    #[serde(default)]
    pub run: Option<String>,
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Which repetition of its run failed, as in `stats`; absent when the
    /// run was made once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<u64>,
}

/// The overall statistics of one run, computed by dp-agg (`--format json`).
///
/// count, sum, min, max, mean, variance and stddev are combined exactly from
/// the per-file records; the quantiles come from the data files read again
/// (`quantiles: "exact"`) or from the merged digests (`"digest"`, with
/// `rank_err`, the bound on their rank error as a fraction of `count`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRecord {
    pub run: Option<String>,
    /// Files with a `stats` record.
    pub files: u64,
    /// Files with an `error` record.
    pub failed: u64,
    #[serde(default)]
    /// The run's `error` records, as dp-stats wrote them.
    pub errors: Vec<ErrorRecord>,
    pub count: u64,
    /// `None` when it is unknown: a file's sum is, or it exceeds f64's
    /// range (`notes` says which).
    pub sum: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
    pub variance: Option<f64>,
    pub stddev: Option<f64>,
    /// Why a statistic is null although the run has values; absent when
    /// there is nothing to explain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub quantiles: QuantileMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_err: Option<f64>,
    /// Earliest `started_at` of the run's files.
    pub started_at: Option<f64>,
    /// Latest `finished_at` of the run's files.
    pub finished_at: Option<f64>,
    /// Wall-clock time of the run: `finished_at - started_at`.
    pub wall_s: Option<f64>,
    pub mean_elapsed_s: Option<f64>,
    /// The work one worker would have done: the sum of `elapsed_s`.
    pub sum_elapsed_s: f64,
    /// Lines of dp-agg's whole input that were not records and were
    /// skipped (the same in every summary: such a line belongs to no run).
    #[serde(default)]
    pub skipped_lines: u64,
    /// Sources of dp-agg's input it could not open or read to the end
    /// (likewise).
    #[serde(default)]
    pub unread_sources: u64,
    /// How many repeats the run was measured over (1 when made once).
    #[serde(default = "one")]
    pub repeats: u64,
    /// The run's total time over its repeats; `None` when no file succeeded.
    #[serde(default)]
    pub total_s: Option<TotalTime>,
    /// Σ `cpu_s` of the run's files (the mean over repeats); `None` when
    /// some record does not say.
    #[serde(default)]
    pub cpu_s: Option<f64>,
    /// The cores kept busy on average: `cpu_s` / total time.
    #[serde(default)]
    pub cores_busy: Option<f64>,
    /// The largest `max_rss_kib` of the run's records.
    #[serde(default)]
    pub max_rss_kib: Option<u64>,
    /// Files and busy time per host, when the run's records name more than
    /// one host; empty (and left out) otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<HostShare>,
}

/// What one host did of a run (docs/reference.md, "Records", `summary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostShare {
    pub host: String,
    /// Files it processed, over every repeat.
    pub files: u64,
    /// Σ `elapsed_s` of those files.
    pub busy_s: f64,
}

fn one() -> u64 {
    1
}

/// A run's total time over its repeats (docs/reference.md, "Runs").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TotalTime {
    pub mean: f64,
    /// Sample standard deviation; `None` for a single repeat.
    pub stddev: Option<f64>,
    pub min: f64,
    pub max: f64,
}

impl From<crate::run::Total> for TotalTime {
    fn from(total: crate::run::Total) -> Self {
        Self {
            mean: total.mean,
            stddev: total.stddev,
            min: total.min,
            max: total.max,
        }
    }
}

/// How a summary's quantiles were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuantileMethod {
    /// From all the values, read again from the data files.
    Exact,
    /// Estimated from the files' merged digests.
    Digest,
    /// Neither was possible (no values, or no usable digests).
    None,
}

/// How the runs compare with the baseline run, computed by dp-agg
/// (`--format json`, with two runs or more).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRecord {
    pub baseline: Option<String>,
    /// Every run, the baseline first.
    pub runs: Vec<RunComparison>,
    /// Whether every run computed the same statistics over the same files.
    pub identical: bool,
    #[serde(default)]
    pub differences: Vec<Difference>,
}

/// One run measured against the baseline. `speedup` (baseline wall time /
/// this run's) and `saved_pct` are `null` where a wall time is zero or unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunComparison {
    pub run: Option<String>,
    pub files: u64,
    pub failed: u64,
    pub wall_s: Option<f64>,
    pub mean_elapsed_s: Option<f64>,
    pub speedup: Option<f64>,
    pub saved_pct: Option<f64>,
    /// How many repeats the run was measured over.
    #[serde(default = "one")]
    pub repeats: u64,
    /// σ of `speedup` from both runs' spreads; `None` unless repeated.
    #[serde(default)]
    pub speedup_stddev: Option<f64>,
    /// For a run of a remote mode (ssh, slurm): its engine's cost per file
    /// ([`crate::run::Overhead`]); left out for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overhead_per_file_s: Option<f64>,
    /// That cost less the local parallel run's, when the stream has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overhead_over_local_s: Option<f64>,
}

/// How the speedup grows with workers, computed by dp-agg
/// (docs/reference.md, "Runs"; [`crate::scaling`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalingRecord {
    /// The mode the runs are of (`parallel` in `parallel-j4`); `None` for
    /// runs labelled `j4` alone.
    pub mode: Option<String>,
    pub points: Vec<ScalingPoint>,
    pub serial_fraction: Option<f64>,
    pub amdahl_limit: Option<f64>,
    pub predicted: Option<Prediction>,
}

/// One run of a scaling table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalingPoint {
    pub run: Option<String>,
    pub workers: u64,
    pub total_s: f64,
    pub total_stddev_s: Option<f64>,
    pub speedup: f64,
    pub efficiency: f64,
    pub karp_flatt: Option<f64>,
}

/// The speedup Amdahl's fit predicts at twice the largest number of workers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub workers: u64,
    pub speedup: f64,
}

/// Something a run computed differently from the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    pub run: Option<String>,
    pub path: String,
    /// The statistic that differs (`sum`, `median`, ...), or `missing`,
    /// `extra` or `failed` when the sets of files differ.
    pub field: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_of(values: &[f64]) -> StatsRecord {
        let mut values = values.to_vec();
        let mut record =
            StatsRecord::from_summary("a.txt".into(), crate::stats::summarize(&mut values, &[]));
        (record.started_at, record.finished_at, record.elapsed_s) = (10.0, 11.0, 1.0);
        record
    }

    #[test]
    fn records_dp_stats_writes_pass_their_check() {
        for values in [
            &[][..],
            &[1.0],
            &[3.0, -1.0, 2.5, 2.5],
            &[1e300, -1e300],
            // A mean that sum / count would round past the max.
            &[0.1, 0.1, 0.1],
            &[1e308, 1e308],
            &[f64::MAX, -f64::MAX],
        ] {
            let record = record_of(values);
            assert_eq!(record.check(), Ok(()), "{values:?}");
        }
    }

    #[test]
    fn a_statistic_beyond_range_is_null_and_its_note_in_the_record() {
        let record = record_of(&[1e308, 1e308]);
        assert_eq!((record.sum, record.mean), (None, Some(1e308)));
        assert_eq!(record.notes, ["sum: exceeds f64's range"]);
        let json = serde_json::to_string(&record).unwrap();
        assert!(
            json.contains(r#""sum":null"#)
                && json.contains(r#""notes":["sum: exceeds f64's range"]"#),
            "{json}"
        );
        assert!(
            !serde_json::to_string(&record_of(&[1.0]))
                .unwrap()
                .contains("notes")
        );
    }

    #[test]
    fn impossible_records_are_refused_with_a_reason() {
        let refused = |change: fn(&mut StatsRecord), why: &str| {
            let mut record = record_of(&[1.0, 2.0, 3.0, 4.0]);
            change(&mut record);
            let err = record.check().unwrap_err();
            assert!(err.contains(why), "{err} (expected {why})");
        };
        refused(|r| r.variance = Some(-1.0), "variance -1 is negative");
        refused(
            |r| (r.min, r.max) = (Some(5.0), Some(1.0)),
            "min 5 is above max 1",
        );
        refused(|r| r.median = Some(9.0), "median 9 is outside");
        refused(|r| r.finished_at = 9.0, "before started_at");
        refused(|r| r.elapsed_s = 1e308, "is not finished_at − started_at");
        refused(|r| r.digest.q[0] = -7.0, "digest points");
        refused(|r| r.q1 = Some(3.5), "out of order");
        refused(|r| r.count = 1, "needs two values");
        refused(|r| r.stddev = Some(9.0), "not the root of variance");
        refused(|r| r.stddev = None, "stddev null is not the root");
        refused(
            |r| r.percentiles = vec![(101.0, 2.0)],
            "percentile 101 is outside [0, 100]",
        );
        refused(
            |r| r.percentiles = vec![(10.0, 3.0), (90.0, 2.0)],
            "out of order",
        );
    }
}
