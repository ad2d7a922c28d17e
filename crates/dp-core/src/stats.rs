//! The statistics of SPEC §2: per-file summaries computed exactly, and their
//! exact combination across files.
//!
//! [`summarize`] computes everything in two linear passes plus a selection
//! among few values: the sum is compensated (Neumaier), the variance is a
//! corrected two-pass computation, and the median, quartiles, percentiles and
//! the [`Digest`] points are exact order statistics. The first pass counts
//! the values in a histogram, the second sets aside those of the buckets
//! that hold a wanted rank, and a multi-selection among them finds the
//! ranks; the data are never sorted. [`Moments`] combines files exactly
//! (Chan, Golub and LeVeque), never as a mean of means.

use crate::digest::{self, Digest};
use crate::float::{interpolate, midpoint, sort_key};

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

/// A running sum with Neumaier's compensation: the rounding error of every
/// addition is kept aside and added back at the end, so `1e16, 1, -1e16`
/// sums to `1` and long sums lose nothing to the order of the values.
///
/// An overflowing sum (beyond ±1.8e308) reads as ±∞.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CompensatedSum {
    sum: f64,
    compensation: f64,
}

impl CompensatedSum {
    pub const fn new() -> Self {
        Self {
            sum: 0.0,
            compensation: 0.0,
        }
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        let (sum, error) = add_with_error(self.sum, x);
        self.sum = sum;
        self.compensation += error;
    }

    /// Adds another running sum, keeping both compensations.
    pub fn add_sum(&mut self, other: &CompensatedSum) {
        self.add(other.sum);
        self.add(other.compensation);
    }

    /// The sum, rounded once.
    pub fn value(&self) -> f64 {
        if self.sum.is_finite() {
            self.sum + self.compensation
        } else {
            // The compensation of an overflowed sum is NaN; the sum says it all.
            self.sum
        }
    }
}

impl Extend<f64> for CompensatedSum {
    fn extend<I: IntoIterator<Item = f64>>(&mut self, values: I) {
        for x in values {
            self.add(x);
        }
    }
}

impl FromIterator<f64> for CompensatedSum {
    fn from_iter<I: IntoIterator<Item = f64>>(values: I) -> Self {
        let mut sum = Self::new();
        sum.extend(values);
        sum
    }
}

/// a + b as a float and the exact rounding error of that addition (Fast2Sum
/// on the operands ordered by magnitude, as Neumaier does; the order is
/// picked without a branch, so independent sums run side by side).
#[inline(always)]
fn add_with_error(a: f64, b: f64) -> (f64, f64) {
    let sum = a + b;
    let a_larger = a.abs() >= b.abs();
    let (larger, smaller) = (if a_larger { a } else { b }, if a_larger { b } else { a });
    (sum, (larger - sum) + smaller)
}

/// Values taken per step of a linear pass: independent accumulators, so
/// no addition waits for the previous one (measured: 8 lanes ≈ 1.6× faster
/// than 4 for the compensated sum).
const LANES: usize = 8;

/// [`LANES`] compensated sums side by side.
struct LaneSums {
    sum: [f64; LANES],
    compensation: [f64; LANES],
}

impl LaneSums {
    fn new() -> Self {
        Self {
            sum: [0.0; LANES],
            compensation: [0.0; LANES],
        }
    }

    #[inline(always)]
    fn add(&mut self, lane: usize, x: f64) {
        let (sum, error) = add_with_error(self.sum[lane], x);
        self.sum[lane] = sum;
        self.compensation[lane] += error;
    }

    /// [`LaneSums::add`] for sums of values ≥ 0, where the larger operand
    /// is simply the maximum (one instruction instead of five).
    #[inline(always)]
    fn add_nonnegative(&mut self, lane: usize, x: f64) {
        let sum = self.sum[lane] + x;
        let (larger, smaller) = (self.sum[lane].max(x), self.sum[lane].min(x));
        self.compensation[lane] += (larger - sum) + smaller;
        self.sum[lane] = sum;
    }

    fn total(&self) -> CompensatedSum {
        let mut total = CompensatedSum::new();
        for lane in 0..LANES {
            total.add(self.sum[lane]);
            total.add(self.compensation[lane]);
        }
        total
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
    for &p in percentiles {
        assert!(
            (0.0..=100.0).contains(&p),
            "percentile {p} is not in 0..=100"
        );
    }
    let n = values.len();
    if n == 0 {
        return Summary {
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
        };
    }

    // Every rank any statistic reads, selected in one multi-selection.
    // Ranks 0 and n - 1 are the min and max, which the first pass finds.
    let quantile_positions: Vec<QuantilePosition> = [25.0, 75.0]
        .iter()
        .chain(percentiles)
        .map(|&p| QuantilePosition::new(n, p))
        .collect();
    let mut ranks: Vec<usize> = Vec::with_capacity(2 * quantile_positions.len() + 2);
    ranks.extend([(n - 1) / 2, n / 2]);
    for position in &quantile_positions {
        ranks.push(position.lower);
        if position.fraction > 0.0 {
            ranks.push(position.lower + 1);
        }
    }
    let digest_ranks = digest::point_ranks(n as u64, digest::points_for(n as u64));
    ranks.extend(digest_ranks.clone().map(|rank| rank as usize));
    ranks.sort_unstable();
    ranks.dedup();
    ranks.retain(|&rank| rank != 0 && rank != n - 1);

    // Two passes over the values: the sum, min, max and a histogram, then
    // the squared deviations and the values of the buckets that hold a
    // wanted rank. Only those few are then selected among.
    let mut histogram = Histogram::for_values(values);
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
    // Without a histogram, or when it could not separate the wanted ranks,
    // select among all the values in place.
    let selected = gathering.and_then(Gathering::select).unwrap_or_else(|| {
        select_ranks(values, &ranks, 0);
        ranks.iter().map(|&rank| values[rank]).collect()
    });

    let order_statistic = |rank: usize| match rank {
        0 => min,
        r if r == n - 1 => max,
        r => {
            selected[ranks
                .binary_search(&r)
                .expect("every rank read was selected")]
        }
    };
    let quantile = |position: &QuantilePosition| {
        let lower = order_statistic(position.lower);
        if position.fraction > 0.0 {
            interpolate(
                lower,
                order_statistic(position.lower + 1),
                position.fraction,
            )
        } else {
            lower
        }
    };
    let median = if n % 2 == 1 {
        order_statistic(n / 2)
    } else {
        midpoint(order_statistic(n / 2 - 1), order_statistic(n / 2))
    };
    let points = digest_ranks
        .map(|rank| order_statistic(rank as usize))
        .collect();

    Summary {
        count: n as u64,
        sum,
        min: Some(min),
        max: Some(max),
        mean: Some(mean),
        median: Some(median),
        q1: Some(quantile(&quantile_positions[0])),
        q3: Some(quantile(&quantile_positions[1])),
        variance,
        stddev: variance.map(f64::sqrt),
        percentiles: percentiles
            .iter()
            .zip(&quantile_positions[2..])
            .map(|(&p, position)| (p, quantile(position)))
            .collect(),
        digest: Digest::from_order_statistics(n as u64, points),
    }
}

/// The compensated sum, the minimum and the maximum, in one pass that
/// also hands every value to `also`.
fn sum_min_max(values: &[f64], mut also: impl FnMut(f64)) -> (CompensatedSum, f64, f64) {
    let mut sums = LaneSums::new();
    let mut mins = [f64::INFINITY; LANES];
    let mut maxs = [f64::NEG_INFINITY; LANES];
    let mut take = |lane: usize, x: f64| {
        sums.add(lane, x);
        // Plain comparisons compile to SIMD min/max; values are never NaN.
        mins[lane] = if x < mins[lane] { x } else { mins[lane] };
        maxs[lane] = if x > maxs[lane] { x } else { maxs[lane] };
        also(x);
    };
    let chunks = values.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &x) in chunk.iter().enumerate() {
            take(lane, x);
        }
    }
    for (lane, &x) in rest.iter().enumerate() {
        take(lane, x);
    }
    let min = mins.into_iter().fold(f64::INFINITY, f64::min);
    let max = maxs.into_iter().fold(f64::NEG_INFINITY, f64::max);
    (sums.total(), min, max)
}

/// Σ(x − mean)², in one pass that also hands every value to `also`.
///
/// Corrected for the rounding of `mean`: with d = x − mean,
/// Σ(x − m)² = Σd² − (Σd)²/n exactly, and Σd is what the mean's rounding
/// left over (the "corrected two-pass algorithm", Chan, Golub and LeVeque
/// 1983). The squares are summed with compensation, so values around 1e9
/// with a spread of 1e-3 keep their variance; Σd, a small correction,
/// needs none.
fn squared_deviations(values: &[f64], mean: f64, mut also: impl FnMut(f64)) -> f64 {
    let mut deviations = [0.0; LANES];
    let mut squares = LaneSums::new();
    let mut take = |lane: usize, x: f64| {
        let d = x - mean;
        deviations[lane] += d;
        squares.add_nonnegative(lane, d * d);
        also(x);
    };
    let chunks = values.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (lane, &x) in chunk.iter().enumerate() {
            take(lane, x);
        }
    }
    for (lane, &x) in rest.iter().enumerate() {
        take(lane, x);
    }
    let deviation: f64 = deviations.iter().sum();
    (squares.total().value() - deviation * deviation / values.len() as f64).max(0.0)
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

/// Counts of the values in 2^16 buckets, each a range of values, in order.
///
/// The buckets span the range of a sample of the values (values beyond it
/// fall in the end buckets), so one pass can count while it sums. They are
/// equal ranges of values or of bit patterns, whichever spreads the sample
/// better: equal ranges suit values around zero or with ties, bit patterns
/// (a logarithmic scale) suit long tails and far outliers.
struct Histogram {
    mapping: Mapping,
    counts: Vec<u32>,
    /// The sample the mapping was chosen on, to guess crowded buckets'
    /// common value.
    sample: Vec<f64>,
}

#[derive(Clone, Copy)]
enum Mapping {
    Linear { low: f64, scale: f64 },
    BitPatterns { low: u64, shift: u32 },
}

impl Mapping {
    #[inline(always)]
    fn bucket(self, x: f64) -> usize {
        let bucket = match self {
            // `as` saturates: values below the range land in bucket 0.
            Mapping::Linear { low, scale } => ((x - low) * scale) as usize,
            Mapping::BitPatterns { low, shift } => {
                (sort_key(x).saturating_sub(low) >> shift) as usize
            }
        };
        bucket.min(BUCKETS - 1)
    }

    /// How unevenly the mapping spreads `sample`: the sum of the squared
    /// counts of 256 coarse buckets (lower is better).
    fn unevenness(self, sample: &[f64]) -> u64 {
        let mut coarse = [0u64; 256];
        for &x in sample {
            coarse[self.bucket(x) * 256 / BUCKETS] += 1;
        }
        coarse.iter().map(|c| c * c).sum()
    }
}

/// Fewer values than this are selected among directly: counting would cost
/// more than it saves.
const HISTOGRAM_MIN_VALUES: usize = 1 << 16;
const BUCKETS: usize = 1 << 16;
/// Values the bucket range is taken from.
const HISTOGRAM_SAMPLE: usize = 4096;
/// Set aside at most 1/8 of the values (10 MB for 10 million); beyond
/// that, select among all of them in place.
const GATHER_AT_MOST: usize = 8;

impl Histogram {
    fn for_values(values: &[f64]) -> Option<Self> {
        if values.len() < HISTOGRAM_MIN_VALUES || u32::try_from(values.len()).is_err() {
            return None;
        }
        let sample: Vec<f64> = values
            .iter()
            .step_by(values.len() / HISTOGRAM_SAMPLE)
            .copied()
            .collect();
        let (least, greatest) = sample
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, g), &x| {
                (l.min(x), g.max(x))
            });
        let (low, high) = (sort_key(least), sort_key(greatest));
        let shift = (u64::BITS - (high - low).leading_zeros()).saturating_sub(BUCKETS.ilog2());
        let bit_patterns = Mapping::BitPatterns { low, shift };
        let scale = BUCKETS as f64 / (greatest - least);
        let mapping = if scale.is_finite() && scale > 0.0 {
            let linear = Mapping::Linear { low: least, scale };
            if linear.unevenness(&sample) <= bit_patterns.unevenness(&sample) {
                linear
            } else {
                bit_patterns
            }
        } else {
            bit_patterns
        };
        Some(Self {
            mapping,
            counts: vec![0; BUCKETS],
            sample,
        })
    }

    #[inline(always)]
    fn count(&mut self, x: f64) {
        let bucket = self.mapping.bucket(x);
        self.counts[bucket] += 1;
    }

    /// What to gather in the second pass to find `ranks` (sorted, distinct)
    /// among the `n` values counted; `None` when the buckets holding them
    /// hold too many values to be worth setting aside.
    ///
    /// A crowded bucket (more than 1/[`CROWDED`] of the values) usually
    /// holds one value many times: the zeros of zero-inflated data, the
    /// levels of integer data. The second pass only counts that common
    /// value (the sample's most frequent in the bucket) and sets aside the
    /// bucket's other values, if they are few.
    fn gathering(self, ranks: &[usize], n: usize) -> Option<Gathering> {
        let mut actions = vec![SKIP; self.counts.len()];
        let mut buckets = Vec::new();
        let mut wanted = Vec::with_capacity(ranks.len());
        let mut crowded = Vec::new();
        let (mut before, mut kept) = (0usize, 0usize);
        let mut pending = ranks.iter().copied().peekable();
        for (bucket, &count) in self.counts.iter().enumerate() {
            if pending.peek().is_none() {
                break;
            }
            let count = count as usize;
            let after = before + count;
            if pending.peek().is_some_and(|&rank| rank < after) {
                if count > n / CROWDED {
                    actions[bucket] = FIRST_CROWDED + crowded.len() as u8;
                    crowded.push(Crowded::new(self.common_value(bucket)));
                } else {
                    actions[bucket] = KEEP;
                    kept += count;
                }
                buckets.push(WantedBucket {
                    action: actions[bucket],
                    count,
                });
            }
            while let Some(rank) = pending.next_if(|&rank| rank < after) {
                wanted.push((buckets.len() - 1, rank - before));
            }
            before = after;
        }
        let limit = n / GATHER_AT_MOST;
        (kept <= limit).then(|| Gathering {
            mapping: self.mapping,
            actions,
            buckets,
            wanted,
            kept: Vec::with_capacity(kept),
            limit,
            crowded,
        })
    }

    /// The value the sample holds most often in `bucket` (NaN if none).
    fn common_value(&self, bucket: usize) -> f64 {
        let mut inside: Vec<f64> = self
            .sample
            .iter()
            .copied()
            .filter(|&x| self.mapping.bucket(x) == bucket)
            .collect();
        inside.sort_unstable_by(f64::total_cmp);
        inside
            .chunk_by(|a, b| a == b)
            .max_by_key(|run| run.len())
            .map_or(f64::NAN, |run| run[0])
    }
}

/// Buckets holding more than 1/`CROWDED` of the values are crowded: at most
/// `CROWDED` of them, so their slots fit in a byte beside the actions.
const CROWDED: usize = 64;
/// What the second pass does with a value, by bucket: nothing, set it
/// aside, or (from `FIRST_CROWDED` on) sort it out in that crowded slot.
const SKIP: u8 = 0;
const KEEP: u8 = 1;
const FIRST_CROWDED: u8 = 2;

/// A bucket that holds a wanted rank.
struct WantedBucket {
    action: u8,
    count: usize,
}

/// What the second pass learns of a crowded bucket.
struct Crowded {
    common: f64,
    /// Values equal to `common`, and the others below it (set aside).
    common_count: usize,
    below: usize,
}

impl Crowded {
    fn new(common: f64) -> Self {
        Self {
            common,
            common_count: 0,
            below: 0,
        }
    }
}

/// The second pass's work: the values of the buckets that hold a wanted
/// rank, set aside, but for the common value of crowded buckets.
struct Gathering {
    mapping: Mapping,
    actions: Vec<u8>,
    buckets: Vec<WantedBucket>,
    /// Per wanted rank: its bucket (index in `buckets`) and its rank there.
    wanted: Vec<(usize, usize)>,
    kept: Vec<f64>,
    /// Set aside no more than this; past it, give up.
    limit: usize,
    crowded: Vec<Crowded>,
}

impl Gathering {
    #[inline(always)]
    fn offer(&mut self, x: f64) {
        match self.actions[self.mapping.bucket(x)] {
            SKIP => {}
            KEEP => self.kept.push(x),
            slot => {
                let crowded = &mut self.crowded[usize::from(slot - FIRST_CROWDED)];
                if x == crowded.common {
                    crowded.common_count += 1;
                } else if self.kept.len() < self.limit {
                    crowded.below += usize::from(x < crowded.common);
                    self.kept.push(x);
                } else {
                    // Too many values differ from the common one: note it
                    // (the kept values no longer add up) and stop keeping.
                    self.limit = 0;
                }
            }
        }
    }

    /// The values of the wanted ranks, in order; `None` when a crowded
    /// bucket held too many values besides its common one.
    fn select(mut self) -> Option<Vec<f64>> {
        if self.limit == 0 {
            return None;
        }
        // Where each wanted bucket's values start among those set aside.
        let mut starts = Vec::with_capacity(self.buckets.len());
        let mut start = 0;
        for bucket in &self.buckets {
            starts.push(start);
            start += match bucket.action {
                KEEP => bucket.count,
                slot => bucket.count - self.crowded[usize::from(slot - FIRST_CROWDED)].common_count,
            };
        }
        debug_assert_eq!(start, self.kept.len());
        // Each wanted rank is the common value of a crowded bucket, or a
        // rank among the values set aside.
        let found: Vec<Result<usize, f64>> = self
            .wanted
            .iter()
            .map(|&(index, rank)| match self.buckets[index].action {
                KEEP => Ok(starts[index] + rank),
                slot => {
                    let crowded = &self.crowded[usize::from(slot - FIRST_CROWDED)];
                    if rank < crowded.below {
                        Ok(starts[index] + rank)
                    } else if rank < crowded.below + crowded.common_count {
                        Err(crowded.common)
                    } else {
                        Ok(starts[index] + rank - crowded.common_count)
                    }
                }
            })
            .collect();
        let kept_ranks: Vec<usize> = found.iter().filter_map(|found| found.ok()).collect();
        select_ranks(&mut self.kept, &kept_ranks, 0);
        Some(
            found
                .into_iter()
                .map(|found| found.map_or_else(|common| common, |rank| self.kept[rank]))
                .collect(),
        )
    }
}

/// Moves the value of every rank in `ranks` (sorted, distinct, absolute
/// ranks within `offset..offset + values.len()`) to its sorted position.
///
/// Selecting the middle wanted rank splits the slice into two sides that
/// each hold half of the remaining ranks: O(n log k) for k ranks, where k
/// separate selections would cost O(n·k) and a sort O(n log n).
fn select_ranks(values: &mut [f64], ranks: &[usize], offset: usize) {
    if ranks.is_empty() {
        return;
    }
    // When most positions are wanted, sorting is the cheaper selection.
    if values.len() <= 2 * ranks.len() {
        values.sort_unstable_by(f64::total_cmp);
        return;
    }
    let middle = ranks.len() / 2;
    let pivot = ranks[middle] - offset;
    let (below, _, above) = values.select_nth_unstable_by(pivot, f64::total_cmp);
    select_ranks(below, &ranks[..middle], offset);
    select_ranks(above, &ranks[middle + 1..], offset + pivot + 1);
}

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
    /// The mean is taken as `sum / count`, which is how SPEC §2 defines it
    /// (and how [`summarize`] computes it), so `_mean` adds nothing.
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
            summary.sum,
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
