//! The statistics of SPEC §2: per-file summaries computed exactly, and their
//! exact combination across files.
//!
//! API CONTRACT (stub; the stats helper replaces every `todo!`).

use crate::digest::Digest;

/// The statistics of one set of values (SPEC §2). `None` where undefined:
/// everything but `count` and `sum` for no values, `variance` and `stddev`
/// below two values.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub count: u64,
    pub sum: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
    pub variance: Option<f64>,
    pub stddev: Option<f64>,
    /// `(p, value)` for each requested percentile p in 0..=100.
    pub percentiles: Vec<(f64, f64)>,
    pub digest: Digest,
}

/// Computes the statistics of `values` (reordering them) and their digest,
/// in O(n): quantiles by selection, not by sorting.
pub fn summarize(values: &mut [f64], percentiles: &[f64]) -> Summary {
    let _ = (values, percentiles);
    todo!()
}

/// Count, sum, min, max, mean and the sum of squared deviations of a set of
/// values: what combines exactly across files (Chan, Golub and LeVeque).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Moments {
    pub count: u64,
}

impl Moments {
    /// The moments of one file, from its record's fields.
    pub fn from_summary(
        count: u64,
        sum: f64,
        min: Option<f64>,
        max: Option<f64>,
        mean: Option<f64>,
        variance: Option<f64>,
    ) -> Self {
        let _ = (count, sum, min, max, mean, variance);
        todo!()
    }

    /// Adds another set's moments to these, as if their values were concatenated.
    pub fn merge(&mut self, other: &Moments) {
        let _ = other;
        todo!()
    }

    pub fn sum(&self) -> f64 {
        todo!()
    }
    pub fn min(&self) -> Option<f64> {
        todo!()
    }
    pub fn max(&self) -> Option<f64> {
        todo!()
    }
    pub fn mean(&self) -> Option<f64> {
        todo!()
    }
    /// Sample variance (n − 1); `None` below two values.
    pub fn variance(&self) -> Option<f64> {
        todo!()
    }
    pub fn stddev(&self) -> Option<f64> {
        todo!()
    }
}
