//! The linear passes of [`summarize`](super::summarize()) fed a block at a
//! time, for values that are not held but read again on each pass
//! ([`super::bounded`]). Each gives the bits of its in-memory twin in
//! `sum.rs`: every value goes to the same lane (its index modulo
//! [`LANES`]) in the same order, so the sums round alike.

use super::scaled::Scale;
use super::sum::{CompensatedSum, LANES, LaneSums};

/// The values of an unfinished step of [`LANES`], carried to the next block.
#[derive(Default)]
struct Lanes {
    pending: [f64; LANES],
    filled: usize,
}

impl Lanes {
    /// Hands `values` to `take` with their lanes, whole steps at a time.
    #[inline(always)]
    fn feed(&mut self, mut values: &[f64], mut take: impl FnMut(usize, f64)) {
        if self.filled > 0 {
            while self.filled < LANES {
                let Some((&x, rest)) = values.split_first() else {
                    return;
                };
                self.pending[self.filled] = x;
                self.filled += 1;
                values = rest;
            }
            for (lane, &x) in self.pending.iter().enumerate() {
                take(lane, x);
            }
            self.filled = 0;
        }
        let chunks = values.chunks_exact(LANES);
        let rest = chunks.remainder();
        for chunk in chunks {
            for (lane, &x) in chunk.iter().enumerate() {
                take(lane, x);
            }
        }
        self.pending[..rest.len()].copy_from_slice(rest);
        self.filled = rest.len();
    }

    /// The last, unfinished step, as `in_lanes` takes its remainder.
    fn finish(&mut self, mut take: impl FnMut(usize, f64)) {
        for (lane, &x) in self.pending[..self.filled].iter().enumerate() {
            take(lane, x);
        }
        self.filled = 0;
    }
}

/// `sum_min_max`, a block at a time, counting the values.
pub(super) struct SumMinMax {
    lanes: Lanes,
    sums: LaneSums,
    mins: [f64; LANES],
    maxs: [f64; LANES],
    count: u64,
}

impl SumMinMax {
    pub(super) fn new() -> Self {
        Self {
            lanes: Lanes::default(),
            sums: LaneSums::new(),
            mins: [f64::INFINITY; LANES],
            maxs: [f64::NEG_INFINITY; LANES],
            count: 0,
        }
    }

    pub(super) fn add(&mut self, values: &[f64]) {
        self.count += values.len() as u64;
        let (sums, mins, maxs) = (&mut self.sums, &mut self.mins, &mut self.maxs);
        self.lanes
            .feed(values, |lane, x| step(sums, mins, maxs, lane, x));
    }

    /// The compensated sum, the minimum, the maximum and the count.
    pub(super) fn finish(mut self) -> (CompensatedSum, f64, f64, u64) {
        let (sums, mins, maxs) = (&mut self.sums, &mut self.mins, &mut self.maxs);
        self.lanes.finish(|lane, x| step(sums, mins, maxs, lane, x));
        let min = self.mins.into_iter().fold(f64::INFINITY, f64::min);
        let max = self.maxs.into_iter().fold(f64::NEG_INFINITY, f64::max);
        (self.sums.total(), min, max, self.count)
    }
}

#[inline(always)]
fn step(
    sums: &mut LaneSums,
    mins: &mut [f64; LANES],
    maxs: &mut [f64; LANES],
    lane: usize,
    x: f64,
) {
    sums.add(lane, x);
    mins[lane] = if x < mins[lane] { x } else { mins[lane] };
    maxs[lane] = if x > maxs[lane] { x } else { maxs[lane] };
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
    lanes: Lanes,
    sums: LaneSums,
    scale: Scale,
}

impl ScaledSum {
    pub(super) fn new(scale: Scale) -> Self {
        Self {
            lanes: Lanes::default(),
            sums: LaneSums::new(),
            scale,
        }
    }

    pub(super) fn add(&mut self, values: &[f64]) {
        let (sums, scale) = (&mut self.sums, self.scale);
        self.lanes
            .feed(values, |lane, x| sums.add(lane, scale.down(x)));
    }

    pub(super) fn finish(mut self) -> CompensatedSum {
        let (sums, scale) = (&mut self.sums, self.scale);
        self.lanes.finish(|lane, x| sums.add(lane, scale.down(x)));
        self.sums.total()
    }
}

/// `squared_deviations` of the values as they are or scaled (as
/// `deviations` in `summarize.rs` takes them), a block at a time.
pub(super) struct Deviations {
    lanes: Lanes,
    deviations: [f64; LANES],
    squares: LaneSums,
    mean: f64,
    scale: Option<Scale>,
}

impl Deviations {
    pub(super) fn new(mean: f64, scale: Option<Scale>) -> Self {
        Self {
            lanes: Lanes::default(),
            deviations: [0.0; LANES],
            squares: LaneSums::new(),
            mean: scale.map_or(mean, |scale| scale.down(mean)),
            scale,
        }
    }

    pub(super) fn add(&mut self, values: &[f64]) {
        let (deviations, squares) = (&mut self.deviations, &mut self.squares);
        let (mean, scale) = (self.mean, self.scale);
        self.lanes.feed(values, |lane, x| {
            deviate(deviations, squares, mean, scale, lane, x)
        });
    }

    /// Σ(x − mean)² over the `n` values fed, corrected as
    /// `squared_deviations` corrects it.
    pub(super) fn finish(mut self, n: usize) -> f64 {
        let (deviations, squares) = (&mut self.deviations, &mut self.squares);
        let (mean, scale) = (self.mean, self.scale);
        self.lanes
            .finish(|lane, x| deviate(deviations, squares, mean, scale, lane, x));
        let deviation: f64 = self.deviations.iter().sum();
        let squares = self.squares.total().value() - deviation * deviation / n as f64;
        if squares < 0.0 { 0.0 } else { squares }
    }
}

#[inline(always)]
fn deviate(
    deviations: &mut [f64; LANES],
    squares: &mut LaneSums,
    mean: f64,
    scale: Option<Scale>,
    lane: usize,
    x: f64,
) {
    let x = scale.map_or(x, |scale| scale.down(x));
    let d = x - mean;
    deviations[lane] += d;
    squares.add_nonnegative(lane, d * d);
}

#[cfg(test)]
mod tests {
    //! Against the in-memory passes, fed in blocks of every shape.

    use super::super::sum::{scaled_sum, squared_deviations, sum_min_max};
    use super::*;

    fn values() -> Vec<f64> {
        (0..1000_u32)
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
        let (sum, min, max) = sum_min_max(&values, |_| {});
        let scale = Scale::for_magnitude(1e16);
        let scaled = scaled_sum(&values, |x| scale.down(x));
        let mean = 12.345;
        let plain = squared_deviations(&values, mean, |x| x, |_| {});
        let scaled_squares =
            squared_deviations(&values, scale.down(mean), |x| scale.down(x), |_| {});
        for size in [1, 3, 7, 8, 9, 64, 1000, 2000] {
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
