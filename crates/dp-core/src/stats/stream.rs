//! The linear passes of [`summarize`](super::summarize()) fed a block at a
//! time, for values that are not held but read again on each pass
//! ([`super::bounded`]). Each gives the bits of its in-memory twin in
//! `sum.rs`: the same accumulators, every value in the same lane (its
//! index modulo [`LANES`]) of the same span (its index over [`SPAN`]), and
//! the spans combined in the same order, so the sums round alike.

use super::scaled::Scale;
use super::sum::{
    CompensatedSum, DeviationLanes, DeviationSums, First, FirstLanes, InLanes, LANES, SPAN,
    ScaledLanes, SpanSums,
};

/// A pass's accumulators fed a block at a time: the values of an
/// unfinished step of [`LANES`] wait for the next block, and a span ends
/// every [`SPAN`] values, wherever the blocks end.
struct Fed<L> {
    lanes: L,
    pending: [f64; LANES],
    filled: usize,
    /// Values of the current span so far.
    in_span: usize,
}

impl<L: InLanes> Fed<L> {
    fn new(lanes: L) -> Self {
        Self {
            lanes,
            pending: [0.0; LANES],
            filled: 0,
            in_span: 0,
        }
    }

    /// Takes `values`, handing each span that ends to `ended`.
    fn add(&mut self, mut values: &[f64], mut ended: impl FnMut(L::Span)) {
        while !values.is_empty() {
            let (now, rest) = values.split_at(values.len().min(SPAN - self.in_span));
            self.feed(now);
            self.in_span += now.len();
            if self.in_span == SPAN {
                debug_assert_eq!(self.filled, 0, "a span is whole steps");
                ended(self.lanes.end_span());
                self.in_span = 0;
            }
            values = rest;
        }
    }

    /// Hands `values` to the lanes, whole steps at a time.
    #[inline(always)]
    fn feed(&mut self, mut values: &[f64]) {
        if self.filled > 0 {
            while self.filled < LANES {
                let Some((&x, rest)) = values.split_first() else {
                    return;
                };
                self.pending[self.filled] = x;
                self.filled += 1;
                values = rest;
            }
            self.lanes.step_all(&self.pending);
            self.filled = 0;
        }
        let (steps, rest) = values.as_chunks::<LANES>();
        for step in steps {
            self.lanes.step_all(step);
        }
        self.pending[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    /// The last, unfinished span (its last step as the in-memory pass takes
    /// its remainder), if any.
    fn finish(mut self, ended: impl FnOnce(L::Span)) {
        for (lane, &x) in self.pending[..self.filled].iter().enumerate() {
            self.lanes.step(lane, x);
        }
        if self.in_span > 0 {
            ended(self.lanes.end_span());
        }
    }
}

/// `sum_min_max`, a block at a time, counting the values.
pub(super) struct SumMinMax {
    fed: Fed<FirstLanes>,
    found: First<SpanSums>,
    count: u64,
}

impl SumMinMax {
    pub(super) fn new() -> Self {
        Self {
            fed: Fed::new(FirstLanes::new()),
            found: First::new(),
            count: 0,
        }
    }

    pub(super) fn add(&mut self, values: &[f64]) {
        self.count += values.len() as u64;
        let found = &mut self.found;
        self.fed.add(values, |span| found.add(span));
    }

    /// The compensated sum, the minimum, the maximum and the count.
    pub(super) fn finish(self) -> (CompensatedSum, f64, f64, u64) {
        let mut found = self.found;
        self.fed.finish(|span| found.add(span));
        let First { sum, min, max } = found.finish();
        (sum, min, max, self.count)
    }
}

/// The count, minimum, maximum and sum of values given a block at a time,
/// bit for bit as [`summarize`](super::summarize()) has them: what a file
/// read again is checked against without holding its values.
pub struct Tally(SumMinMax);

/// What a [`Tally`] found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tallied {
    pub count: u64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// [`sum_of`](super::sum_of) the values; `None` when the sum overflowed
    /// on the way, where only a scaled second pass would tell it.
    pub sum: Option<Option<f64>>,
}

impl Default for Tally {
    fn default() -> Self {
        Self(SumMinMax::new())
    }
}

impl Tally {
    pub fn add(&mut self, values: &[f64]) {
        self.0.add(values);
    }

    pub fn finish(self) -> Tallied {
        let (sum, min, max, count) = self.0.finish();
        let sum = sum.value();
        let some = |x: f64| (count > 0).then_some(x);
        Tallied {
            count,
            min: some(min),
            max: some(max),
            sum: if count == 0 {
                Some(Some(0.0))
            } else {
                sum.is_finite().then_some(Some(sum))
            },
        }
    }
}

/// `scaled_sum`, a block at a time.
pub(super) struct ScaledSum {
    fed: Fed<ScaledLanes<Scale>>,
    sum: SpanSums,
}

impl ScaledSum {
    pub(super) fn new(scale: Scale) -> Self {
        Self {
            fed: Fed::new(ScaledLanes::new(scale)),
            sum: SpanSums::default(),
        }
    }

    pub(super) fn add(&mut self, values: &[f64]) {
        let sum = &mut self.sum;
        self.fed.add(values, |span| sum.add(span));
    }

    pub(super) fn finish(self) -> CompensatedSum {
        let mut sum = self.sum;
        self.fed.finish(|span| sum.add(span));
        sum.total()
    }
}

/// `squared_deviations` of the values as they are or scaled (as
/// `deviations` in `summarize.rs` takes them), a block at a time.
pub(super) struct Deviations {
    fed: Fed<DeviationLanes<Option<Scale>>>,
    found: DeviationSums<SpanSums>,
}

impl Deviations {
    pub(super) fn new(mean: f64, scale: Option<Scale>) -> Self {
        let mean = scale.map_or(mean, |scale| scale.down(mean));
        Self {
            fed: Fed::new(DeviationLanes::new(mean, scale)),
            found: DeviationSums::default(),
        }
    }

    pub(super) fn add(&mut self, values: &[f64]) {
        let found = &mut self.found;
        self.fed.add(values, |span| found.add(span));
    }

    /// Σ(x − mean)² over the `n` values fed, corrected as
    /// `squared_deviations` corrects it.
    pub(super) fn finish(self, n: usize) -> f64 {
        let mut found = self.found;
        self.fed.finish(|span| found.add(span));
        found.finish(n)
    }
}

#[cfg(test)]
mod tests {
    //! Against the in-memory passes, fed in blocks of every shape.

    use super::super::sum::{Unscaled, scaled_sum, squared_deviations, sum_min_max};
    use super::*;

    /// Over three spans and a part, cancellations inside and across spans.
    fn values() -> Vec<f64> {
        let n = 3 * SPAN as u32 + 1000;
        (0..n)
            .map(|i| f64::from(i).sin() * 1e6 + f64::from(i % 7) * 1e-9 - 0.0)
            .chain([1e16, 1.0, -1e16, -0.0, 0.0])
            .collect()
    }

    fn in_blocks(values: &[f64], size: usize, mut add: impl FnMut(&[f64])) {
        for block in values.chunks(size) {
            add(block);
        }
    }

    #[test]
    fn a_tally_is_what_summarize_says() {
        let values = values();
        let mut tally = Tally::default();
        in_blocks(&values, 13, |block| tally.add(block));
        let summary = super::super::summarize(&mut values.clone(), &[]);
        let tallied = tally.finish();
        assert_eq!(tallied.sum, Some(summary.sum));
        assert_eq!((tallied.min, tallied.max), (summary.min, summary.max));
        assert_eq!(tallied.count, summary.count);
        let mut overflowing = Tally::default();
        overflowing.add(&[1e308, 1e308, -1e308]);
        assert_eq!(overflowing.finish().sum, None);
        assert_eq!(Tally::default().finish().sum, Some(Some(0.0)));
    }

    #[test]
    fn every_blocking_gives_the_bits_of_the_in_memory_passes() {
        let values = values();
        let (First { sum, min, max }, _) = sum_min_max(&values, || (), |_, _| {});
        let scale = Scale::for_magnitude(1e16);
        let scaled = scaled_sum(&values, scale);
        let mean = 12.345;
        let (plain, _) = squared_deviations(&values, mean, Unscaled, || (), |_, _| {});
        let (scaled_squares, _) =
            squared_deviations(&values, scale.down(mean), scale, || (), |_, _| {});
        // Blocks that end inside steps, at span ends, and across them.
        for size in [1, 3, 7, 8, 9, 1000, SPAN - 1, SPAN, SPAN + 3, 5 * SPAN] {
            let mut first = SumMinMax::new();
            in_blocks(&values, size, |block| first.add(block));
            let (got, got_min, got_max, count) = first.finish();
            assert_eq!(
                got.value().to_bits(),
                sum.value().to_bits(),
                "blocks of {size}"
            );
            assert_eq!(
                (got_min.to_bits(), got_max.to_bits()),
                (min.to_bits(), max.to_bits())
            );
            assert_eq!(count, values.len() as u64);
            let mut again = ScaledSum::new(scale);
            in_blocks(&values, size, |block| again.add(block));
            assert_eq!(again.finish().value().to_bits(), scaled.value().to_bits());
            for (scale, expected) in [(None, plain), (Some(scale), scaled_squares)] {
                let mut deviations = Deviations::new(mean, scale);
                in_blocks(&values, size, |block| deviations.add(block));
                assert_eq!(
                    deviations.finish(values.len()).to_bits(),
                    expected.to_bits()
                );
            }
        }
    }
}
