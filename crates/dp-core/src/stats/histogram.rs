//! Histogram selection: finding the wanted ranks among few values.
//!
//! The first pass of [`summarize`](super::summarize()) counts the values in
//! a histogram, the second sets aside the values of the buckets that hold a
//! wanted rank, and a multi-selection among those few finds the ranks.
//! Where it cannot help (fewer than 2^16 values, or wanted buckets that hold
//! more than 1/8 of them), [`select_ranks`] runs over all the values in place.
//!
//! What it buys over that fallback, measured on the same 10 million values
//! of each shape (`cargo run --release -p dp-core --example
//! stats_throughput`: median of 7 runs on one thread, 2-core machine busy
//! with other work, so the in-place times spread most), histogram against
//! in place:
//!
//! | shape           | histogram | in place | faster |
//! |-----------------|----------:|---------:|-------:|
//! | uniform `%.6f`  |     59 ms |   191 ms |   3.2× |
//! | normal          |     55 ms |   180 ms |   3.3× |
//! | exponential     |     64 ms |   254 ms |   4.0× |
//! | lognormal(0, 2) |     55 ms |   193 ms |   3.5× |
//! | sorted          |     54 ms |   154 ms |   2.9× |
//! | half zeros      |     66 ms |   193 ms |   2.9× |
//! | integers 0..7   |     80 ms |   203 ms |   2.5× |
//!
//! Ties (the last two) crowd a few buckets, where only the common value is
//! counted and the rest set aside: the gain is smallest there.

use super::select::select_ranks;
use crate::float::sort_key;

/// Counts of the values in 2^16 buckets, each a range of values, in order.
///
/// The buckets span the range of a sample of the values (values beyond it
/// fall in the end buckets), so one pass can count while it sums. They are
/// equal ranges of values or of bit patterns, whichever spreads the sample
/// better: equal ranges suit values around zero or with ties, bit patterns
/// (a logarithmic scale) suit long tails and far outliers.
///
/// Each thread of the pass counts in a [`Counter`] of its own; the counts
/// are added up after ([`Histogram::add_counts`]): integers, so exactly.
pub(super) struct Histogram {
    mapping: Mapping,
    /// Empty until counted.
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
        match self {
            Mapping::Linear { low, scale } => linear_bucket(x, low, scale),
            Mapping::BitPatterns { low, shift } => pattern_bucket(x, low, shift),
        }
    }

    /// `each(bucket of x)` for every x of `values`, the mapping chosen once
    /// for them all rather than for each value.
    #[inline(always)]
    fn each_bucket(self, values: &[f64], mut each: impl FnMut(usize, f64)) {
        match self {
            Mapping::Linear { low, scale } => {
                for &x in values {
                    each(linear_bucket(x, low, scale), x);
                }
            }
            Mapping::BitPatterns { low, shift } => {
                for &x in values {
                    each(pattern_bucket(x, low, shift), x);
                }
            }
        }
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

/// The bucket of x in equal ranges of values from `low` (the nearest whole
/// number of ranges): values beyond the range land in the end buckets.
///
/// Clamped as a float and made whole by adding 2^52, whose last bits then
/// are that number: no checks for NaN or overflow, as a conversion by `as`
/// needs, in half the instructions (this runs for every value, twice).
/// Rounding to nearest, like any rounding, keeps the buckets in the
/// values' order.
#[inline(always)]
fn linear_bucket(x: f64, low: f64, scale: f64) -> usize {
    const WHOLE: f64 = (1u64 << 52) as f64;
    let clamped = ((x - low) * scale).max(0.0).min((BUCKETS - 1) as f64);
    (clamped + WHOLE).to_bits() as usize & (BUCKETS - 1)
}

/// The bucket of x in equal ranges of bit patterns from `low`.
#[inline(always)]
fn pattern_bucket(x: f64, low: u64, shift: u32) -> usize {
    ((sort_key(x).saturating_sub(low) >> shift) as usize).min(BUCKETS - 1)
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
    pub(super) fn for_values(values: &[f64]) -> Option<Self> {
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
            counts: Vec::new(),
            sample,
        })
    }

    /// Counts for one thread of the pass.
    pub(super) fn counter(&self) -> Counter {
        Counter {
            mapping: self.mapping,
            counts: per_bucket(0),
        }
    }

    /// Adds up the counters' counts.
    pub(super) fn add_counts(&mut self, counters: Vec<Counter>) {
        for counter in counters {
            if self.counts.is_empty() {
                self.counts = (counter.counts as Box<[u32]>).into_vec();
            } else {
                for (total, count) in self.counts.iter_mut().zip(counter.counts.iter()) {
                    *total += count;
                }
            }
        }
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
    pub(super) fn gathering(self, ranks: &[usize], n: usize) -> Option<Gathering> {
        let mut actions = per_bucket(SKIP);
        let mut wanted = Box::new([0u64; BUCKETS / 64]);
        let mut buckets = Vec::new();
        let mut found = Vec::with_capacity(ranks.len());
        let mut commons = Vec::new();
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
                    actions[bucket] = FIRST_CROWDED + commons.len() as u8;
                    commons.push(self.common_value(bucket));
                } else {
                    actions[bucket] = KEEP;
                    kept += count;
                }
                wanted[bucket / 64] |= 1 << (bucket % 64);
                buckets.push(WantedBucket {
                    action: actions[bucket],
                    count,
                });
            }
            while let Some(rank) = pending.next_if(|&rank| rank < after) {
                found.push((buckets.len() - 1, rank - before));
            }
            before = after;
        }
        let limit = n / GATHER_AT_MOST;
        (kept <= limit).then_some(Gathering {
            mapping: self.mapping,
            actions,
            wanted,
            buckets,
            ranks: found,
            kept,
            limit,
            commons,
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
            .chunk_by(|a, b| sort_key(*a) == sort_key(*b))
            .max_by_key(|run| run.len())
            .map_or(f64::NAN, |run| run[0])
    }
}

/// A value for every bucket: of a fixed length, so that indexing by a
/// bucket needs no bounds check.
type PerBucket<T> = Box<[T; BUCKETS]>;

fn per_bucket<T: Copy>(value: T) -> PerBucket<T> {
    vec![value; BUCKETS]
        .into_boxed_slice()
        .try_into()
        .unwrap_or_else(|_| unreachable!("BUCKETS values"))
}

/// The counts of one thread's share of the values.
pub(super) struct Counter {
    mapping: Mapping,
    counts: PerBucket<u32>,
}

impl Counter {
    #[inline(always)]
    pub(super) fn count(&mut self, values: &[f64]) {
        let counts = &mut *self.counts;
        self.mapping
            .each_bucket(values, |bucket, _| counts[bucket] += 1);
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

/// What the second pass learns of a crowded bucket: the values equal to
/// its common value, and the others below it (set aside).
#[derive(Clone, Copy, Default)]
struct Crowded {
    common_count: usize,
    below: usize,
}

/// The second pass's work: the values of the buckets that hold a wanted
/// rank, set aside, but for the common value of crowded buckets. Each
/// thread of the pass gathers into a [`Gathered`] of its own; the values
/// set aside are then put together in any order (selection does not
/// depend on it) and the counts added up.
pub(super) struct Gathering {
    mapping: Mapping,
    actions: PerBucket<u8>,
    /// A bit per bucket, set where the action is not [`SKIP`]: 8 KiB that
    /// stay in the first-level cache, where the actions (64 KiB) do not,
    /// for the many values skipped.
    wanted: Box<[u64; BUCKETS / 64]>,
    buckets: Vec<WantedBucket>,
    /// Per wanted rank: its bucket (index in `buckets`) and its rank there.
    ranks: Vec<(usize, usize)>,
    /// How many values are set aside but for the crowded buckets' others.
    kept: usize,
    /// Set aside no more than this; past it, give up.
    limit: usize,
    /// The common value of each crowded bucket.
    commons: Vec<f64>,
}

/// One thread's share of a [`Gathering`].
pub(super) struct Gathered {
    kept: Vec<f64>,
    crowded: Vec<Crowded>,
    /// Too many values differed from a crowded bucket's common one.
    gave_up: bool,
}

impl Gathering {
    /// Where one thread of the pass gathers.
    pub(super) fn gathered(&self) -> Gathered {
        Gathered {
            kept: Vec::with_capacity(self.kept),
            crowded: vec![Crowded::default(); self.commons.len()],
            gave_up: false,
        }
    }

    #[inline(always)]
    pub(super) fn offer(&self, gathered: &mut Gathered, values: &[f64]) {
        let wanted = &*self.wanted;
        self.mapping.each_bucket(values, |bucket, x| {
            if wanted[bucket / 64] >> (bucket % 64) & 1 != 0 {
                self.keep(gathered, bucket, x);
            }
        });
    }

    /// What [`Gathering::offer`] does with a value of a wanted bucket.
    fn keep(&self, gathered: &mut Gathered, bucket: usize, x: f64) {
        match self.actions[bucket] {
            SKIP => {}
            KEEP => gathered.kept.push(x),
            slot => {
                let slot = usize::from(slot - FIRST_CROWDED);
                let (crowded, common) = (&mut gathered.crowded[slot], self.commons[slot]);
                // By sort key, the selection's order, where −0 and 0 are
                // two values: by `==` a crowd of −0 took in the zeros.
                let (key, common) = (sort_key(x), sort_key(common));
                if key == common {
                    crowded.common_count += 1;
                } else if gathered.kept.len() < self.limit {
                    crowded.below += usize::from(key < common);
                    gathered.kept.push(x);
                } else {
                    // Too many values differ from the common one: note it
                    // (the kept values no longer add up) and stop keeping.
                    gathered.gave_up = true;
                }
            }
        }
    }

    /// The values of the wanted ranks, in order, from what the threads
    /// gathered; `None` when a crowded bucket held too many values besides
    /// its common one.
    pub(super) fn select(self, parts: Vec<Gathered>) -> Option<Vec<f64>> {
        let mut parts = parts.into_iter();
        let mut all = parts.next()?;
        for part in parts {
            all.kept.extend_from_slice(&part.kept);
            all.gave_up |= part.gave_up;
            for (total, crowded) in all.crowded.iter_mut().zip(part.crowded) {
                total.common_count += crowded.common_count;
                total.below += crowded.below;
            }
        }
        if all.gave_up {
            return None;
        }
        let Gathered {
            mut kept, crowded, ..
        } = all;
        // Where each wanted bucket's values start among those set aside.
        let mut starts = Vec::with_capacity(self.buckets.len());
        let mut start = 0;
        for bucket in &self.buckets {
            starts.push(start);
            start += match bucket.action {
                KEEP => bucket.count,
                slot => bucket.count - crowded[usize::from(slot - FIRST_CROWDED)].common_count,
            };
        }
        debug_assert_eq!(start, kept.len());
        // Each wanted rank is the common value of a crowded bucket, or a
        // rank among the values set aside.
        let found: Vec<Result<usize, f64>> = self
            .ranks
            .iter()
            .map(|&(index, rank)| match self.buckets[index].action {
                KEEP => Ok(starts[index] + rank),
                slot => {
                    let slot = usize::from(slot - FIRST_CROWDED);
                    let crowded = &crowded[slot];
                    if rank < crowded.below {
                        Ok(starts[index] + rank)
                    } else if rank < crowded.below + crowded.common_count {
                        Err(self.commons[slot])
                    } else {
                        Ok(starts[index] + rank - crowded.common_count)
                    }
                }
            })
            .collect();
        let kept_ranks: Vec<usize> = found.iter().filter_map(|found| found.ok()).collect();
        select_ranks(&mut kept, &kept_ranks, 0);
        Some(
            found
                .into_iter()
                .map(|found| found.map_or_else(|common| common, |rank| kept[rank]))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The histogram's selection needs buckets in the values' order (the
    /// ranks are found by counting up the buckets), every bucket in range.
    #[test]
    fn linear_buckets_keep_the_order_of_the_values_and_stay_in_range() {
        let (low, high) = (-3.5, 1234.25);
        let scale = BUCKETS as f64 / (high - low);
        let mut x: u64 = 11;
        let mut values: Vec<f64> = (0..100_000)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                low - 100.0 + (x >> 11) as f64 / (1u64 << 53) as f64 * (high - low + 200.0)
            })
            .collect();
        values.extend([low, high, -0.0, 0.0, f64::MAX, -f64::MAX, f64::MIN_POSITIVE]);
        values.sort_unstable_by(f64::total_cmp);
        let buckets: Vec<usize> = values
            .iter()
            .map(|&x| linear_bucket(x, low, scale))
            .collect();
        assert!(buckets.windows(2).all(|pair| pair[0] <= pair[1]));
        assert_eq!(buckets[0], 0, "below the range: the first bucket");
        assert_eq!(
            buckets[buckets.len() - 1],
            BUCKETS - 1,
            "beyond it: the last"
        );
        for (&x, &bucket) in values.iter().zip(&buckets) {
            // The nearest whole number of ranges from `low`, within range.
            let exact = ((x - low) * scale).clamp(0.0, (BUCKETS - 1) as f64);
            assert!(
                (bucket as f64 - exact).abs() <= 0.5,
                "{x}: {bucket} for {exact}"
            );
        }
    }
}
