//! Sums that lose nothing to rounding: a running compensated sum, and the
//! linear passes of [`summarize`](super::summarize()), which sum in lanes
//! over fixed spans of values, the spans on every idle thread of the pool.

use super::scaled::Scale;
use crate::pool;

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

/// a + b as a float and the exact rounding error of that addition, as
/// [`add_with_error`] finds it, by Knuth's TwoSum: six additions and no
/// comparison, where ordering the operands takes more vector operations
/// than that without SSE4's blends (`summarize` of 10 million `%.6f`
/// values: 39.0 → 36.4 ms, best of 7 side by side, `stats_throughput`).
/// The exact error is one number, so both give the same bits; when the sum
/// overflows, both leave a compensation that is not finite, and the sum
/// that is not finite says it all ([`CompensatedSum::value`]).
#[inline(always)]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let sum = a + b;
    let b_part = sum - a;
    let a_part = sum - b_part;
    (sum, (a - a_part) + (b - b_part))
}

/// Values taken per step of a linear pass: independent accumulators, so
/// no addition waits for the previous one (measured: 8 lanes ≈ 1.6× faster
/// than 4 for the compensated sum).
pub(super) const LANES: usize = 8;

/// [`LANES`] compensated sums side by side.
#[derive(Clone, Copy)]
pub(super) struct LaneSums {
    sum: [f64; LANES],
    compensation: [f64; LANES],
}

impl LaneSums {
    pub(super) fn new() -> Self {
        Self {
            sum: [0.0; LANES],
            compensation: [0.0; LANES],
        }
    }

    #[inline(always)]
    pub(super) fn add(&mut self, lane: usize, x: f64) {
        let (sum, error) = two_sum(self.sum[lane], x);
        self.sum[lane] = sum;
        self.compensation[lane] += error;
    }

    /// [`LaneSums::add`] for sums of values ≥ 0, where the larger operand
    /// is simply the maximum (one instruction instead of five).
    #[inline(always)]
    pub(super) fn add_nonnegative(&mut self, lane: usize, x: f64) {
        let sum = self.sum[lane] + x;
        let (larger, smaller) = (self.sum[lane].max(x), self.sum[lane].min(x));
        self.compensation[lane] += (larger - sum) + smaller;
        self.sum[lane] = sum;
    }

    pub(super) fn total(&self) -> CompensatedSum {
        let mut total = CompensatedSum::new();
        for lane in 0..LANES {
            total.add(self.sum[lane]);
            total.add(self.compensation[lane]);
        }
        total
    }
}

/// Values summed apart, in lanes, before the spans' totals are combined in
/// order. A fixed count (never one that depends on `-j` or on the blocks
/// the text was cut into), so every path that sees the same values in the
/// same order rounds alike: in memory on one thread or on several (a span
/// each), fed a block at a time ([`super::stream`]), and read again
/// ([`super::sum_of`]). 2^16 values (512 KiB) keep a span's work far above
/// the cost of handing it to another thread.
pub(super) const SPAN: usize = 1 << 16;
const _: () = assert!(SPAN.is_multiple_of(LANES), "a span is whole steps of lanes");

/// The compensated sums of spans combined in span order: the first as it
/// is (so up to one span sums as one run of lanes), each later one added
/// with its compensation.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct SpanSums(Option<CompensatedSum>);

impl SpanSums {
    pub(super) fn add(&mut self, span: CompensatedSum) {
        match &mut self.0 {
            Some(total) => total.add_sum(&span),
            None => self.0 = Some(span),
        }
    }

    pub(super) fn total(self) -> CompensatedSum {
        self.0.unwrap_or_default()
    }
}

/// The accumulators of a linear pass over one span, [`LANES`] side by side:
/// shared by the passes over values in memory and those fed a block at a
/// time, so that both give the same bits.
pub(super) trait InLanes: Copy {
    /// What the pass finds in one span.
    type Span;
    fn step(&mut self, lane: usize, x: f64);
    /// What this span found; the accumulators start again for the next.
    fn end_span(&mut self) -> Self::Span;

    /// [`InLanes::step`] for a whole step of lanes: the same arithmetic,
    /// lane by lane, on a copy of the accumulators that stays in registers.
    #[inline(always)]
    fn step_all(&mut self, step: &[f64; LANES]) {
        let mut lanes = *self;
        for (lane, &x) in step.iter().enumerate() {
            lanes.step(lane, x);
        }
        *self = lanes;
    }
}

/// Hands every value of `span` to `lanes` with its lane, `LANES` values a
/// step, and each step (and the last, shorter one) to `also`.
#[inline(always)]
fn over_span<L: InLanes>(lanes: &mut L, span: &[f64], mut also: impl FnMut(&[f64])) -> L::Span {
    let (steps, rest) = span.as_chunks::<LANES>();
    for step in steps {
        lanes.step_all(step);
        also(step);
    }
    for (lane, &x) in rest.iter().enumerate() {
        lanes.step(lane, x);
    }
    also(rest);
    lanes.end_span()
}

/// Runs a pass over every span of `values`, on the idle threads of this
/// thread's pool too ([`pool::share`]): each thread keeps a `state` of its
/// own (counts, values set aside) that `also` gets the values with, a few
/// at a time (so that it keeps what it reads of itself in registers). The
/// spans' findings come back in span order, with every state made.
fn over_spans<L, S>(
    values: &[f64],
    new_lanes: impl Fn() -> L + Sync,
    new_state: impl Fn() -> S + Sync,
    also: impl Fn(&mut S, &[f64]) + Sync,
) -> (Vec<L::Span>, Vec<S>)
where
    L: InLanes + Send,
    L::Span: Send,
    S: Send,
{
    let (spans, states) = pool::share(
        values.len().div_ceil(SPAN),
        || (new_lanes(), new_state()),
        |(lanes, state), span| {
            let span = &values[span * SPAN..values.len().min((span + 1) * SPAN)];
            over_span(lanes, span, |values| also(state, values))
        },
    );
    (spans, states.into_iter().map(|(_, state)| state).collect())
}

/// The first pass's accumulators: the compensated sum, the minimum and
/// the maximum.
#[derive(Clone, Copy)]
pub(super) struct FirstLanes {
    sums: LaneSums,
    mins: [f64; LANES],
    maxs: [f64; LANES],
}

/// What the first pass finds in a span, or in all of them (combined in
/// span order by [`First::add`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct First<Sum = CompensatedSum> {
    pub(super) sum: Sum,
    pub(super) min: f64,
    pub(super) max: f64,
}

impl FirstLanes {
    pub(super) fn new() -> Self {
        Self {
            sums: LaneSums::new(),
            mins: [f64::INFINITY; LANES],
            maxs: [f64::NEG_INFINITY; LANES],
        }
    }
}

impl InLanes for FirstLanes {
    type Span = First;

    #[inline(always)]
    fn step(&mut self, lane: usize, x: f64) {
        self.sums.add(lane, x);
        // Plain comparisons compile to SIMD min/max; values are never NaN.
        self.mins[lane] = if x < self.mins[lane] {
            x
        } else {
            self.mins[lane]
        };
        self.maxs[lane] = if x > self.maxs[lane] {
            x
        } else {
            self.maxs[lane]
        };
    }

    fn end_span(&mut self) -> First {
        let ended = std::mem::replace(self, Self::new());
        First {
            sum: ended.sums.total(),
            min: ended.mins.into_iter().fold(f64::INFINITY, f64::min),
            max: ended.maxs.into_iter().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

impl First<SpanSums> {
    /// Nothing found yet.
    pub(super) fn new() -> Self {
        Self {
            sum: SpanSums::default(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// The next span's findings.
    pub(super) fn add(&mut self, span: First) {
        self.sum.add(span.sum);
        self.min = self.min.min(span.min);
        self.max = self.max.max(span.max);
    }

    pub(super) fn finish(self) -> First {
        First {
            sum: self.sum.total(),
            min: self.min,
            max: self.max,
        }
    }
}

/// The compensated sum, the minimum and the maximum, in one pass that also
/// hands every value to `also` with the state of its thread.
pub(super) fn sum_min_max<S: Send>(
    values: &[f64],
    new_state: impl Fn() -> S + Sync,
    also: impl Fn(&mut S, &[f64]) + Sync,
) -> (First, Vec<S>) {
    let (spans, states) = over_spans(values, FirstLanes::new, new_state, also);
    let mut first = First::new();
    spans.into_iter().for_each(|span| first.add(span));
    (first.finish(), states)
}

/// How a pass takes the values: as they are, or scaled by a power of two
/// (the overflow path, [`super::scaled`]).
pub(super) trait Scaling: Copy {
    fn apply(self, x: f64) -> f64;
}

/// The values as they are.
#[derive(Clone, Copy)]
pub(super) struct Unscaled;

impl Scaling for Unscaled {
    #[inline(always)]
    fn apply(self, x: f64) -> f64 {
        x
    }
}

impl Scaling for Scale {
    #[inline(always)]
    fn apply(self, x: f64) -> f64 {
        self.down(x)
    }
}

impl Scaling for Option<Scale> {
    #[inline(always)]
    fn apply(self, x: f64) -> f64 {
        self.map_or(x, |scale| scale.down(x))
    }
}

/// The accumulators of the compensated sum of scaled values.
#[derive(Clone, Copy)]
pub(super) struct ScaledLanes<S> {
    sums: LaneSums,
    scale: S,
}

impl<S: Scaling> ScaledLanes<S> {
    pub(super) fn new(scale: S) -> Self {
        Self {
            sums: LaneSums::new(),
            scale,
        }
    }
}

impl<S: Scaling> InLanes for ScaledLanes<S> {
    type Span = CompensatedSum;

    #[inline(always)]
    fn step(&mut self, lane: usize, x: f64) {
        self.sums.add(lane, self.scale.apply(x));
    }

    fn end_span(&mut self) -> CompensatedSum {
        std::mem::replace(&mut self.sums, LaneSums::new()).total()
    }
}

/// The compensated sum of the values scaled by `scale`: the overflow
/// path's ([`super::scaled`]) third pass, for a sum that overflowed.
pub(super) fn scaled_sum(values: &[f64], scale: Scale) -> CompensatedSum {
    let (spans, _) = over_spans(values, || ScaledLanes::new(scale), || (), |_, _| {});
    let mut sum = SpanSums::default();
    spans.into_iter().for_each(|span| sum.add(span));
    sum.total()
}

/// The accumulators of Σ(x − mean) and Σ(x − mean)², over the values as
/// `scale` takes them (with `mean` scaled alike).
#[derive(Clone, Copy)]
pub(super) struct DeviationLanes<S> {
    deviations: [f64; LANES],
    squares: LaneSums,
    mean: f64,
    scale: S,
}

/// What the deviations pass finds in a span, or in all of them (combined
/// in span order by [`DeviationSums::add`]).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct DeviationSums<Sum = CompensatedSum> {
    deviation: f64,
    squares: Sum,
}

impl<S: Scaling> DeviationLanes<S> {
    /// `mean` already as `scale` takes the values.
    pub(super) fn new(mean: f64, scale: S) -> Self {
        Self {
            deviations: [0.0; LANES],
            squares: LaneSums::new(),
            mean,
            scale,
        }
    }
}

impl<S: Scaling> InLanes for DeviationLanes<S> {
    type Span = DeviationSums;

    #[inline(always)]
    fn step(&mut self, lane: usize, x: f64) {
        let d = self.scale.apply(x) - self.mean;
        self.deviations[lane] += d;
        self.squares.add_nonnegative(lane, d * d);
    }

    fn end_span(&mut self) -> DeviationSums {
        let squares = std::mem::replace(&mut self.squares, LaneSums::new()).total();
        let deviations = std::mem::replace(&mut self.deviations, [0.0; LANES]);
        DeviationSums {
            deviation: deviations.iter().sum(),
            squares,
        }
    }
}

impl DeviationSums<SpanSums> {
    pub(super) fn add(&mut self, span: DeviationSums) {
        self.deviation += span.deviation;
        self.squares.add(span.squares);
    }

    /// Σ(x − mean)² over the `n` values, corrected for the rounding of
    /// `mean`: with d = x − mean, Σ(x − m)² = Σd² − (Σd)²/n exactly, and Σd
    /// is what the mean's rounding left over (the "corrected two-pass
    /// algorithm", Chan, Golub and LeVeque 1983). The squares are summed
    /// with compensation, so values around 1e9 with a spread of 1e-3 keep
    /// their variance; Σd, a small correction, needs none. The caller
    /// makes sure nothing overflows (n·max|d| ≤ 2^500), so the result is a
    /// number: only a rounding below zero is taken to 0.
    pub(super) fn finish(self, n: usize) -> f64 {
        let squares = self.squares.total().value() - self.deviation * self.deviation / n as f64;
        debug_assert!(!squares.is_nan(), "squared deviations overflowed");
        if squares < 0.0 { 0.0 } else { squares }
    }
}

/// Σ(x − mean)² over the values as `scale` takes them (`mean` scaled
/// alike), in one pass that also hands every value, unscaled, to `also`
/// with the state of its thread.
pub(super) fn squared_deviations<S: Send>(
    values: &[f64],
    mean: f64,
    scale: impl Scaling + Send + Sync,
    new_state: impl Fn() -> S + Sync,
    also: impl Fn(&mut S, &[f64]) + Sync,
) -> (f64, Vec<S>) {
    let new_lanes = || DeviationLanes::new(mean, scale);
    let (spans, states) = over_spans(values, new_lanes, new_state, also);
    let mut deviations = DeviationSums::<SpanSums>::default();
    spans.into_iter().for_each(|span| deviations.add(span));
    (deviations.finish(values.len()), states)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TwoSum and the ordered Fast2Sum find the same exact error, and the
    /// same sum: the lanes may use either without changing a record.
    #[test]
    fn two_sum_finds_the_error_the_ordered_sum_finds() {
        let mut x: u64 = 17;
        let mut random = move || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x
        };
        let special = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            1e16,
            -1e16,
            f64::MAX,
            -f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            0.1,
            3.3333333333333335,
        ];
        let mut pairs: Vec<(f64, f64)> = special
            .iter()
            .flat_map(|&a| special.iter().map(move |&b| (a, b)))
            .collect();
        for _ in 0..200_000 {
            // Any finite bits, and values of nearby magnitudes.
            let (a, b) = (f64::from_bits(random()), f64::from_bits(random()));
            let near = a * (1.0 + (random() >> 12) as f64 / (1u64 << 52) as f64);
            pairs.extend([(a, b), (a, -near), (a, near)]);
        }
        for (a, b) in pairs {
            if !a.is_finite() || !b.is_finite() || !(a + b).is_finite() {
                continue;
            }
            let (sum, error) = two_sum(a, b);
            let (ordered_sum, ordered_error) = add_with_error(a, b);
            assert_eq!(
                (sum.to_bits(), error.to_bits()),
                (ordered_sum.to_bits(), ordered_error.to_bits()),
                "{a:e} + {b:e}"
            );
        }
    }
}
