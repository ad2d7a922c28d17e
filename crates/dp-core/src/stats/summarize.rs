//! The statistics of one file's values, computed exactly in two linear
//! passes and a selection among few values.

use super::histogram::{Gathering, Histogram};
use super::select::select_ranks;
use super::sum::{squared_deviations, sum_min_max};
use crate::digest::{self, Digest};
use crate::float::{interpolate, midpoint};

/// The statistics of one set of values (docs/reference.md, "Values and
/// statistics"). `None` where undefined: everything but `count` and `sum`
/// for no values, `variance` and `stddev` below two values.
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

impl Summary {
    /// The statistics of no values.
    fn empty() -> Self {
        Self {
            count: 0,
            sum: 0.0,
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
        }
    }
}

/// Computes the statistics of `values` (which it may reorder) and their
/// digest in linear time, O(n log k) at worst for k wanted ranks: 6 to 12
/// ns a value for 10 million values, by their shape, where a sort takes 33.
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
    let positions: Vec<QuantilePosition> = [25.0, 75.0]
        .iter()
        .chain(percentiles)
        .map(|&p| QuantilePosition::new(n, p))
        .collect();
    let digest_ranks = digest::point_ranks(n as u64, digest::points_for(n as u64));
    let ranks = wanted_ranks(n, &positions, digest_ranks.clone());
    let Passes {
        sum,
        mean,
        variance,
        order,
    } = Passes::over(values, ranks, selection);
    let points = digest_ranks.map(|rank| order.at(rank as usize)).collect();
    Summary {
        count: n as u64,
        sum,
        min: Some(order.min),
        max: Some(order.max),
        mean: Some(mean),
        median: Some(order.median()),
        q1: Some(order.quantile(&positions[0])),
        q3: Some(order.quantile(&positions[1])),
        variance,
        stddev: variance.map(f64::sqrt),
        percentiles: percentiles
            .iter()
            .zip(&positions[2..])
            .map(|(&p, position)| (p, order.quantile(position)))
            .collect(),
        digest: Digest::from_order_statistics(n as u64, points),
    }
}

/// Every rank any statistic of `n` values reads (the median's, the
/// quantiles' at `positions`, the digest's points), sorted and distinct,
/// to be selected in one multi-selection. Ranks 0 and n − 1 are left out:
/// they are the min and max, which the first pass finds.
fn wanted_ranks(
    n: usize,
    positions: &[QuantilePosition],
    digest_ranks: impl Iterator<Item = u64>,
) -> Vec<usize> {
    let mut ranks: Vec<usize> = Vec::with_capacity(2 * positions.len() + 2);
    ranks.extend([(n - 1) / 2, n / 2]);
    for position in positions {
        ranks.push(position.lower);
        if position.fraction > 0.0 {
            ranks.push(position.lower + 1);
        }
    }
    ranks.extend(digest_ranks.map(|rank| rank as usize));
    ranks.sort_unstable();
    ranks.dedup();
    ranks.retain(|&rank| rank != 0 && rank != n - 1);
    ranks
}

/// What the two passes over the values find.
struct Passes {
    sum: f64,
    mean: f64,
    variance: Option<f64>,
    order: OrderStatistics,
}

impl Passes {
    /// Two passes over the values: the sum, min, max and a histogram, then
    /// the squared deviations and the values of the buckets that hold a
    /// wanted rank. Only those few are then selected among.
    fn over(values: &mut [f64], ranks: Vec<usize>, selection: Selection) -> Self {
        let n = values.len();
        let mut histogram = match selection {
            Selection::Histogram => Histogram::for_values(values),
            Selection::InPlace => None,
        };
        let (sum, min, max) = match &mut histogram {
            Some(histogram) => sum_min_max(values, |x| histogram.count(x)),
            None => sum_min_max(values, |_| {}),
        };
        let sum = sum.value();
        let mean = sum / n as f64;
        let mut gathering = histogram.and_then(|histogram| histogram.gathering(&ranks, n));
        let squares = match &mut gathering {
            Some(gathering) => squared_deviations(values, mean, |x| gathering.offer(x)),
            None => squared_deviations(values, mean, |_| {}),
        };
        let variance = (n >= 2).then(|| squares / (n - 1) as f64);
        // Without a histogram, or when it could not separate the wanted
        // ranks, select among all the values in place.
        let selected = gathering.and_then(Gathering::select).unwrap_or_else(|| {
            select_ranks(values, &ranks, 0);
            ranks.iter().map(|&rank| values[rank]).collect()
        });
        Self {
            sum,
            mean,
            variance,
            order: OrderStatistics {
                n,
                min,
                max,
                ranks,
                selected,
            },
        }
    }
}

/// The values of the wanted ranks of n values, and of ranks 0 and n − 1.
struct OrderStatistics {
    n: usize,
    min: f64,
    max: f64,
    /// Sorted and distinct; `selected[i]` is the value of rank `ranks[i]`.
    ranks: Vec<usize>,
    selected: Vec<f64>,
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
struct QuantilePosition {
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
