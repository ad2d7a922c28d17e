//! Statistics that combine exactly across files.

use super::sum::CompensatedSum;
use super::summarize::Summary;

/// Count, sum, min, max, mean and the sum of squared deviations of a set of
/// values: what combines exactly across files (Chan, Golub and LeVeque).
///
/// Merging adds the two sums of squared deviations and the spread between
/// the two means, δ²·na·nb/n, so the variance of the union is that of the
/// concatenated values, not a mean of the files' variances.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Moments {
    pub count: u64,
    sum: CompensatedSum,
    min: Option<f64>,
    max: Option<f64>,
    /// Σ(x − mean)², M2 in Chan, Golub and LeVeque's notation.
    squared_deviations: CompensatedSum,
}

impl Moments {
    /// The moments of one file, from its record's fields.
    ///
    /// The mean is taken as `sum / count`, which is how docs/reference.md
    /// ("Values and statistics") defines it
    /// (and how [`summarize`](super::summarize()) computes it), so `_mean` adds nothing.
    pub fn from_summary(
        count: u64,
        sum: f64,
        min: Option<f64>,
        max: Option<f64>,
        _mean: Option<f64>,
        variance: Option<f64>,
    ) -> Self {
        if count == 0 {
            return Self::default();
        }
        let mut moments = Self {
            count,
            min,
            max,
            ..Self::default()
        };
        moments.sum.add(sum);
        if let Some(variance) = variance {
            moments
                .squared_deviations
                .add(variance * (count - 1) as f64);
        }
        moments
    }

    /// Adds another set's moments to these, as if their values were concatenated.
    pub fn merge(&mut self, other: &Moments) {
        if other.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *other;
            return;
        }
        let (na, nb) = (self.count as f64, other.count as f64);
        let delta = other.sum.value() / nb - self.sum.value() / na;
        self.squared_deviations.add_sum(&other.squared_deviations);
        self.squared_deviations
            .add(delta * delta * (na / (na + nb)) * nb);
        self.sum.add_sum(&other.sum);
        self.count += other.count;
        self.min = extreme(self.min, other.min, f64::min);
        self.max = extreme(self.max, other.max, f64::max);
    }

    pub fn sum(&self) -> f64 {
        self.sum.value()
    }
    pub fn min(&self) -> Option<f64> {
        self.min
    }
    pub fn max(&self) -> Option<f64> {
        self.max
    }
    /// Total sum / total count; `None` for no values.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum.value() / self.count as f64)
    }
    /// Sample variance (n − 1); `None` below two values.
    pub fn variance(&self) -> Option<f64> {
        (self.count >= 2).then(|| self.squared_deviations.value() / (self.count - 1) as f64)
    }
    pub fn stddev(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }
}

impl From<&Summary> for Moments {
    fn from(summary: &Summary) -> Self {
        Self::from_summary(
            summary.count,
            // A sum beyond f64's range (`summary.notes`) reads as ±∞.
            summary
                .sum
                .unwrap_or_else(|| summary.mean.unwrap_or(0.0) * summary.count as f64),
            summary.min,
            summary.max,
            summary.mean,
            summary.variance,
        )
    }
}

impl Extend<Moments> for Moments {
    fn extend<I: IntoIterator<Item = Moments>>(&mut self, parts: I) {
        for part in parts {
            self.merge(&part);
        }
    }
}

impl FromIterator<Moments> for Moments {
    fn from_iter<I: IntoIterator<Item = Moments>>(parts: I) -> Self {
        let mut moments = Self::default();
        moments.extend(parts);
        moments
    }
}

/// Combines two optional extremes with `pick`; an absent one defers to the other.
fn extreme(a: Option<f64>, b: Option<f64>, pick: fn(f64, f64) -> f64) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}
