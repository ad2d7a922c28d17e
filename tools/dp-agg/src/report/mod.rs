//! One report, several faces: the data every format shows, built once, and
//! the number formatting they share. Each face is a small module.

pub mod charts;
pub mod csv;
pub mod hosts;
pub mod html;
pub mod json;
pub mod markdown;
pub mod text;

use std::cmp::Ordering;

use dp_core::names::shown;
use dp_core::record::{Difference, HostShare, QuantileMethod};
use dp_core::run::Speedup;

use crate::args::FilesLimit;
use crate::compare::{self, Comparison};
use crate::group::{FileStats, Run};
use crate::input::Unread;
use crate::overall::{self, Overall, Quantile, QuantilePolicy};
use crate::reread::Rereader;
use crate::scaling::{self, ScalingReport};
use crate::timing::Timing;

/// What the report says about one run.
#[derive(Debug)]
pub struct RunReport<'a> {
    pub run: &'a Run,
    pub overall: Overall,
    pub timing: Timing,
    /// What each host did, when the records name more than one.
    pub hosts: Vec<HostShare>,
}

/// Everything dp-agg reports.
#[derive(Debug)]
pub struct Report<'a> {
    /// The runs in the order they are shown: the baseline first when there
    /// is a comparison, the others in order of appearance.
    pub runs: Vec<RunReport<'a>>,
    /// With two runs or more.
    pub comparison: Option<Comparison>,
    /// What the input held that no run shows.
    pub unread: Unread,
    /// Whether some run was repeated: the report then says whether every
    /// repeat computed the same.
    pub repeated: bool,
    /// What a run's repeats computed differently from its first repeat.
    pub repeat_differences: Vec<Difference>,
    /// The scaling tables (or why one cannot be had).
    pub scaling: Vec<ScalingReport>,
    /// The machine's cores, for the line that says what bound a run.
    pub cores: u64,
}

impl<'a> Report<'a> {
    /// Summarises `runs` and compares them with the one at `baseline`.
    /// With `all_scaling`, one scaling table over every run.
    pub fn build(
        runs: &'a [Run],
        unread: Unread,
        policy: QuantilePolicy,
        baseline: usize,
        all_scaling: bool,
        max_memory: usize,
    ) -> Self {
        let mut rereader = Rereader::new(max_memory);
        let timings: Vec<Timing> = runs.iter().map(Timing::of).collect();
        let comparison = compare::compare(runs, &timings, baseline);
        let scaling = scaling::tables(runs, &timings, all_scaling);
        let repeated = runs.iter().any(Run::was_repeated);
        let repeat_differences = runs.iter().flat_map(compare::repeat_differences).collect();
        let order: Vec<usize> = match &comparison {
            Some(comparison) => comparison.order.clone(),
            None => (0..runs.len()).collect(),
        };
        let runs = order
            .into_iter()
            .map(|at| RunReport {
                run: &runs[at],
                overall: overall::combine(&runs[at], policy, &mut rereader),
                timing: timings[at],
                hosts: hosts::shares(&runs[at]),
            })
            .collect();
        Report {
            runs,
            comparison,
            unread,
            repeated,
            repeat_differences,
            scaling,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get() as u64),
        }
    }

    /// The speedup of a shown run (by its place in [`Report::runs`]).
    pub fn speedup(&self, shown: usize) -> Option<Speedup> {
        let comparison = self.comparison.as_ref()?;
        comparison.speedups.get(comparison.order[shown]).copied()
    }

    /// The baseline's shown report, when there is a comparison.
    pub fn baseline(&self) -> Option<&RunReport<'a>> {
        self.comparison.as_ref().map(|_| &self.runs[0])
    }
}

/// A run's files in natural order of their paths (`data2` before `data10`),
/// so that runs read side by side.
pub fn sorted_files(run: &Run) -> Vec<&FileStats> {
    let mut files: Vec<&FileStats> = run.stats().collect();
    files.sort_by(|a, b| natural_cmp(&a.path, &b.path));
    files
}

/// The files a per-file table shows under `limit`, and how many it leaves out.
pub fn shown_files(run: &Run, limit: FilesLimit) -> (Vec<&FileStats>, usize) {
    let mut files = sorted_files(run);
    let shown = match limit {
        FilesLimit::All => files.len(),
        FilesLimit::First(n) => n.min(files.len()),
    };
    let left_out = files.len() - shown;
    files.truncate(shown);
    (files, left_out)
}

/// A row of the per-file table: path (its control characters escaped, so
/// a newline in a name cannot break a row), count, min, max, mean, median,
/// stddev, time.
pub fn file_cells(stats: &FileStats) -> Vec<String> {
    vec![
        shown(&stats.path).into_owned(),
        stats.count.to_string(),
        stat_text(stats.count, 1, stats.min()),
        stat_text(stats.count, 1, stats.max()),
        stat_text(stats.count, 1, stats.mean()),
        stat_text(stats.count, 1, stats.median()),
        stat_text(stats.count, 2, stats.stddev()),
        format!("{:.3}", stats.elapsed_s),
    ]
}

/// What the input held that no run shows, in words, when it held any:
/// `3 lines skipped (not records), 1 source not read`.
pub fn unread_phrase(unread: &Unread) -> Option<String> {
    let mut parts = Vec::new();
    match unread.skipped_lines {
        0 => {}
        1 => parts.push("1 line skipped (not a record)".to_owned()),
        n => parts.push(format!("{n} lines skipped (not records)")),
    }
    match unread.unread_sources {
        0 => {}
        1 => parts.push("1 source not read".to_owned()),
        n => parts.push(format!("{n} sources not read")),
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The overall statistics as every face shows them, in order: count, sum,
/// min, max, mean, median, q1, q3, variance, stddev. A statistic is `-`
/// where undefined (too few values) and `unknown` where the run has values
/// enough but it could not be had (the report's notes say why).
pub fn overall_rows(overall: &Overall) -> [(&'static str, String); 10] {
    let n = overall.count;
    [
        ("count", n.to_string()),
        ("sum", stat_text(n, 0, overall.sum)),
        ("min", stat_text(n, 1, overall.min)),
        ("max", stat_text(n, 1, overall.max)),
        ("mean", stat_text(n, 1, overall.mean)),
        ("median", quantile_text(overall.method, overall.median)),
        ("q1", quantile_text(overall.method, overall.q1)),
        ("q3", quantile_text(overall.method, overall.q3)),
        ("variance", stat_text(n, 2, overall.variance)),
        ("stddev", stat_text(n, 2, overall.stddev)),
    ]
}

/// A statistic of `count` values that is defined from `needed` values on:
/// its value, `-` where undefined, `unknown` where it has no value although
/// it is defined (beyond f64's range, or not to be had from the records).
pub fn stat_text(count: u64, needed: u64, value: Option<f64>) -> String {
    match value {
        Some(x) => self::value(x),
        None if count >= needed => "unknown".into(),
        None => "-".into(),
    }
}

/// `49.98 (exact)` or `≈ 49.97 (digest, rank error ≤ 0.5%)`.
pub fn quantile_text(method: QuantileMethod, quantile: Option<Quantile>) -> String {
    match (method, quantile) {
        (QuantileMethod::Exact, Some(q)) => format!("{} (exact)", value(q.value)),
        // Digests of small files hold every value: their answer is exact.
        (QuantileMethod::Digest, Some(q)) if q.rank_err == 0.0 => {
            format!("{} (exact, from the digests)", value(q.value))
        }
        (QuantileMethod::Digest, Some(q)) => format!(
            "≈ {} (digest, rank error ≤ {})",
            value(q.value),
            percent(q.rank_err)
        ),
        _ => "-".into(),
    }
}

/// What the report says under the overall statistics: why a statistic is
/// unknown, and why the quantiles are not exact.
pub fn overall_notes(overall: &Overall) -> Vec<String> {
    let mut notes = overall.notes.clone();
    if overall.method != QuantileMethod::Exact
        && let Some(note) = &overall.quantile_note
    {
        notes.push(format!("quantiles not exact: {note}"));
    }
    notes
}

/// Compares strings with runs of digits taken as numbers.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (x_digits, x_rest) = split_digits(a);
                let (y_digits, y_rest) = split_digits(b);
                let x_num = trim_zeros(x_digits);
                let y_num = trim_zeros(y_digits);
                let order = x_num
                    .len()
                    .cmp(&y_num.len())
                    .then_with(|| x_num.cmp(y_num))
                    .then_with(|| x_digits.len().cmp(&y_digits.len()));
                if order != Ordering::Equal {
                    return order;
                }
                (a, b) = (x_rest, y_rest);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

fn split_digits(text: &[u8]) -> (&[u8], &[u8]) {
    let end = text
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text.split_at(end)
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let start = digits
        .iter()
        .position(|&c| c != b'0')
        .unwrap_or(digits.len());
    &digits[start..]
}

/// A statistic for people: 7 significant digits, trailing zeros dropped,
/// scientific notation for the very large and the very small.
pub fn value(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor();
    if !(-4.0..15.0).contains(&magnitude) {
        return format!("{x:.6e}");
    }
    let decimals = (6.0 - magnitude).max(0.0) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// "1 file", "5 files".
pub fn files_phrase(n: u64) -> String {
    if n == 1 {
        "1 file".into()
    } else {
        format!("{n} files")
    }
}

/// "1 more file", "5 more files".
pub fn more_files(n: u64) -> String {
    if n == 1 {
        "1 more file".into()
    } else {
        format!("{n} more files")
    }
}

/// Seconds with two decimals, as the comparison shows them.
pub fn seconds(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), |s| format!("{s:.2}"))
}

/// A fraction as a percentage with two significant digits: `0.5%`, `0.012%`.
pub fn percent(fraction: f64) -> String {
    let pct = fraction * 100.0;
    if pct == 0.0 {
        return "0%".into();
    }
    let decimals = (1.0 - pct.abs().log10().floor()).clamp(0.0, 6.0) as usize;
    let text = format!("{pct:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    format!("{text}%")
}

/// "4.74x faster", "2.00x slower" or "n/a", for a speedup factor.
pub fn speedup_phrase(factor: Option<f64>) -> String {
    match factor {
        Some(f) if f >= 1.0 => format!("{f:.2}x faster"),
        Some(f) => format!("{f:.2}x ({:.2}x slower)", 1.0 / f),
        None => "n/a".into(),
    }
}

/// The total time as the run section shows it: `9.02 s`, or with repeats
/// `15.00 ± 1.00 s (14.00–16.00) over 3 repeats`; `n/a` when unknown.
pub fn total_text(timing: &Timing) -> String {
    match timing.total {
        Some(total) if total.repeats >= 2 => format!(
            "{:.2} ± {:.2} s ({:.2}–{:.2}) over {} repeats",
            total.mean,
            total.stddev.unwrap_or(0.0),
            total.min,
            total.max,
            total.repeats
        ),
        Some(total) => format!("{:.2} s", total.mean),
        None => "n/a".into(),
    }
}

impl Report<'_> {
    /// What bound each run, in the order shown, for the runs whose records
    /// say their CPU time ([`bound_line`]).
    pub fn bound_lines(&self) -> Vec<String> {
        self.runs
            .iter()
            .filter_map(|run| bound_line(&run.run.shown_name(), &run.timing, self.cores))
            .collect()
    }
}

/// A threshold of [`bound_line`]: work that spent at least this share of
/// its own time on a CPU (Σ `cpu_s` / Σ `elapsed_s`) is bound by cores.
/// Judged from the files' own threads rather than from the machine's cores,
/// so that a run on a loaded machine, or on other hosts, is judged right.
pub const BOUND_BY_CORES: f64 = 0.5;

/// How many of the runs' (or repeats') differences a report lists; the
/// rest are counted.
pub const DIFFERENCES_SHOWN: usize = 20;

/// One line on what bound a run: `spin: 1.97 of 2 cores busy: bound by
/// cores` when its work spent at least [`BOUND_BY_CORES`] of its time on a
/// CPU (of min(workers, cores) it could use), else `parallel: 0.01 cores
/// busy on average: the work waits, so more workers than cores help`.
/// `None` without `cpu_s`.
pub fn bound_line(name: &str, timing: &Timing, cores: u64) -> Option<String> {
    let busy = timing.cores_busy?;
    let computes =
        timing.sum_elapsed_s > 0.0 && timing.cpu_s? >= BOUND_BY_CORES * timing.sum_elapsed_s;
    let usable = timing.workers.unwrap_or(cores).clamp(1, cores.max(1));
    Some(if computes {
        format!("{name}: {busy:.2} of {usable} cores busy: bound by cores")
    } else {
        format!(
            "{name}: {busy:.2} cores busy on average: the work waits, so more workers than cores help"
        )
    })
}

/// The rows on where the time went, when the records carry `cpu_s`:
/// CPU time, cores busy, peak memory (means over the repeats).
pub fn cpu_rows(timing: &Timing) -> Vec<(&'static str, String)> {
    let Some(cpu) = timing.cpu_s else {
        return Vec::new();
    };
    let over = if timing.repeats() >= 2 {
        ", mean over the repeats"
    } else {
        ""
    };
    let mut rows = vec![("cpu time", format!("{cpu:.2} s (all files' cpu_s{over})"))];
    if let Some(busy) = timing.cores_busy {
        rows.push((
            "cores busy",
            format!("{busy:.2} on average (cpu time / total time)"),
        ));
    }
    if let Some(rss) = timing.max_rss_kib {
        rows.push(("peak memory", format!("{rss} KiB (largest max_rss_kib)")));
    }
    rows
}

/// The comparison's last line's tail with repeats: `; ± 0.02 over 5
/// repeats` (`over 5 and 3 repeats` when the baseline's and the run's
/// differ), empty for runs made once.
pub fn spread_tail(speedup: &Speedup, baseline: &Timing, timing: &Timing) -> String {
    let (b, r) = (baseline.repeats(), timing.repeats());
    match speedup.stddev {
        Some(sigma) if b == r => format!("; ± {sigma:.2} over {r} repeats"),
        Some(sigma) => format!("; ± {sigma:.2} over {b} and {r} repeats"),
        None => String::new(),
    }
}

/// The rows of a scaling table: run, p, T_p (mean ± σ), speedup,
/// efficiency, e_p (`-` at p = 1).
pub fn scaling_rows(scaling: &dp_core::scaling::Scaling) -> Vec<Vec<String>> {
    scaling
        .points
        .iter()
        .map(|point| {
            let total = match point.total.stddev {
                Some(sigma) => format!("{:.2} ± {sigma:.2}", point.total.mean),
                None => format!("{:.2}", point.total.mean),
            };
            vec![
                shown(dp_core::run::name(point.run.as_deref())).into_owned(),
                point.workers.to_string(),
                total,
                format!("{:.2}", point.speedup),
                format!("{:.2}", point.efficiency),
                point
                    .karp_flatt
                    .map_or_else(|| "-".to_owned(), |e| format!("{e:.2}")),
            ]
        })
        .collect()
}

/// Amdahl's fit in words: the serial fraction, its limit, the prediction.
pub fn scaling_fit(scaling: &dp_core::scaling::Scaling) -> Vec<(&'static str, String)> {
    let Some(f) = scaling.serial_fraction else {
        return vec![(
            "Serial fraction f",
            "n/a (no run with more than one worker)".to_owned(),
        )];
    };
    let mut rows = vec![("Serial fraction f (Amdahl fit)", format!("{f:.2}"))];
    rows.push((
        "Speedup limit 1/f",
        scaling
            .amdahl_limit
            .map_or_else(|| "none (f = 0)".to_owned(), |l| format!("{l:.2}x")),
    ));
    if let Some((p, s)) = scaling.predicted {
        rows.push(("Predicted", format!("{s:.2}x at {p} workers")));
    }
    rows
}

/// The comparison's rows, the baseline first: run (`(baseline)` marked),
/// total time (s), files, failed, average per file (s), speedup (± σ with
/// repeats), time saved. Names as [`shown`]; each face escapes its own way.
pub fn comparison_rows(report: &Report) -> Vec<[String; 7]> {
    report
        .runs
        .iter()
        .enumerate()
        .map(|(shown, run)| {
            let timing = &run.timing;
            let name = run.run.shown_name();
            let (name, factor, saved) = if shown == 0 {
                (
                    format!("{name} (baseline)"),
                    "1.00x".to_owned(),
                    "-".to_owned(),
                )
            } else {
                let speedup = report.speedup(shown).unwrap_or_default();
                let spread = match speedup.stddev {
                    Some(sigma) => format!(" ± {sigma:.2}"),
                    None => String::new(),
                };
                (
                    name.into_owned(),
                    format!("{}{spread}", speedup_phrase(speedup.factor)),
                    saved_phrase(speedup.saved_pct).unwrap_or_else(|| "n/a".into()),
                )
            };
            [
                name,
                seconds(timing.wall_s),
                timing.files.to_string(),
                timing.failed.to_string(),
                seconds(timing.mean_elapsed_s),
                factor,
                saved,
            ]
        })
        .collect()
}

/// A run's timing as the tables show it: processed, failed, total time,
/// average and sum of file times, then [`cpu_rows`].
pub fn timing_rows(timing: &Timing) -> Vec<(&'static str, String)> {
    let total = if timing.repeats() >= 2 {
        total_text(timing)
    } else {
        format!("{} s", seconds(timing.wall_s))
    };
    let mut rows = vec![
        ("processed", files_phrase(timing.files)),
        ("failed", timing.failed.to_string()),
        ("total time (first start to last finish)", total),
        (
            "average time per file",
            format!("{} s", seconds(timing.mean_elapsed_s)),
        ),
        (
            "sum of file times",
            format!("{} s", seconds(Some(timing.sum_elapsed_s))),
        ),
    ];
    rows.extend(cpu_rows(timing));
    rows
}

/// "79% less time" or "12% more time".
pub fn saved_phrase(saved_pct: Option<f64>) -> Option<String> {
    saved_pct.map(|pct| {
        if pct >= 0.0 {
            format!("{pct:.0}% less time")
        } else {
            format!("{:.0}% more time", -pct)
        }
    })
}

/// `1 difference`, `3 differences`: how the text and html faces count them.
fn differences_counted(n: usize) -> String {
    format!("{n} difference{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_seven_significant_digits() {
        assert_eq!(value(49.975231234), "49.97523");
        assert_eq!(value(50.0), "50");
        assert_eq!(value(-0.5), "-0.5");
        assert_eq!(value(249876.25), "249876.2");
        assert_eq!(value(4999876123.0), "4999876123");
        assert_eq!(value(0.00012345678), "0.0001234568");
        assert_eq!(value(1e-7), "1.000000e-7");
        assert_eq!(value(9.99999999), "10");
    }

    #[test]
    fn percentages_keep_two_significant_digits() {
        assert_eq!(percent(0.005), "0.5%");
        assert_eq!(percent(0.0021), "0.21%");
        assert_eq!(percent(0.000123), "0.012%");
        assert_eq!(percent(0.25), "25%");
        assert_eq!(percent(0.0), "0%");
    }

    #[test]
    fn natural_order_reads_numbers_as_numbers() {
        let mut paths = vec![
            "data10.txt",
            "data2.txt",
            "data1.txt",
            "a/data02.txt",
            "data2.txt",
        ];
        paths.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            paths,
            [
                "a/data02.txt",
                "data1.txt",
                "data2.txt",
                "data2.txt",
                "data10.txt"
            ]
        );
        assert_eq!(natural_cmp("x01", "x1"), Ordering::Greater);
    }

    #[test]
    fn speedups_refuse_and_name_slowdowns() {
        assert_eq!(speedup_phrase(Some(4.744)), "4.74x faster");
        assert_eq!(speedup_phrase(Some(0.5)), "0.50x (2.00x slower)");
        assert_eq!(speedup_phrase(None), "n/a");
        assert_eq!(saved_phrase(Some(78.9)).unwrap(), "79% less time");
        assert_eq!(saved_phrase(Some(-100.0)).unwrap(), "100% more time");
    }
}
