//! The statistics of one file's values, computed exactly in two linear
//! passes and a selection among few values.

use super::histogram::{Counter, Histogram};
use super::scaled::Scale;
use super::select::select_ranks;
use super::sum::{CompensatedSum, First, Unscaled, scaled_sum, squared_deviations, sum_min_max};
use crate::digest::{self, Digest};
use crate::float::{interpolate, midpoint};

/// The statistics of one set of values (docs/reference.md, "Values and
/// statistics"). `None` where undefined: everything but `count` and `sum`
/// for no values, `variance` and `stddev` below two values; and `None`,
/// with a line in `notes` saying so, where a statistic exceeds f64's range
/// (only `sum`, `variance` and `stddev` can).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub count: u64,
    pub sum: Option<f64>,
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
    /// Why a statistic is `None` although there are values: one short line
    /// each, such as `sum: exceeds f64's range`.
    pub notes: Vec<String>,
}

/// The note for a statistic whose value is beyond ±f64::MAX.
fn beyond_range(statistic: &str) -> String {
    format!("{statistic}: exceeds f64's range")
}

impl Summary {
    /// The statistics of no values.
    pub(super) fn empty() -> Self {
        Self {
            count: 0,
            sum: Some(0.0),
            min: None,
            max: None,
            mean: None,
            median: None,
            q1: None,
            q3: None,
            variance: None,
            stddev: None,
            percentiles: Vec::new(),
            digest: Digest::empty(),
            notes: Vec::new(),
        }
    }
}

/// Computes the statistics of `values` (which it may reorder) and their
/// digest in linear time, O(n log k) at worst for k wanted ranks: 5 to 8
/// ns a value for 10 million values on one thread, by their shape, where a
/// sort takes 33. On a thread of a helped pool the linear passes are
/// shared with its idle threads ([`crate::pool::share`]).
///
/// `percentiles` are in 0..=100; their values come back in the same order.
///
/// # Panics
///
/// If a percentile is not a number in 0..=100 (callers validate user input).
pub fn summarize(values: &mut [f64], percentiles: &[f64]) -> Summary {
    summarize_with(values, percentiles, Selection::Histogram)
}

/// How [`summarize`] finds its order statistics. Only the stats example
/// chooses, to measure what the histogram buys over selecting in place.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Count a histogram, set aside the wanted buckets, select among them
    /// (selecting in place where the histogram cannot help).
    Histogram,
    /// Select among all the values in place.
    InPlace,
}

/// [`summarize`], finding the order statistics by `selection`.
#[doc(hidden)]
pub fn summarize_with(values: &mut [f64], percentiles: &[f64], selection: Selection) -> Summary {
    for &p in percentiles {
        assert!(
            (0.0..=100.0).contains(&p),
            "percentile {p} is not in 0..=100"
        );
    }
    let n = values.len();
    if n == 0 {
        return Summary::empty();
    }
    let wanted = Wanted::new(n, percentiles);
    let passes = Passes::over(values, wanted.ranks.clone(), selection);
    wanted.summary(passes)
}

/// What the statistics of n values read: the quantiles' positions and the
/// ranks to select for them and for the digest.
pub(super) struct Wanted<'a> {
    n: usize,
    percentiles: &'a [f64],
    positions: Vec<QuantilePosition>,
    /// The digest's points' ranks, in order (computed once: a division each).
    digest_ranks: Vec<usize>,
    /// Sorted and distinct, without 0 and n − 1 ([`wanted_ranks`]).
    pub(super) ranks: Vec<usize>,
}

impl<'a> Wanted<'a> {
    pub(super) fn new(n: usize, percentiles: &'a [f64]) -> Self {
        let positions: Vec<QuantilePosition> = [25.0, 75.0]
            .iter()
            .chain(percentiles)
            .map(|&p| QuantilePosition::new(n, p))
            .collect();
        let digest_ranks: Vec<usize> = digest::point_ranks(n as u64, digest::points_for(n as u64))
            .map(|rank| rank as usize)
            .collect();
        let ranks = wanted_ranks(n, &positions, &digest_ranks);
        Self {
            n,
            percentiles,
            positions,
            digest_ranks,
            ranks,
        }
    }

    /// The summary from what the passes found.
    pub(super) fn summary(self, passes: Passes) -> Summary {
        let Self {
            n,
            percentiles,
            positions,
            digest_ranks,
            ..
        } = self;
        let Passes {
            sum,
            mean,
            variance,
            stddev,
            order,
        } = passes;
        let notes = [("sum", sum), ("variance", variance), ("stddev", stddev)]
            .into_iter()
            .filter(|(_, value)| value.is_beyond_range())
            .map(|(statistic, _)| beyond_range(statistic))
            .collect();
        let points = order.all_at(&digest_ranks);
        Summary {
            count: n as u64,
            sum: sum.value(),
            min: Some(order.min),
            max: Some(order.max),
            mean: Some(mean),
            median: Some(order.median()),
            q1: Some(order.quantile(&positions[0])),
            q3: Some(order.quantile(&positions[1])),
            variance: variance.value(),
            stddev: stddev.value(),
            percentiles: percentiles
                .iter()
                .zip(&positions[2..])
                .map(|(&p, position)| (p, order.quantile(position)))
                .collect(),
            digest: Digest::from_order_statistics(n as u64, points),
            notes,
        }
    }
}

/// Every rank any statistic of `n` values reads (the median's, the
/// quantiles' at `positions`, the digest's points), sorted and distinct,
/// to be selected in one multi-selection. Ranks 0 and n − 1 are left out:
/// they are the min and max, which the first pass finds.
fn wanted_ranks(n: usize, positions: &[QuantilePosition], digest_ranks: &[usize]) -> Vec<usize> {
    let mut ranks: Vec<usize> = Vec::with_capacity(2 * positions.len() + 2);
    ranks.extend([(n - 1) / 2, n / 2]);
    for position in positions {
        ranks.push(position.lower);
        if position.fraction > 0.0 {
            ranks.push(position.lower + 1);
        }
    }
    ranks.extend_from_slice(digest_ranks);
    ranks.sort_unstable();
    ranks.dedup();
    ranks.retain(|&rank| rank != 0 && rank != n - 1);
    ranks
}

/// What the two passes over the values find.
pub(super) struct Passes {
    pub(super) sum: Statistic,
    pub(super) mean: f64,
    pub(super) variance: Statistic,
    pub(super) stddev: Statistic,
    pub(super) order: OrderStatistics,
}

/// A statistic that may be undefined (the variance of one value) or
/// beyond f64's range (the sum of `1e308 1e308`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Statistic {
    Undefined,
    Value(f64),
    BeyondRange,
}

impl Statistic {
    /// `x`, or beyond the range where it is ±∞ (never NaN: the passes
    /// make sure nothing overflows on the way).
    fn of(x: f64) -> Self {
        debug_assert!(!x.is_nan(), "a statistic is NaN");
        if x.is_finite() {
            Statistic::Value(x)
        } else {
            Statistic::BeyondRange
        }
    }

    fn value(self) -> Option<f64> {
        match self {
            Statistic::Value(x) => Some(x),
            Statistic::Undefined | Statistic::BeyondRange => None,
        }
    }

    fn is_beyond_range(self) -> bool {
        self == Statistic::BeyondRange
    }
}

/// Below this bound on n·max|x − mean|, no square, sum of squares or
/// square of the deviations' sum can overflow (each is at most its square,
/// 2^1000), and the variance is computed on the values as they are.
pub(super) const PLAIN_DEVIATIONS: f64 = f64::from_bits((1023 + 500) << 52);

impl Passes {
    /// Two passes over the values: the sum, min, max and a histogram, then
    /// the squared deviations and the values of the buckets that hold a
    /// wanted rank. Only those few are then selected among.
    ///
    /// Values so large that their sum or squares could overflow are summed
    /// scaled instead ([`super::scaled`]): a third pass for a sum that
    /// overflowed, and a scaled second pass.
    ///
    /// Both linear passes run a span of values at a time on every idle
    /// thread of the pool ([`super::sum`]), each thread counting and
    /// gathering for itself; the rest is short and runs here.
    fn over(values: &mut [f64], ranks: Vec<usize>, selection: Selection) -> Self {
        let n = values.len();
        let mut histogram = match selection {
            Selection::Histogram => Histogram::for_values(values),
            Selection::InPlace => None,
        };
        let (First { sum, min, max }, counters) = match &histogram {
            Some(histogram) => sum_min_max(values, || histogram.counter(), Counter::count),
            None => (sum_min_max(values, || (), |_, _| {}).0, Vec::new()),
        };
        if let Some(histogram) = &mut histogram {
            histogram.add_counts(counters);
        }
        let largest = Scale::for_magnitude(min.abs().max(max.abs()));
        let (sum, mean) = sum_and_mean(values, sum, min, max, largest);
        let scale = deviation_scale(n, min, max, mean, largest);
        let gathering = histogram.and_then(|histogram| histogram.gathering(&ranks, n));
        let (squares, gathered) = match &gathering {
            Some(gathering) => deviations(
                values,
                mean,
                scale,
                || gathering.gathered(),
                |gathered, values| gathering.offer(gathered, values),
            ),
            None => (
                deviations(values, mean, scale, || (), |_, _| {}).0,
                Vec::new(),
            ),
        };
        // Without a histogram, or when it could not separate the wanted
        // ranks, select among all the values in place.
        let selected = gathering
            .and_then(|gathering| gathering.select(gathered))
            .unwrap_or_else(|| {
                select_ranks(values, &ranks, 0);
                ranks.iter().map(|&rank| values[rank]).collect()
            });
        let order = OrderStatistics {
            n,
            min,
            max,
            ranks,
            selected,
        };
        Self::found(sum, mean, squares, scale, order)
    }

    /// What the passes found, put together: the variance and the standard
    /// deviation from the sum of the squared deviations (at `scale`).
    pub(super) fn found(
        sum: Statistic,
        mean: f64,
        squares: f64,
        scale: Option<Scale>,
        order: OrderStatistics,
    ) -> Self {
        let (variance, stddev) = variance_and_stddev(squares, order.n, scale);
        Self {
            sum,
            mean,
            variance,
            stddev,
            order,
        }
    }
}

/// The scale the deviations are summed at: none unless they could overflow.
pub(super) fn deviation_scale(
    n: usize,
    min: f64,
    max: f64,
    mean: f64,
    largest: Scale,
) -> Option<Scale> {
    let spread = (max - mean).max(mean - min);
    if n as f64 * spread <= PLAIN_DEVIATIONS {
        None
    } else {
        Some(largest)
    }
}

/// The sample variance and standard deviation from the sum of the squared
/// deviations (at `scale`).
fn variance_and_stddev(squares: f64, n: usize, scale: Option<Scale>) -> (Statistic, Statistic) {
    if n < 2 {
        return (Statistic::Undefined, Statistic::Undefined);
    }
    let variance = squares / (n - 1) as f64;
    match scale {
        None => (Statistic::of(variance), Statistic::of(variance.sqrt())),
        Some(scale) => (
            Statistic::of(scale.up(variance, 2)),
            Statistic::of(scale.up(variance.sqrt(), 1)),
        ),
    }
}

/// [`squared_deviations`] of the values as they are, or scaled by `scale`.
fn deviations<S: Send>(
    values: &[f64],
    mean: f64,
    scale: Option<Scale>,
    new_state: impl Fn() -> S + Sync,
    also: impl Fn(&mut S, &[f64]) + Sync,
) -> (f64, Vec<S>) {
    match scale {
        None => squared_deviations(values, mean, Unscaled, new_state, also),
        Some(scale) => squared_deviations(values, scale.down(mean), scale, new_state, also),
    }
}

/// The sum and the mean from the first pass's sum. A sum that overflowed
/// on the way (whether or not its value does: `1e308 1e308 -1e308`) is
/// summed again, scaled, so the mean, which is always representable, is
/// still computed. The mean is kept within [min, max], where the exact
/// mean is: `0.1 0.1 0.1` sums to 0.30000000000000004, which over 3 would
/// round to 0.10000000000000002.
fn sum_and_mean(
    values: &[f64],
    sum: CompensatedSum,
    min: f64,
    max: f64,
    largest: Scale,
) -> (Statistic, f64) {
    let n = values.len();
    let sum = sum.value();
    if sum.is_finite() {
        return finite_sum_and_mean(sum, n, min, max);
    }
    let scaled = scaled_sum(values, largest);
    rescaled_sum_and_mean(scaled, n, min, max, largest)
}

/// [`sum_and_mean`] where the sum did not overflow.
pub(super) fn finite_sum_and_mean(sum: f64, n: usize, min: f64, max: f64) -> (Statistic, f64) {
    (Statistic::of(sum), (sum / n as f64).clamp(min, max))
}

/// [`sum_and_mean`] from the sum of the values scaled by `largest`.
pub(super) fn rescaled_sum_and_mean(
    scaled: CompensatedSum,
    n: usize,
    min: f64,
    max: f64,
    largest: Scale,
) -> (Statistic, f64) {
    let n = n as f64;
    let scaled = scaled.value();
    let sum = largest.up(scaled, 1);
    // Where the sum is representable, the mean is sum / n as for any file
    // (the scaled sum over n could be subnormal, and lose digits).
    let mean = if sum.is_finite() {
        sum / n
    } else {
        largest.up(scaled / n, 1)
    };
    (Statistic::of(sum), mean.clamp(min, max))
}

/// The sum of `values` bit for bit as [`summarize`] computes it, `None`
/// beyond f64's range as a record has it: what a file read again must
/// still sum to, to be the file its record describes.
pub fn sum_of(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return Some(0.0);
    }
    let (First { sum, min, max }, _) = sum_min_max(values, || (), |_, _| {});
    let largest = Scale::for_magnitude(min.abs().max(max.abs()));
    sum_and_mean(values, sum, min, max, largest).0.value()
}

/// The values of the wanted ranks of n values, and of ranks 0 and n − 1.
pub(super) struct OrderStatistics {
    pub(super) n: usize,
    pub(super) min: f64,
    pub(super) max: f64,
    /// Sorted and distinct; `selected[i]` is the value of rank `ranks[i]`.
    pub(super) ranks: Vec<usize>,
    pub(super) selected: Vec<f64>,
}

impl OrderStatistics {
    /// The value of rank `rank`, one of those wanted.
    fn at(&self, rank: usize) -> f64 {
        match rank {
            0 => self.min,
            r if r == self.n - 1 => self.max,
            r => {
                self.selected[self
                    .ranks
                    .binary_search(&r)
                    .expect("every rank read was selected")]
            }
        }
    }

    /// The values of `ranks` (in order, each one wanted) by one walk along
    /// the ranks selected, not a search each: the digest's 201 points, read
    /// for every input.
    fn all_at(&self, ranks: &[usize]) -> Vec<f64> {
        let mut next = 0;
        ranks
            .iter()
            .map(|&rank| match rank {
                0 => self.min,
                r if r == self.n - 1 => self.max,
                r => {
                    while self.ranks[next] < r {
                        next += 1;
                    }
                    debug_assert_eq!(self.ranks[next], r, "every rank read was selected");
                    self.selected[next]
                }
            })
            .collect()
    }

    fn median(&self) -> f64 {
        let n = self.n;
        if n % 2 == 1 {
            self.at(n / 2)
        } else {
            midpoint(self.at(n / 2 - 1), self.at(n / 2))
        }
    }

    fn quantile(&self, position: &QuantilePosition) -> f64 {
        let lower = self.at(position.lower);
        if position.fraction > 0.0 {
            interpolate(lower, self.at(position.lower + 1), position.fraction)
        } else {
            lower
        }
    }
}

/// Where quantile p (in percent) falls among n sorted values: h = (n − 1)·p,
/// split into the rank below and the fraction of the way to the next.
pub(super) struct QuantilePosition {
    lower: usize,
    fraction: f64,
}

impl QuantilePosition {
    fn new(n: usize, percent: f64) -> Self {
        // (n − 1)·percent is exact for whole percentages, so a whole h stays
        // whole (dividing p by 100 first would not: 0.07·100 ≠ 7).
        let h = (n - 1) as f64 * percent / 100.0;
        let lower = (h.floor() as usize).min(n - 1);
        Self {
            lower,
            fraction: h - lower as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    //! The statistics on every number of threads against one thread, bit
    //! for bit; their accuracy is tested in tests/stats.rs.

    use super::super::sum::SPAN;
    use super::*;
    use crate::pool::{Cancelled, Helpers, for_each_in_order_helped};

    /// `summarize` on a pool of `jobs` threads, the others idle.
    fn on_threads(values: &[f64], percentiles: &[f64], jobs: usize) -> Summary {
        let helpers = Helpers::new(2 * jobs);
        let mut out = None;
        for_each_in_order_helped(
            jobs,
            [values.to_vec()],
            &helpers,
            || {
                |mut values: Vec<f64>, _: &Cancelled| {
                    while jobs > 1 && !helpers.anyone_idle() {
                        std::thread::yield_now();
                    }
                    summarize(&mut values, percentiles)
                }
            },
            &mut |summary| {
                out = Some(summary);
                Ok::<_, ()>(())
            },
        )
        .unwrap();
        out.unwrap()
    }

    #[test]
    fn every_number_of_threads_gives_the_same_bits() {
        let n = 5 * SPAN + 777;
        let mut x: u64 = 99;
        let mut random = move || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let shapes: Vec<(&str, Vec<f64>)> = vec![
            (
                "uniform",
                (0..n).map(|_| (random() * 1e8).round() / 1e6).collect(),
            ),
            (
                "half zeros",
                (0..n)
                    .map(|i| if i % 2 == 0 { 0.0 } else { random() - 0.5 })
                    .collect(),
            ),
            (
                "integers",
                (0..n).map(|_| (random() * 7.0).floor()).collect(),
            ),
            (
                "overflowing",
                (0..n)
                    .map(|i| if i % 3 == 0 { -1e200 } else { 1e308 * random() })
                    .collect(),
            ),
            ("sorted", (0..n).map(|i| i as f64 * 1e-3 + 1e9).collect()),
        ];
        for (shape, values) in &shapes {
            let expected = format!("{:?}", summarize(&mut values.clone(), &[0.1, 99.9]));
            for jobs in [1, 2, 3, 8] {
                let got = format!("{:?}", on_threads(values, &[0.1, 99.9], jobs));
                assert_eq!(got, expected, "{shape}, -j {jobs}");
            }
        }
    }

    #[test]
    fn sums_across_spans_lose_nothing() {
        // 1e16 in one span and −1e16 in the next: the 1s beside 1e16 are
        // kept by each span's compensation, and the spans' by theirs.
        let mut values = vec![1.0; 2 * SPAN];
        values[0] = 1e16;
        values[SPAN] = -1e16;
        assert_eq!(sum_of(&values), Some((2 * SPAN - 2) as f64));
        assert_eq!(summarize(&mut values, &[]).sum, Some((2 * SPAN - 2) as f64));
    }
}
