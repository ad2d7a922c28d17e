//! Exact order statistics of values that are not held: each wanted rank is
//! bracketed between two values, pass after pass, until the values of its
//! bracket fit in memory and are selected among, or the bracket holds a
//! single value (docs/reference.md, "Big inputs").
//!
//! The brackets are ranges of [`sort_key`]s (the floats' total order as
//! integers). A pass counts the values of each open bracket in a histogram
//! of equal key ranges, keeping each bucket's least and greatest key; a
//! wanted rank then falls in one bucket, whose keys seen become its next,
//! narrower bracket (a bucket whose least and greatest keys are equal holds
//! one value many times: the rank is found). A bracket whose values fit in
//! the budget is gathered instead, and its ranks selected exactly. Every
//! histogram splits its bracket's keys in at least two, so the brackets
//! narrow at every pass; ties, which no histogram splits, end as one-key
//! buckets.

use super::select::select_ranks;
use crate::float::{from_sort_key, sort_key};

/// Bytes a histogram bucket takes: its count and its least and greatest key.
const BUCKET_BYTES: usize = 24;
/// Bounds on a histogram's buckets (powers of two).
const MIN_BUCKETS: usize = 1 << 8;
const MAX_BUCKETS: usize = 1 << 20;

/// Counts of values by equal ranges of keys from `low` on; keys below fall
/// in the first bucket, keys beyond the last in the last.
pub(super) struct KeyHistogram {
    mapping: Mapping,
    buckets: Vec<Bucket>,
}

/// Which bucket a key falls in: equal ranges of 2^shift keys from `low`.
#[derive(Clone, Copy)]
struct Mapping {
    low: u64,
    shift: u32,
    last: usize,
}

impl Mapping {
    #[inline(always)]
    fn index(self, key: u64) -> usize {
        ((key.saturating_sub(self.low) >> self.shift) as usize).min(self.last)
    }
}

#[derive(Clone, Copy)]
struct Bucket {
    count: u64,
    least: u64,
    greatest: u64,
}

impl KeyHistogram {
    /// `buckets` (a power of two) equal ranges spanning `low..=high`.
    fn new(low: u64, high: u64, buckets: usize) -> Self {
        let span_bits = u64::BITS - (high - low).leading_zeros();
        Self {
            mapping: Mapping {
                low,
                shift: span_bits.saturating_sub(buckets.ilog2()),
                last: buckets - 1,
            },
            buckets: vec![
                Bucket {
                    count: 0,
                    least: u64::MAX,
                    greatest: 0,
                };
                buckets
            ],
        }
    }

    /// The bytes of the first pass's histogram for `budget`.
    pub(super) fn first_bytes(budget: usize) -> usize {
        buckets_for(budget / 2 / BUCKET_BYTES) * BUCKET_BYTES
    }

    /// The first pass's histogram, spread over the keys of `sample` (the
    /// first values read), as large as half of `budget` bytes allows.
    pub(super) fn first(sample: &[f64], budget: usize) -> Self {
        let (low, high) = sample
            .iter()
            .map(|&x| sort_key(x))
            .fold((u64::MAX, 0), |(low, high), key| {
                (low.min(key), high.max(key))
            });
        Self::new(low.min(high), high, buckets_for(budget / 2 / BUCKET_BYTES))
    }

    #[inline(always)]
    pub(super) fn count(&mut self, key: u64) {
        let bucket = &mut self.buckets[self.mapping.index(key)];
        bucket.count += 1;
        bucket.least = bucket.least.min(key);
        bucket.greatest = bucket.greatest.max(key);
    }

    /// Where the `ranks` (sorted, counted from the first value of the
    /// histogram's range, which has `below` values before it) fall: found
    /// where their bucket holds one value, else new brackets.
    fn place(
        &self,
        below: u64,
        ranks: &[usize],
        found: &mut Vec<(usize, f64)>,
        open: &mut Vec<Bracket>,
    ) {
        let mut ranks = ranks.iter().copied().peekable();
        let mut before = below;
        for bucket in &self.buckets {
            let after = before + bucket.count;
            let mut inside = Vec::new();
            while let Some(rank) = ranks.next_if(|&rank| (rank as u64) < after) {
                inside.push(rank);
            }
            if !inside.is_empty() {
                if bucket.least == bucket.greatest {
                    let value = from_sort_key(bucket.least);
                    found.extend(inside.into_iter().map(|rank| (rank, value)));
                } else {
                    open.push(Bracket {
                        low: bucket.least,
                        high: bucket.greatest,
                        below: before,
                        count: bucket.count,
                        ranks: inside,
                    });
                }
            }
            before = after;
        }
        debug_assert!(ranks.next().is_none(), "a rank beyond the values counted");
    }
}

/// The largest power of two of buckets at most `fits`, within bounds.
fn buckets_for(fits: usize) -> usize {
    let fits = fits.clamp(MIN_BUCKETS, MAX_BUCKETS);
    1 << fits.ilog2()
}

/// The keys `low..=high` hold `count` values, with `below` values before
/// them, and the wanted `ranks` (absolute, sorted).
struct Bracket {
    low: u64,
    high: u64,
    below: u64,
    count: u64,
    ranks: Vec<usize>,
}

/// The wanted ranks: found, or bracketed.
pub(super) struct Brackets {
    found: Vec<(usize, f64)>,
    /// Sorted by key, disjoint.
    open: Vec<Bracket>,
    /// The first histogram's buckets: every bracket lies within one of
    /// them, which is how a value finds its bracket.
    first: Mapping,
}

impl Brackets {
    /// The brackets after the first pass's histogram over all `n` values.
    pub(super) fn after_first(histogram: &KeyHistogram, ranks: &[usize]) -> Self {
        let mut brackets = Self {
            found: Vec::new(),
            open: Vec::new(),
            first: histogram.mapping,
        };
        histogram.place(0, ranks, &mut brackets.found, &mut brackets.open);
        brackets
    }

    pub(super) fn all_found(&self) -> bool {
        self.open.is_empty()
    }

    /// The values of `ranks` (those given to [`Brackets::after_first`]),
    /// once all are found.
    pub(super) fn values(mut self, ranks: &[usize]) -> Vec<f64> {
        debug_assert!(self.all_found());
        self.found.sort_unstable_by_key(|&(rank, _)| rank);
        debug_assert!(
            self.found
                .iter()
                .map(|&(rank, _)| rank)
                .eq(ranks.iter().copied())
        );
        self.found.into_iter().map(|(_, value)| value).collect()
    }

    /// The next pass's work on the open brackets within `budget` bytes:
    /// gather those whose values fit (the smallest first), count the others
    /// in histograms.
    pub(super) fn next_pass(&mut self, budget: usize) -> BracketPass {
        // The route below takes its part (8 bytes a bucket of the first
        // histogram, a third of what that histogram took).
        let budget = budget.saturating_sub((self.first.last + 1) * 8);
        let brackets = std::mem::take(&mut self.open);
        let total: u64 = brackets.iter().map(|bracket| bracket.count).sum();
        let fits = |values: u64| values.saturating_mul(8) <= budget as u64;
        let mut gather = vec![false; brackets.len()];
        if fits(total) {
            gather.fill(true);
        } else {
            let mut by_count: Vec<usize> = (0..brackets.len()).collect();
            by_count.sort_unstable_by_key(|&i| brackets[i].count);
            let mut gathered = 0u64;
            for i in by_count {
                gathered += brackets[i].count;
                if gathered.saturating_mul(16) > budget as u64 {
                    break;
                }
                gather[i] = true;
            }
        }
        let refined = gather.iter().filter(|&&gather| !gather).count().max(1);
        // Half the budget shared by the histograms (a few buckets at least).
        let buckets = 1 << (budget / 2 / BUCKET_BYTES / refined).max(2).ilog2();
        let work = brackets
            .iter()
            .zip(gather)
            .map(|(bracket, gather)| {
                if gather {
                    Work::Gather(Vec::with_capacity(bracket.count as usize))
                } else {
                    Work::Count(KeyHistogram::new(bracket.low, bracket.high, buckets))
                }
            })
            .collect();
        // Per bucket of the first histogram, the brackets within it (they
        // are sorted): a value searches those, not all of them.
        let mut route = vec![(0u32, 0u32); self.first.last + 1];
        for (i, bracket) in brackets.iter().enumerate() {
            let within = &mut route[self.first.index(bracket.low)];
            if within.0 == within.1 {
                *within = (i as u32, i as u32 + 1);
            } else {
                within.1 = i as u32 + 1;
            }
        }
        BracketPass {
            first: self.first,
            route,
            lows: brackets.iter().map(|bracket| bracket.low).collect(),
            highs: brackets.iter().map(|bracket| bracket.high).collect(),
            brackets,
            work,
            overflowed: false,
        }
    }

    /// What the pass found: the ranks of gathered brackets selected, the
    /// others bracketed anew. `Err` when a bracket's values are not those
    /// counted before (the values changed between passes).
    pub(super) fn absorb(&mut self, pass: BracketPass) -> Result<(), super::bounded::Changed> {
        if pass.overflowed {
            return Err(super::bounded::Changed);
        }
        for (bracket, work) in pass.brackets.into_iter().zip(pass.work) {
            match work {
                Work::Gather(mut values) => {
                    if values.len() as u64 != bracket.count {
                        return Err(super::bounded::Changed);
                    }
                    let local: Vec<usize> = bracket
                        .ranks
                        .iter()
                        .map(|&rank| rank - bracket.below as usize)
                        .collect();
                    select_ranks(&mut values, &local, 0);
                    self.found.extend(
                        bracket
                            .ranks
                            .iter()
                            .zip(&local)
                            .map(|(&rank, &at)| (rank, values[at])),
                    );
                }
                Work::Count(histogram) => {
                    let counted: u64 = histogram.buckets.iter().map(|bucket| bucket.count).sum();
                    if counted != bracket.count {
                        return Err(super::bounded::Changed);
                    }
                    histogram.place(
                        bracket.below,
                        &bracket.ranks,
                        &mut self.found,
                        &mut self.open,
                    );
                }
            }
        }
        self.open.sort_unstable_by_key(|bracket| bracket.low);
        Ok(())
    }
}

/// One pass over the values for the open brackets.
pub(super) struct BracketPass {
    first: Mapping,
    /// Per bucket of the first histogram, the range of brackets within it.
    route: Vec<(u32, u32)>,
    lows: Vec<u64>,
    highs: Vec<u64>,
    brackets: Vec<Bracket>,
    work: Vec<Work>,
    overflowed: bool,
}

enum Work {
    Gather(Vec<f64>),
    Count(KeyHistogram),
}

impl BracketPass {
    pub(super) fn offer(&mut self, values: &[f64]) {
        for &x in values {
            let key = sort_key(x);
            let (start, end) = self.route[self.first.index(key)];
            let (start, end) = (start as usize, end as usize);
            if start == end {
                continue;
            }
            // The first bracket of this bucket that ends at or after the key.
            let at = start + self.highs[start..end].partition_point(|&high| high < key);
            if at == end || self.lows[at] > key {
                continue;
            }
            match &mut self.work[at] {
                // More values than counted before are not kept (the
                // values changed): `absorb` says so.
                Work::Gather(kept) if kept.len() as u64 >= self.brackets[at].count => {
                    self.overflowed = true;
                }
                Work::Gather(kept) => kept.push(x),
                Work::Count(histogram) => histogram.count(key),
            }
        }
    }
}
