//! The statistics of values too many to hold, exactly, in passes over
//! values read again (docs/reference.md, "Big inputs").
//!
//! The first pass computes the count, the compensated sum, the minimum and
//! the maximum as [`summarize`](super::summarize()) does, and counts the
//! values in a histogram that brackets every wanted rank ([`super::brackets`]).
//! The second sums the squared deviations from the mean and narrows the
//! brackets, or gathers their values and selects exactly; further passes
//! narrow until every rank is found. The linear passes put every value in
//! the lane the in-memory passes put it in ([`super::stream`]), so the
//! summary is that of [`summarize`](super::summarize()), bit for bit; only
//! the number of passes differs.
//!
//! A pass is fed with [`BoundedSummary::add`] and closed with
//! [`BoundedSummary::end_pass`], which says whether another is needed.

use super::brackets::{BracketPass, Brackets, KeyHistogram};
use super::scaled::Scale;
use super::stream::{Deviations, ScaledSum, SumMinMax};
use super::summarize::{
    OrderStatistics, Passes, Statistic, Summary, Wanted, deviation_scale, finite_sum_and_mean,
    rescaled_sum_and_mean,
};
use crate::float::sort_key;

/// The values read again are not those read before: a different count, or
/// other values in a bracket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("its values changed while it was being read again")]
pub struct Changed;

/// The least budget the passes work with: a few histograms' worth.
pub const MIN_BUDGET: usize = 64 << 10;

/// The statistics of values read in several passes, holding no more than
/// a budget of bytes (histograms and gathered values).
pub struct BoundedSummary {
    percentiles: Vec<f64>,
    budget: usize,
    passes: u32,
    stage: Stage,
}

enum Stage {
    First {
        sums: Box<SumMinMax>,
        /// Made on the first values, which it is spread over.
        histogram: Option<KeyHistogram>,
    },
    Later(Box<Later>),
    Done(Box<Summary>),
}

/// What the passes after the first know and do.
struct Later {
    n: usize,
    min: f64,
    max: f64,
    ranks: Vec<usize>,
    /// The sum and mean, once known (after a scaled pass for a sum that
    /// overflowed).
    sum_and_mean: Option<(Statistic, f64)>,
    linear: Linear,
    seen: u64,
    brackets: Brackets,
    pass: Option<BracketPass>,
}

/// The linear work of a pass.
enum Linear {
    ScaledSum(ScaledSum, Scale),
    Deviations(Deviations, Option<Scale>),
    Done { squares: f64, scale: Option<Scale> },
}

impl BoundedSummary {
    /// `percentiles` as [`summarize`](super::summarize()) takes them; at
    /// most `budget` bytes held (at least [`MIN_BUDGET`]).
    pub fn new(percentiles: &[f64], budget: usize) -> Self {
        Self {
            percentiles: percentiles.to_vec(),
            budget: budget.max(MIN_BUDGET),
            passes: 1,
            stage: Stage::First {
                sums: Box::new(SumMinMax::new()),
                histogram: None,
            },
        }
    }

    /// The bytes the first pass takes at once for `budget` (its
    /// histogram): what must be free when held values turn into passes.
    pub fn first_pass_bytes(budget: usize) -> usize {
        KeyHistogram::first_bytes(budget.max(MIN_BUDGET))
    }

    /// How many passes over the values were begun so far.
    pub fn passes(&self) -> u32 {
        self.passes
    }

    /// The next values of this pass, in the order of every pass.
    pub fn add(&mut self, values: &[f64]) {
        match &mut self.stage {
            Stage::First { .. } if values.is_empty() => {}
            Stage::First { sums, histogram } => {
                sums.add(values);
                let histogram =
                    histogram.get_or_insert_with(|| KeyHistogram::first(values, self.budget));
                for &x in values {
                    histogram.count(sort_key(x));
                }
            }
            Stage::Later(later) => {
                later.seen += values.len() as u64;
                match &mut later.linear {
                    Linear::ScaledSum(sum, _) => sum.add(values),
                    Linear::Deviations(deviations, _) => deviations.add(values),
                    Linear::Done { .. } => {}
                }
                if let Some(pass) = &mut later.pass {
                    pass.offer(values);
                }
            }
            Stage::Done(_) => {}
        }
    }

    /// Ends a pass: true when the values must be read once more.
    pub fn end_pass(&mut self) -> Result<bool, Changed> {
        let stage = std::mem::replace(&mut self.stage, Stage::Done(Box::new(Summary::empty())));
        self.stage = match stage {
            Stage::First { sums, histogram } => self.after_first(sums, histogram),
            Stage::Later(later) => self.after_later(*later)?,
            done @ Stage::Done(_) => done,
        };
        let again = !matches!(self.stage, Stage::Done(_));
        if again {
            self.passes += 1;
        }
        Ok(again)
    }

    /// The summary, once [`BoundedSummary::end_pass`] said no more passes.
    pub fn finish(self) -> Summary {
        match self.stage {
            Stage::Done(summary) => *summary,
            _ => panic!("the summary asked for before its last pass"),
        }
    }

    fn after_first(&self, sums: Box<SumMinMax>, histogram: Option<KeyHistogram>) -> Stage {
        let (sum, min, max, count) = sums.finish();
        let (Some(histogram), n) = (histogram, count as usize) else {
            return Stage::Done(Box::new(Summary::empty()));
        };
        let ranks = Wanted::new(n, &self.percentiles).ranks;
        let brackets = Brackets::after_first(&histogram, &ranks);
        drop(histogram);
        let largest = Scale::for_magnitude(min.abs().max(max.abs()));
        let (sum_and_mean, linear) = if sum.value().is_finite() {
            let (sum, mean) = finite_sum_and_mean(sum.value(), n, min, max);
            (Some((sum, mean)), deviations(n, min, max, mean, largest))
        } else {
            (None, Linear::ScaledSum(ScaledSum::new(largest), largest))
        };
        self.next(Later {
            n,
            min,
            max,
            ranks,
            sum_and_mean,
            linear,
            seen: 0,
            brackets,
            pass: None,
        })
    }

    fn after_later(&self, mut later: Later) -> Result<Stage, Changed> {
        if later.seen != later.n as u64 {
            return Err(Changed);
        }
        later.seen = 0;
        let (n, min, max) = (later.n, later.min, later.max);
        later.linear = match later.linear {
            Linear::ScaledSum(sum, largest) => {
                let (sum, mean) = rescaled_sum_and_mean(sum.finish(), n, min, max, largest);
                later.sum_and_mean = Some((sum, mean));
                deviations(n, min, max, mean, largest)
            }
            Linear::Deviations(deviations, scale) => Linear::Done {
                squares: deviations.finish(n),
                scale,
            },
            done @ Linear::Done { .. } => done,
        };
        if let Some(pass) = later.pass.take() {
            later.brackets.absorb(pass)?;
        }
        Ok(self.next(later))
    }

    /// Another pass, or the summary when nothing is left to do.
    fn next(&self, mut later: Later) -> Stage {
        let Linear::Done { squares, scale } = later.linear else {
            if !later.brackets.all_found() {
                later.pass = Some(later.brackets.next_pass(self.budget));
            }
            return Stage::Later(Box::new(later));
        };
        if !later.brackets.all_found() {
            later.pass = Some(later.brackets.next_pass(self.budget));
            return Stage::Later(Box::new(later));
        }
        let Later {
            n,
            min,
            max,
            ranks,
            sum_and_mean,
            brackets,
            ..
        } = later;
        let (sum, mean) = sum_and_mean.expect("the mean is known before the deviations");
        let selected = brackets.values(&ranks);
        let order = OrderStatistics {
            n,
            min,
            max,
            ranks,
            selected,
        };
        let passes = Passes::found(sum, mean, squares, scale, order);
        Stage::Done(Box::new(Wanted::new(n, &self.percentiles).summary(passes)))
    }
}

/// The deviations pass, or nothing to do below two values (no variance).
fn deviations(n: usize, min: f64, max: f64, mean: f64, largest: Scale) -> Linear {
    if n < 2 {
        return Linear::Done {
            squares: 0.0,
            scale: None,
        };
    }
    let scale = deviation_scale(n, min, max, mean, largest);
    Linear::Deviations(Deviations::new(mean, scale), scale)
}

#[cfg(test)]
mod tests {
    use super::super::summarize;
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The summary of `values` in passes over blocks of `block` values.
    fn bounded(values: &[f64], percentiles: &[f64], budget: usize, block: usize) -> (Summary, u32) {
        let mut bounded = BoundedSummary::new(percentiles, budget);
        loop {
            for part in values.chunks(block) {
                bounded.add(part);
            }
            if !bounded.end_pass().unwrap() {
                let passes = bounded.passes();
                return (bounded.finish(), passes);
            }
            assert!(bounded.passes() < 20, "no end to the passes");
        }
    }

    fn check(values: &[f64], percentiles: &[f64], what: &str) -> u32 {
        let expected = summarize(&mut values.to_vec(), percentiles);
        let mut most = 0;
        for (budget, block) in [(0, 1000), (MIN_BUDGET * 4, 333), (1 << 30, 4096)] {
            let (got, passes) = bounded(values, percentiles, budget, block);
            assert_eq!(
                format!("{got:?}"),
                format!("{expected:?}"),
                "{what}: budget {budget}"
            );
            most = most.max(passes);
        }
        most
    }

    #[test]
    fn passes_give_the_in_memory_summary_bit_for_bit() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let uniform: Vec<f64> = (0..200_000).map(|_| rng.random::<f64>()).collect();
        assert!(check(&uniform, &[1.0, 99.9], "uniform") >= 3);
        let wide: Vec<f64> = (0..50_000)
            .map(|_| (rng.random::<f64>() - 0.5) * 10f64.powi(rng.random_range(-300..300)))
            .collect();
        check(&wide, &[50.0], "wide");
        let few: Vec<f64> = (0..100_000).map(|i| f64::from(i % 3) - 1.0).collect();
        check(&few, &[33.3, 66.7], "three values");
        check(&vec![2.5; 70_000], &[], "all equal");
        let zeros: Vec<f64> = (0..30_000)
            .map(|i| if i % 2 == 0 { -0.0 } else { 0.0 })
            .collect();
        check(&zeros, &[], "signed zeros");
        // Enough for the histogram, whose crowded bucket of zeros must
        // still put −0 before 0, as the selection does.
        let crowded_zeros: Vec<f64> = (0..300_000)
            .map(|i: usize| [-0.0, 0.0, 0.0, -0.0, 1.0, -1.0][((i * 2_654_435_761) >> 7) % 6])
            .collect();
        check(&crowded_zeros, &[50.0], "a crowd of signed zeros");
        let huge: Vec<f64> = (0..10_000)
            .map(|i| if i % 2 == 0 { 1e308 } else { -1e200 })
            .collect();
        check(&huge, &[], "overflowing sums");
        check(&[1e308, 1e308, 1.0], &[], "a sum beyond the range");
        check(&[4.0], &[10.0], "one value");
        check(&[], &[], "no values");
    }

    #[test]
    fn random_data_and_tiny_budgets_agree_with_the_in_memory_path() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for round in 0..20 {
            let n = rng.random_range(1..30_000);
            let levels = rng.random_range(1..2_000);
            let values: Vec<f64> = (0..n)
                .map(|_| f64::from(rng.random_range(0..levels)) * 0.25 - 100.0)
                .collect();
            let block = rng.random_range(1..5_000);
            let expected = summarize(&mut values.clone(), &[5.0]);
            let (got, _) = bounded(&values, &[5.0], 0, block);
            assert_eq!(format!("{got:?}"), format!("{expected:?}"), "round {round}");
        }
    }

    #[test]
    fn values_that_change_between_passes_are_noticed() {
        let values: Vec<f64> = (0..100_000).map(f64::from).collect();
        let mut bounded = BoundedSummary::new(&[], 0);
        bounded.add(&values);
        assert!(bounded.end_pass().unwrap());
        bounded.add(&values[1..]);
        assert_eq!(bounded.end_pass(), Err(Changed));
    }
}
