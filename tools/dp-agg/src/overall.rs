//! A run's overall statistics: moments combined exactly from the per-file
//! records, quantiles exact from the data or estimated from the digests.

use dp_core::cli;
use dp_core::digest::Digest;
use dp_core::names::shown;
use dp_core::record::QuantileMethod;
use dp_core::stats::{Moments, Part, Unknown};

use crate::digests::bound_with_stale;
use crate::group::{FileStats, Run};
use crate::reread::{RereadError, Rereader};

/// The overall quantiles reported: median, q1, q3.
const QUANTILES: [f64; 3] = [0.5, 0.25, 0.75];

/// When to read the data files again for exact quantiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantilePolicy {
    /// When every file is readable and the run holds at most `limit` values.
    Auto { limit: u64 },
    /// Always; not being able to is an error.
    Exact,
    /// Never: quantiles from the digests.
    Digest,
}

/// One overall quantile, and the bound on its rank error as a fraction of
/// the count (0 when exact).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantile {
    pub value: f64,
    pub rank_err: f64,
}

/// The statistics of all the values of all the files of a run. A
/// statistic is `None` where it is undefined (too few values) or unknown;
/// `notes` says why of each unknown one.
#[derive(Debug, Clone, PartialEq)]
pub struct Overall {
    pub count: u64,
    pub sum: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub variance: Option<f64>,
    pub stddev: Option<f64>,
    pub median: Option<Quantile>,
    pub q1: Option<Quantile>,
    pub q3: Option<Quantile>,
    pub method: QuantileMethod,
    /// Why a statistic is unknown although the run has values:
    /// `sum unknown: data3.txt's sum exceeds f64's range`.
    pub notes: Vec<String>,
    /// Why the quantiles are not exact, when the reason is worth telling.
    pub quantile_note: Option<String>,
}

impl Overall {
    /// The largest rank error bound of the three quantiles.
    pub fn rank_err(&self) -> Option<f64> {
        (self.method == QuantileMethod::Digest).then(|| {
            [self.median, self.q1, self.q3]
                .into_iter()
                .flatten()
                .map(|q| q.rank_err)
                .fold(0.0, f64::max)
        })
    }

    /// The moments of a run's `files`, no quantiles yet.
    fn of_moments(moments: &Moments, files: &[&FileStats]) -> Self {
        let mut notes = Vec::new();
        let known = |name: &'static str, stat: Result<Option<f64>, Unknown>| match stat {
            Ok(value) => (value, None),
            Err(why) => (None, Some((name, why))),
        };
        let (sum, sum_why) = known("sum", moments.sum().map(Some));
        let (mean, mean_why) = known("mean", moments.mean());
        let (variance, variance_why) = known("variance", moments.variance());
        let (stddev, stddev_why) = known("stddev", moments.stddev());
        let why_of_spread = match (variance_why, stddev_why) {
            // One note for both when they are unknown for the same reason.
            (Some((_, a)), Some((_, b))) if a == b => vec![Some(("variance and stddev", a))],
            (a, b) => vec![a, b],
        };
        for (name, why) in [sum_why, mean_why]
            .into_iter()
            .chain(why_of_spread)
            .flatten()
        {
            notes.push(format!(
                "{name} unknown: {}",
                unknown_reason(name, why, files)
            ));
        }
        Self {
            count: moments.count,
            sum,
            min: moments.min(),
            max: moments.max(),
            mean,
            variance,
            stddev,
            median: None,
            q1: None,
            q3: None,
            method: QuantileMethod::None,
            notes,
            quantile_note: None,
        }
    }

    fn set_quantiles(&mut self, [median, q1, q3]: [Option<Quantile>; 3], method: QuantileMethod) {
        (self.median, self.q1, self.q3, self.method) = (median, q1, q3, method);
    }

    fn add_quantile_note(&mut self, more: String) {
        self.quantile_note = Some(match self.quantile_note.take() {
            Some(note) => format!("{note}; {more}"),
            None => more,
        });
    }
}

/// What a file's record tells [`Moments`].
fn part_of(stats: &FileStats) -> Part {
    Part {
        count: stats.count,
        sum: stats.sum(),
        min: stats.min(),
        max: stats.max(),
        mean: stats.mean(),
        variance: stats.variance(),
        stddev: stats.stddev(),
    }
}

/// Why the statistic `name` of `files` together is unknown, naming the
/// first file to blame.
fn unknown_reason(name: &str, why: Unknown, files: &[&FileStats]) -> String {
    let sum_null = |stats: &&&FileStats| stats.count > 0 && stats.sum().is_none();
    match why {
        Unknown::Range => "it exceeds f64's range".into(),
        Unknown::Inexact => format!(
            "{}, and from the files' rounded means it cannot be told exactly",
            blame(files.iter().filter(sum_null), "sum exceeds f64's range")
        ),
        Unknown::Part => {
            let no_mean = |stats: &&&FileStats| sum_null(stats) && stats.mean().is_none();
            let no_spread = |stats: &&&FileStats| {
                stats.count >= 2 && stats.variance().is_none() && stats.stddev().is_none()
            };
            if name == "sum" {
                blame(files.iter().filter(sum_null), "sum exceeds f64's range")
            } else if name != "mean" && files.iter().any(|stats| no_spread(&stats)) {
                blame(
                    files.iter().filter(no_spread),
                    "record has neither variance nor stddev",
                )
            } else {
                blame(
                    files.iter().filter(no_mean),
                    "record has neither sum nor mean",
                )
            }
        }
    }
}

/// `data3.txt's sum exceeds f64's range`, with ` (and 2 more files')`
/// when there are more files to blame.
fn blame<'a>(mut files: impl Iterator<Item = &'a &'a FileStats>, what: &str) -> String {
    let Some(first) = files.next() else {
        return format!("a file's {what}");
    };
    let first = shown(&first.path);
    match files.count() {
        0 => format!("{first}'s {what}"),
        1 => format!("{first}'s {what} (and 1 more file's)"),
        more => format!("{first}'s {what} (and {more} more files')"),
    }
}

/// Combines a run's statistics. Problems that make the result less than
/// asked for (a file not read again under `--exact`) are reported and fail
/// the run; a file changed since its record is only reported.
pub fn combine<'a>(run: &'a Run, policy: QuantilePolicy, rereader: &mut Rereader<'a>) -> Overall {
    let files: Vec<&FileStats> = run.stats().collect();
    let moments: Moments = files
        .iter()
        .map(|stats| Moments::of_part(&part_of(stats)))
        .collect();
    let mut overall = Overall::of_moments(&moments, &files);
    if overall.count == 0 {
        return overall;
    }
    let label = run.shown_name();
    match exact_quantiles(&files, policy, overall.count, rereader, &label) {
        Ok(exact) => {
            overall.set_quantiles(exact, QuantileMethod::Exact);
            return overall;
        }
        Err(why) => overall.quantile_note = why,
    }
    match digest_quantiles(run, &overall) {
        Ok(estimates) => {
            overall.set_quantiles(estimates, QuantileMethod::Digest);
            let folded = run.digests_folded();
            if folded > 0 {
                overall.add_quantile_note(format!(
                    "digests of {folded} files merged to fit in memory"
                ));
            }
            let stale = run.stale();
            if stale.files > 0 {
                overall.add_quantile_note(format!(
                    "{} values of {} replaced records left in the merged digests widen the bound",
                    stale.values, stale.files
                ));
            }
        }
        Err(err) => {
            cli::fail(format_args!("run {label}: {err}; no overall quantiles"));
            overall.quantile_note = Some(err);
        }
    }
    overall
}

/// The exact quantiles of `files` (`count` values in all) when `policy`
/// asks for them and the files can be read again; else why not, for the
/// report (`None` when not asked).
fn exact_quantiles<'a>(
    files: &[&'a FileStats],
    policy: QuantilePolicy,
    count: u64,
    rereader: &mut Rereader<'a>,
    label: &str,
) -> Result<[Option<Quantile>; 3], Option<String>> {
    match policy {
        QuantilePolicy::Digest => return Err(None),
        QuantilePolicy::Auto { limit } if count > limit => {
            return Err(Some(format!(
                "{count} values, more than --exact-limit {limit}"
            )));
        }
        QuantilePolicy::Auto { .. } | QuantilePolicy::Exact => {}
    }
    let exact = rereader.quantiles(files).map_err(|err| {
        if policy == QuantilePolicy::Exact {
            cli::fail(format_args!("run {label}: --exact: cannot read {err}"));
        } else if let RereadError::Changed { .. } = err {
            cli::warn(format_args!(
                "run {label}: {err}; quantiles estimated from the digests"
            ));
        }
        Some(format!("cannot read {err}"))
    })?;
    let at = |value: Option<f64>| {
        value.map(|value| Quantile {
            value,
            rank_err: 0.0,
        })
    };
    Ok([at(exact.median), at(exact.q1), at(exact.q3)])
}

/// Median, q1 and q3 estimated from the run's digests together, within the
/// run's exact min and max (stale values in its folds may read beyond
/// them; within them the bound holds, see [`crate::digests`]).
fn digest_quantiles(run: &Run, overall: &Overall) -> Result<[Option<Quantile>; 3], String> {
    let digests = run.digests();
    let stale = run.stale();
    let widened = match stale.values {
        0 => None,
        values => Some(bound_with_stale(&digests, values, overall.count).ok_or_else(|| {
            format!(
                "the merged digests hold {values} values of {} replaced records, too many to bound the quantiles",
                stale.files
            )
        })?),
    };
    let within = |value: f64| match (overall.min, overall.max) {
        (Some(min), Some(max)) if min <= max => value.clamp(min, max),
        _ => value,
    };
    // Each quantile searches every digest (unfolded ones too: 50,000 of
    // them past 100,000 records): one thread each.
    let estimates = std::thread::scope(|scope| {
        let digests = &digests;
        QUANTILES
            .map(|p| scope.spawn(move || Digest::quantile(digests, p)))
            .map(|search| search.join().expect("a quantile search does not panic"))
    });
    Ok(estimates.map(|estimate| {
        estimate.map(|estimate| Quantile {
            value: within(estimate.value),
            rank_err: widened.unwrap_or(estimate.rank_err),
        })
    }))
}
