//! Statistics that combine exactly across files, and say so when they cannot.
//!
//! # Two scales
//!
//! The moments are summed as they are (the *plain* sums): while every part's
//! sum and variance is known and nothing overflows, the combination is
//! Chan, Golub and LeVeque's on compensated sums, exact to the rounding of
//! the parts' records. Beside them the same sums are kept on a scale where
//! nothing overflows (the *wide* sums): Σx·2⁻ᴴ and Σ(x − mean)²·2⁻²ᴴ with
//! H = [`SCALE_EXPONENT`]. Scaling by a power of two is exact, so the wide
//! sums equal the plain ones, scaled, except for contributions below 2⁻⁴⁷⁶
//! (which go subnormal). They are read only where the plain ones overflowed
//! or miss a part, and there every such contribution is far below an ulp of
//! the result: a sum or a sum of squares beyond f64's range.
//!
//! # Parts that do not say everything
//!
//! A part's record may have no sum (it exceeds f64's range) or, with two
//! values or more, no variance (likewise). Then:
//!
//! - the combined sum is unknown ([`Unknown::Part`]);
//! - the mean is still Σ nᵢ·meanᵢ / N, each weight nᵢ/N ≤ 1, so it does not
//!   overflow; but a record's mean is rounded (taken to be within
//!   [`MEAN_ERROR`] of its value), so nᵢ·meanᵢ is not the part's sum. The
//!   bound on that error is carried along, and the mean is given only while
//!   the bound is within [`TOLERANCE`] of it; otherwise it is
//!   [`Unknown::Inexact`] (the parts' means cancel);
//! - the differences of the means between parts, which the combined
//!   variance needs, carry the same error, and its bound on Σ(x − mean)² is
//!   carried and checked the same way;
//! - a part with no variance but a standard deviation (the variance beyond
//!   range, the deviation not) gives its Σ(x − mean)² on the wide scale; a
//!   part with neither, or a part with neither sum nor mean merged with
//!   another, makes the combined variance [`Unknown::Part`].

use super::sum::CompensatedSum;
use super::summarize::Summary;

/// H: the wide sums are Σx·2⁻ᴴ and Σ(x − mean)²·2⁻²ᴴ. The largest term of
/// the latter is δ²·n/4 with δ, a difference of two means, below 2¹⁰²⁵·2⁻ᴴ,
/// and n below 2⁶⁴: 2·(1025 − H) + 62 < 1024 takes H ≥ 545.
pub const SCALE_EXPONENT: i32 = 546;
/// 2ᴴ and 2⁻ᴴ.
const UP: f64 = f64::from_bits(((1023 + SCALE_EXPONENT) as u64) << 52);
const DOWN: f64 = f64::from_bits(((1023 - SCALE_EXPONENT) as u64) << 52);

/// How far a record's mean may be from its part's true mean, relative to
/// it, with the rounding of nᵢ·meanᵢ: two ulps.
pub const MEAN_ERROR: f64 = 2.0 * f64::EPSILON;

/// A combined statistic computed from rounded means is given while the
/// bound on its error is at most this fraction of it.
pub const TOLERANCE: f64 = 1e-14;

/// What one part's record says of its values: each statistic `None` where
/// the record has `null` (undefined, or beyond f64's range).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Part {
    pub count: u64,
    pub sum: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub variance: Option<f64>,
    pub stddev: Option<f64>,
}

/// Why a combined statistic has no value although there are values enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unknown {
    /// A part does not give its own (its record has `null`).
    Part,
    /// It exceeds f64's range.
    Range,
    /// It can only be had from the parts' rounded means (a part's sum is
    /// unknown), and they cancel too much to give it within [`TOLERANCE`].
    Inexact,
}

/// Count, sum, min, max, mean and the sum of squared deviations of a set of
/// values: what combines exactly across files (Chan, Golub and LeVeque).
///
/// Merging adds the two sums of squared deviations and the spread between
/// the two means, δ²·na·nb/n, so the variance of the union is that of the
/// concatenated values, not a mean of the files' variances. What the parts
/// do not say stays unknown (module doc), never a NaN, an infinity or a 0.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Moments {
    pub count: u64,
    min: Option<f64>,
    max: Option<f64>,
    /// Σx, plain.
    sum: CompensatedSum,
    /// Σ(x − mean)², M2 in Chan, Golub and LeVeque's notation, plain.
    squared_deviations: CompensatedSum,
    /// Σx·2⁻ᴴ, with nᵢ·meanᵢ·2⁻ᴴ for a part whose sum is unknown.
    wide_sum: CompensatedSum,
    /// The bound on the error of `wide_sum` from those means.
    wide_sum_error: f64,
    /// Σ(x − mean)²·2⁻²ᴴ.
    wide_squared_deviations: CompensatedSum,
    /// The bound on its error from the means' errors.
    wide_squares_error: f64,
    /// A part's sum is unknown: the plain sums miss it.
    sum_missing: bool,
    /// A part's Σ(x − mean)² is not in the plain sum (its variance is unknown).
    plain_squares_missing: bool,
    /// A part has neither sum nor mean.
    mean_missing: bool,
    /// A part of two values or more has neither variance nor stddev, or
    /// parts were merged without the mean of one.
    squares_missing: bool,
}

impl Moments {
    /// The moments of one part, from its record's statistics.
    ///
    /// With the sum known, the mean is taken as `sum / count`, which is how
    /// docs/reference.md ("Values and statistics") defines it (and how
    /// [`summarize`](super::summarize()) computes it); the record's mean is
    /// used only when the sum is unknown.
    pub fn of_part(part: &Part) -> Self {
        let count = part.count;
        if count == 0 {
            return Self::default();
        }
        let mut moments = Self {
            count,
            min: part.min,
            max: part.max,
            ..Self::default()
        };
        let n = count as f64;
        match (part.sum, part.mean) {
            (Some(sum), _) => {
                moments.sum.add(sum);
                moments.wide_sum.add(sum * DOWN);
            }
            (None, Some(mean)) => {
                let scaled = mean * DOWN * n;
                moments.wide_sum.add(scaled);
                moments.wide_sum_error = scaled.abs() * MEAN_ERROR;
                moments.sum_missing = true;
            }
            (None, None) => {
                moments.sum_missing = true;
                moments.mean_missing = true;
            }
        }
        if count >= 2 {
            let df = (count - 1) as f64;
            match (part.variance, part.stddev) {
                (Some(variance), _) => {
                    moments.squared_deviations.add(variance * df);
                    moments
                        .wide_squared_deviations
                        .add(variance * DOWN * DOWN * df);
                }
                (None, Some(stddev)) => {
                    let scaled = stddev * DOWN;
                    moments.wide_squared_deviations.add(scaled * scaled * df);
                    moments.plain_squares_missing = true;
                }
                (None, None) => {
                    moments.plain_squares_missing = true;
                    moments.squares_missing = true;
                }
            }
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

        let wide_delta = other.wide_sum.value() / nb - self.wide_sum.value() / na;
        let delta_error = other.wide_sum_error / nb + self.wide_sum_error / na;
        let weight = (na / (na + nb)) * nb;
        self.wide_squared_deviations
            .add_sum(&other.wide_squared_deviations);
        self.wide_squared_deviations
            .add(wide_delta * wide_delta * weight);
        self.wide_squares_error += other.wide_squares_error
            + (2.0 * wide_delta.abs() * delta_error + delta_error * delta_error) * weight;

        self.sum.add_sum(&other.sum);
        self.wide_sum.add_sum(&other.wide_sum);
        self.wide_sum_error += other.wide_sum_error;
        self.count += other.count;
        self.min = extreme(self.min, other.min, f64::min);
        self.max = extreme(self.max, other.max, f64::max);
        self.sum_missing |= other.sum_missing;
        self.plain_squares_missing |= other.plain_squares_missing;
        // The spread between the two means needs both.
        self.squares_missing |= other.squares_missing || self.mean_missing || other.mean_missing;
        self.mean_missing |= other.mean_missing;
    }

    /// The sum; 0 for no values.
    pub fn sum(&self) -> Result<f64, Unknown> {
        if self.sum_missing {
            return Err(Unknown::Part);
        }
        let plain = self.sum.value();
        if plain.is_finite() {
            return Ok(plain);
        }
        // A partial sum overflowed; the whole may not have.
        within_range(self.wide_sum.value() * UP)
    }

    pub fn min(&self) -> Option<f64> {
        self.min
    }

    pub fn max(&self) -> Option<f64> {
        self.max
    }

    /// Total sum / total count; `None` for no values.
    pub fn mean(&self) -> Result<Option<f64>, Unknown> {
        if self.count == 0 {
            return Ok(None);
        }
        let n = self.count as f64;
        if let Some(plain) = self.plain_sum() {
            return Ok(Some(plain / n));
        }
        if self.mean_missing {
            return Err(Unknown::Part);
        }
        let wide = self.wide_sum.value();
        if self.wide_sum_error > TOLERANCE * wide.abs() {
            return Err(Unknown::Inexact);
        }
        within_range(wide / n * UP).map(Some)
    }

    /// Sample variance (n − 1); `None` below two values.
    pub fn variance(&self) -> Result<Option<f64>, Unknown> {
        if self.count < 2 {
            return Ok(None);
        }
        if let Some(plain) = self.plain_squared_deviations() {
            return Ok(Some(plain / (self.count - 1) as f64));
        }
        let scaled = self.wide_variance()?;
        within_range(scaled * UP * UP).map(Some)
    }

    /// Sample standard deviation; `None` below two values. It may be known
    /// where the variance, its square, exceeds f64's range.
    pub fn stddev(&self) -> Result<Option<f64>, Unknown> {
        if self.count < 2 {
            return Ok(None);
        }
        if let Some(plain) = self.plain_squared_deviations() {
            return Ok(Some((plain / (self.count - 1) as f64).sqrt()));
        }
        let scaled = self.wide_variance()?;
        within_range(scaled.sqrt() * UP).map(Some)
    }

    /// The plain sum, when it holds every part and did not overflow.
    fn plain_sum(&self) -> Option<f64> {
        let plain = self.sum.value();
        (!self.sum_missing && plain.is_finite()).then_some(plain)
    }

    /// The plain Σ(x − mean)², when it and the plain sum (whose means it
    /// used) hold every part and did not overflow.
    fn plain_squared_deviations(&self) -> Option<f64> {
        let plain = self.squared_deviations.value();
        (self.plain_sum().is_some() && !self.plain_squares_missing && plain.is_finite())
            .then_some(plain)
    }

    /// The variance scaled by 2⁻²ᴴ, from the wide sums.
    fn wide_variance(&self) -> Result<f64, Unknown> {
        if self.squares_missing {
            return Err(Unknown::Part);
        }
        let squares = self.wide_squared_deviations.value();
        if self.wide_squares_error > TOLERANCE * squares {
            return Err(Unknown::Inexact);
        }
        Ok(squares / (self.count - 1) as f64)
    }
}

/// `value`, unless it overflowed.
fn within_range(value: f64) -> Result<f64, Unknown> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Unknown::Range)
    }
}

impl From<&Summary> for Moments {
    fn from(summary: &Summary) -> Self {
        Self::of_part(&Part {
            count: summary.count,
            sum: summary.sum,
            min: summary.min,
            max: summary.max,
            mean: summary.mean,
            variance: summary.variance,
            stddev: summary.stddev,
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn part(count: u64, sum: Option<f64>, mean: f64, variance: Option<f64>) -> Part {
        Part {
            count,
            sum,
            min: Some(mean),
            max: Some(mean),
            mean: Some(mean),
            variance,
            stddev: variance.map(f64::sqrt),
        }
    }

    fn merged(parts: &[Part]) -> Moments {
        parts.iter().map(Moments::of_part).collect()
    }

    #[test]
    fn the_scales_are_powers_of_two() {
        assert_eq!(UP, 2f64.powi(SCALE_EXPONENT));
        assert_eq!(DOWN, 2f64.powi(-SCALE_EXPONENT));
        assert_eq!(UP * DOWN, 1.0);
    }

    #[test]
    fn a_sum_that_overflows_on_the_way_but_not_in_the_end_is_given() {
        let moments = merged(&[
            part(1, Some(1e308), 1e308, None),
            part(1, Some(1e308), 1e308, None),
            part(1, Some(-1e308), -1e308, None),
        ]);
        assert_eq!(moments.sum(), Ok(1e308));
        assert_eq!(moments.mean(), Ok(Some(1e308 / 3.0)));
        let beyond = merged(&[
            part(1, Some(1e308), 1e308, None),
            part(1, Some(1e308), 1e308, None),
        ]);
        assert_eq!(beyond.sum(), Err(Unknown::Range));
        assert_eq!(beyond.mean(), Ok(Some(1e308)));
        assert_eq!(beyond.variance(), Ok(Some(0.0)));
    }

    #[test]
    fn an_unknown_sum_leaves_the_mean_while_the_means_do_not_cancel() {
        // 1e308 1e308 (sum null, mean 1e308) and 5e307.
        let moments = merged(&[
            part(2, None, 1e308, Some(0.0)),
            part(1, Some(5e307), 5e307, None),
        ]);
        assert_eq!(moments.sum(), Err(Unknown::Part));
        let mean = moments.mean().unwrap().unwrap();
        let expected = (1e308 / 3.0) * 2.0 + 5e307 / 3.0;
        assert!(
            (mean - expected).abs() <= 2.0 * f64::EPSILON * mean,
            "{mean}"
        );
        // The variance, ~8e614, is beyond range; its root is not.
        assert_eq!(moments.variance(), Err(Unknown::Range));
        let stddev = moments.stddev().unwrap().unwrap();
        let (a, b) = ((1e308 - mean) / 1e307, (5e307 - mean) / 1e307);
        let expected = 1e307 * ((2.0 * a * a + b * b) / 2.0).sqrt();
        assert!(
            (stddev - expected).abs() <= 1e-12 * expected,
            "{stddev} {expected}"
        );
        // Means that cancel: from 1e308 twice and −1e308 twice, rounded,
        // the mean could be anything up to ~1e292.
        let cancelling = merged(&[
            part(2, None, 1e308, Some(0.0)),
            part(2, None, -1e308, Some(0.0)),
        ]);
        assert_eq!(cancelling.mean(), Err(Unknown::Inexact));
        assert_eq!(cancelling.sum(), Err(Unknown::Part));
    }

    #[test]
    fn an_unknown_variance_makes_the_overall_one_unknown_never_zero() {
        let moments = merged(&[
            part(3, Some(3.0), 1.0, Some(0.0)),
            Part {
                variance: None,
                stddev: None,
                ..part(2, Some(4.0), 2.0, None)
            },
        ]);
        assert_eq!(moments.variance(), Err(Unknown::Part));
        assert_eq!(moments.stddev(), Err(Unknown::Part));
        assert_eq!(moments.mean(), Ok(Some(7.0 / 5.0)));
        assert_eq!(moments.sum(), Ok(7.0));
    }

    #[test]
    fn a_variance_beyond_range_combines_through_its_stddev() {
        // 1e200 and −1e200: variance 2e400, stddev 1.414e200.
        let wide = Part {
            count: 2,
            sum: Some(0.0),
            min: Some(-1e200),
            max: Some(1e200),
            mean: Some(0.0),
            variance: None,
            stddev: Some(2f64.sqrt() * 1e200),
        };
        let moments = merged(&[wide, wide]);
        assert_eq!(moments.variance(), Err(Unknown::Range));
        // Four values ±1e200: Σ(x − 0)² = 4e400, over 3.
        let stddev = moments.stddev().unwrap().unwrap();
        let expected = 1e200 * (4.0f64 / 3.0).sqrt();
        assert!((stddev - expected).abs() <= 1e-14 * expected, "{stddev}");
        assert_eq!(moments.mean(), Ok(Some(0.0)));
    }

    #[test]
    fn a_part_with_neither_sum_nor_mean_leaves_them_unknown() {
        let moments = merged(&[
            Part {
                sum: None,
                mean: None,
                ..part(2, None, 1e308, Some(0.0))
            },
            part(1, Some(1.0), 1.0, None),
        ]);
        assert_eq!(moments.sum(), Err(Unknown::Part));
        assert_eq!(moments.mean(), Err(Unknown::Part));
        assert_eq!(moments.variance(), Err(Unknown::Part));
        assert_eq!(moments.min(), Some(1.0));
        assert_eq!(moments.count, 3);
        // Alone, it needs no mean to keep its variance.
        let alone = merged(&[Part {
            sum: None,
            mean: None,
            ..part(2, None, 1e308, Some(0.0))
        }]);
        assert_eq!(alone.variance(), Ok(Some(0.0)));
        assert_eq!(alone.mean(), Err(Unknown::Part));
    }

    #[test]
    fn the_wide_sums_give_what_the_plain_ones_would_have_at_any_scale() {
        // Parts of different sizes and levels; scaled by 2^k the plain sums
        // of squares overflow, and the wide ones must give the same
        // deviation, scaled (scaling by 2^k is exact).
        let parts: Vec<Vec<f64>> = (0..7)
            .map(|i| {
                (0..(3 + 37 * i))
                    .map(|j| ((j * 7919 + i * 104_729) % 1000) as f64 / 8.0 + 100.0 * i as f64)
                    .collect()
            })
            .collect();
        let summaries: Vec<Summary> = parts
            .iter()
            .map(|part| crate::stats::summarize(&mut part.clone(), &[]))
            .collect();
        // The parts' records at 2^k as dp-stats writes them: the variance
        // beyond range is null, the stddev is not.
        let moments_at = |scale: f64| -> Moments {
            summaries
                .iter()
                .map(|s| {
                    let variance = s.variance.map(|v| v * scale * scale);
                    Moments::of_part(&Part {
                        count: s.count,
                        sum: s.sum.map(|x| x * scale),
                        min: s.min.map(|x| x * scale),
                        max: s.max.map(|x| x * scale),
                        mean: s.mean.map(|x| x * scale),
                        variance: variance.filter(|v| v.is_finite()),
                        stddev: s.stddev.map(|x| x * scale),
                    })
                })
                .collect()
        };
        let plain = moments_at(1.0);
        let scale = 2f64.powi(900);
        let scaled = moments_at(scale);
        assert!(plain.plain_squared_deviations().is_some());
        assert!(scaled.plain_squared_deviations().is_none(), "overflows");
        assert_eq!(scaled.variance(), Err(Unknown::Range));
        let (want, got) = (
            plain.stddev().unwrap().unwrap(),
            scaled.stddev().unwrap().unwrap() / scale,
        );
        assert!(
            (want - got).abs() <= 4.0 * f64::EPSILON * want,
            "{want} {got}"
        );
        assert_eq!(
            scaled.mean().unwrap().unwrap(),
            plain.mean().unwrap().unwrap() * scale
        );
        assert_eq!(scaled.sum().unwrap(), plain.sum().unwrap() * scale);
    }

    #[test]
    fn sum_of_is_the_sum_summarize_gives() {
        let shapes: Vec<Vec<f64>> = vec![
            vec![1e16, 1.0, -1e16],
            (0..10_001).map(|i| (i as f64 * 0.1).sin() * 1e6).collect(),
            (0..777).map(|i| 1.0 / (i as f64 + 1.0)).collect(),
            vec![0.1; 100_003],
            vec![1e308, 1e308],
            vec![1e308, 1e308, -1e308, -1e308, 1.0],
            vec![],
        ];
        for values in shapes {
            let summary = crate::stats::summarize(&mut values.clone(), &[]);
            let expected = summary.sum;
            assert_eq!(
                crate::stats::sum_of(&values).map(f64::to_bits),
                expected.map(f64::to_bits),
                "{} values",
                values.len()
            );
        }
    }
}
