//! A run's overall statistics: moments combined exactly from the per-file
//! records, quantiles exact from the data or estimated from the digests.

use dp_core::cli;
use dp_core::digest::Digest;
use dp_core::record::{QuantileMethod, StatsRecord};

/// The overall quantiles reported: median, q1, q3.
const QUANTILES: [f64; 3] = [0.5, 0.25, 0.75];
use dp_core::stats::Moments;

use crate::group::Run;
use crate::reread::{RereadError, Rereader};

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

/// The statistics of all the values of all the files of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Overall {
    pub count: u64,
    pub sum: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub variance: Option<f64>,
    pub stddev: Option<f64>,
    pub median: Option<Quantile>,
    pub q1: Option<Quantile>,
    pub q3: Option<Quantile>,
    pub method: QuantileMethod,
    /// Why the quantiles are not exact, when the reason is worth telling.
    pub note: Option<String>,
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
}

/// Combines a run's statistics. Problems that make the result less than
/// asked for (a file gone under `--exact`, a bad digest) are reported and
/// fail the run; a file changed since its record is only reported.
pub fn combine<'a>(run: &'a Run, policy: QuantilePolicy, rereader: &mut Rereader<'a>) -> Overall {
    let files: Vec<&StatsRecord> = run.stats().collect();
    let mut moments = Moments::default();
    for stats in &files {
        moments.merge(&Moments::from_summary(
            stats.count,
            stats.sum,
            stats.min,
            stats.max,
            stats.mean,
            stats.variance,
        ));
    }
    let mut overall = Overall {
        count: moments.count,
        sum: moments.sum(),
        min: moments.min(),
        max: moments.max(),
        mean: moments.mean(),
        variance: moments.variance(),
        stddev: moments.stddev(),
        median: None,
        q1: None,
        q3: None,
        method: QuantileMethod::None,
        note: None,
    };
    if moments.count == 0 {
        return overall;
    }

    let label = dp_core::run::name(run.label.as_deref());
    let try_exact = match policy {
        QuantilePolicy::Digest => false,
        QuantilePolicy::Exact => true,
        QuantilePolicy::Auto { limit } => {
            if moments.count > limit {
                overall.note = Some(format!(
                    "{} values, more than --exact-limit {limit}",
                    moments.count
                ));
            }
            moments.count <= limit
        }
    };
    if try_exact {
        match rereader.quantiles(&files) {
            Ok(exact) => {
                let at = |value: Option<f64>| {
                    value.map(|value| Quantile {
                        value,
                        rank_err: 0.0,
                    })
                };
                overall.median = at(exact.median);
                overall.q1 = at(exact.q1);
                overall.q3 = at(exact.q3);
                overall.method = QuantileMethod::Exact;
                return overall;
            }
            Err(err) => {
                if policy == QuantilePolicy::Exact {
                    cli::fail(format_args!("run {label}: --exact: cannot read {err}"));
                } else if let RereadError::Changed { .. } = err {
                    cli::warn(format_args!(
                        "run {label}: {err}; quantiles estimated from the digests"
                    ));
                }
                overall.note = Some(format!("cannot read {err}"));
            }
        }
    }

    match digest_quantiles(run, (moments.min(), moments.max())) {
        Ok([median, q1, q3]) => {
            overall.median = median;
            overall.q1 = q1;
            overall.q3 = q3;
            overall.method = QuantileMethod::Digest;
            let folded = run.digests_folded();
            if folded > 0 {
                let merged = format!("digests of {folded} files merged to fit in memory");
                overall.note = Some(match overall.note.take() {
                    Some(note) => format!("{note}; {merged}"),
                    None => merged,
                });
            }
        }
        Err(err) => {
            cli::fail(format_args!("run {label}: {err}; no overall quantiles"));
            overall.note = Some(err);
        }
    }
    overall
}

/// Median, q1 and q3 estimated from the run's digests together, within the
/// run's exact min and max (a fold that lost values to a file recorded again
/// may read beyond them; within them its bound holds, see
/// [`Digest::without`]).
fn digest_quantiles(
    run: &Run,
    (min, max): (Option<f64>, Option<f64>),
) -> Result<[Option<Quantile>; 3], String> {
    let digests = run.digests()?;
    let within = |value: f64| match (min, max) {
        (Some(min), Some(max)) if min <= max => value.clamp(min, max),
        _ => value,
    };
    Ok(QUANTILES.map(|p| {
        Digest::quantile(&digests, p).map(|estimate| Quantile {
            value: within(estimate.value),
            rank_err: estimate.rank_err,
        })
    }))
}
