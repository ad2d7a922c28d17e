//! Reading a quantile of several digests together, without merging them
//! first: the least x where ΣU reaches a rank.

use super::view::{Segment, Union, View};
use super::{Digest, Estimate};
use crate::float::{from_sort_key, interpolate, sort_key};
use crate::splitmix::SplitMix64;

impl Digest {
    /// Estimates quantile `p` (0..=1, inclusive method) of all the values the
    /// digests summarise together, with its rank error bound. `None` when
    /// they hold no values or `p` is not in 0..=1.
    ///
    /// The target rank is h = (N − 1)·p; the value at ranks ⌊h⌋ and ⌊h⌋ + 1
    /// are read as the module doc says, without compressing the digests
    /// into one first, and interpolated. The digests are assumed valid
    /// ([`Digest::validate`]).
    pub fn quantile(digests: &[&Digest], p: f64) -> Option<Estimate> {
        if !(0.0..=1.0).contains(&p) {
            return None;
        }
        let union = Union::new(digests)?;
        let h = (union.count - 1) as f64 * p;
        let lower = h.floor();
        let fraction = h - lower;
        let (below, above) = union.values_at_rank_and_next(lower as u64);
        let value = if fraction > 0.0 {
            interpolate(below, above(), fraction)
        } else {
            below
        };
        Some(Estimate {
            value,
            rank_err: union.rank_err as f64 / union.count as f64,
        })
    }
}

/// Points drawn per round of the search, at most: enough that the two
/// pivots around the target keep only a few percent of the candidates.
/// Fewer digests get a smaller sample (a quarter of their number, at least
/// 64), where drawing would cost more than the evaluations it saves.
const SAMPLE: usize = 2048;
const MIN_SAMPLE: usize = 64;
/// Rounds of the search after which the digests cannot be valid.
const MAX_ROUNDS: usize = 1000;

impl Union<'_> {
    /// The estimated value of rank `rank` (0-based) of the union, the least
    /// x with ΣU(x) ≥ rank + 1, and a way to the value of rank + 1.
    ///
    /// The next rank's value nearly always lies in the same gap between
    /// points, where the search for the first ends: then it costs only a
    /// bisection.
    fn values_at_rank_and_next(&self, rank: u64) -> (f64, impl FnOnce() -> f64 + '_) {
        let gap = self.gap_of((rank + 1) as f64);
        let value = gap
            .solve((rank + 1) as f64)
            .expect("the gap holds the rank it was found for");
        let next = move || {
            gap.solve((rank + 2) as f64)
                .unwrap_or_else(|| self.value_at_rank(rank + 1))
        };
        (value, next)
    }

    /// The estimated value of rank `rank` (0-based) of the union: the least
    /// x with ΣU(x) ≥ rank + 1.
    fn value_at_rank(&self, rank: u64) -> f64 {
        let target = (rank + 1) as f64;
        self.gap_of(target)
            .solve(target)
            .expect("the gap holds the rank it was found for")
    }

    /// The gap between neighbouring points of the union where ΣU reaches
    /// `target`: an open interval (low, high), ΣU(low) < target ≤ ΣU(high),
    /// with no point of any digest inside.
    ///
    /// Floyd–Rivest style: each round draws a sample of the points still
    /// inside, weighted by the values they stand for, and tries the two
    /// sampled points just around where the target should be.
    fn gap_of(&self, target: f64) -> Gap {
        let mut search = Search::new(&self.views, self.count, target);
        for round in 0.. {
            // Valid digests need a few rounds (each keeps a few percent of
            // the points); unsorted or NaN points could loop for ever.
            assert!(
                round < MAX_ROUNDS,
                "digest points must be sorted numbers (Digest::validate)"
            );
            let Some(pivots) = search.pivots(target) else {
                break;
            };
            for (step, pivot) in pivots.into_iter().enumerate() {
                if step == 1 && pivot == pivots[0] {
                    break;
                }
                if !search.cut(pivot, target) {
                    break;
                }
            }
        }
        search.into_gap()
    }
}

/// Where the search for a gap stands: an interval (low, high) that holds
/// it, and per digest the points still inside.
struct Search<'v> {
    views: &'v [View<'v>],
    cursors: Vec<Cursor>,
    low: f64,
    high: f64,
    /// ΣU(low) and ΣU(high).
    count_low: f64,
    count_high: f64,
    /// Seeded by the target: the pivots are random but the answer is not
    /// (ΣU alone defines it), and runs stay reproducible.
    random: SplitMix64,
    sample_size: usize,
    /// Per digest, the points < pivot and ≤ pivot ([`locate`]).
    before: Vec<usize>,
    through: Vec<usize>,
    /// Reused each round: the running total of the digests' candidate
    /// weights, the digests with candidates left, the sample drawn.
    cumulative: Vec<f64>,
    open: Vec<usize>,
    sample: Vec<f64>,
}

impl<'v> Search<'v> {
    fn new(views: &'v [View<'v>], count: u64, target: f64) -> Self {
        let cursors: Vec<Cursor> = views
            .iter()
            .map(|view| Cursor {
                first: 0,
                end: view.q.len(),
                piece: Segment::flat(0.0),
            })
            .collect();
        let digests = cursors.len();
        let sample_size = (views.len() / 4).clamp(MIN_SAMPLE, SAMPLE);
        Self {
            views,
            cursors,
            low: f64::NEG_INFINITY,
            high: f64::INFINITY,
            count_low: 0.0,
            count_high: count as f64,
            random: SplitMix64(target.to_bits()),
            sample_size,
            before: vec![0; digests],
            through: vec![0; digests],
            cumulative: Vec::with_capacity(digests),
            open: Vec::with_capacity(digests),
            sample: Vec::with_capacity(sample_size),
        }
    }

    /// This round's two pivots: sampled points just around where the target
    /// should fall among the points still inside. `None` when none is left.
    fn pivots(&mut self, target: f64) -> Option<[f64; 2]> {
        self.cumulative.clear();
        let mut total = 0.0;
        for (view, cursor) in self.views.iter().zip(&self.cursors) {
            total += view.weight * (cursor.end - cursor.first) as f64;
            self.cumulative.push(total);
        }
        if total == 0.0 {
            return None;
        }
        self.open.clear();
        let cursors = &self.cursors;
        self.open
            .extend((0..cursors.len()).filter(|&i| cursors[i].first < cursors[i].end));
        self.draw_sample(total);
        // Where the target should fall among the sample, give or take
        // three standard deviations of a sample quantile.
        let size = self.sample_size;
        let wanted =
            ((target - self.count_low) / (self.count_high - self.count_low)).clamp(0.0, 1.0);
        let position = wanted * (size - 1) as f64;
        let margin = 3.0 * (size as f64 * wanted * (1.0 - wanted)).sqrt() + 2.0;
        Some([
            self.sample[(position - margin).max(0.0) as usize],
            self.sample[((position + margin) as usize).min(size - 1)],
        ])
    }

    /// Fills `sample`, sorted, with points still inside, drawn by the values
    /// they stand for; `total` is the weight of all of them.
    fn draw_sample(&mut self, total: f64) {
        let cumulative = &self.cumulative;
        self.sample.clear();
        for _ in 0..self.sample_size {
            let u = self.random.next_f64() * total;
            // A digest without candidates adds no weight, so the first
            // cumulative weight above u (or, if rounding made u reach the
            // total, the first to reach it) belongs to one with some.
            let mut i = cumulative.partition_point(|&c| c <= u);
            if i == cumulative.len() {
                i = cumulative.partition_point(|&c| c < total);
            }
            let start = if i == 0 { 0.0 } else { cumulative[i - 1] };
            let offset = ((u - start) / self.views[i].weight) as usize;
            let cursor = &self.cursors[i];
            self.sample
                .push(self.views[i].q[(cursor.first + offset).min(cursor.end - 1)]);
        }
        self.sample.sort_unstable_by(f64::total_cmp);
    }

    /// Moves the end of the interval on the side of `pivot` to it: `low`
    /// when ΣU(pivot) < target (then returns true), else `high`.
    fn cut(&mut self, pivot: f64, target: f64) -> bool {
        locate(
            self.views,
            &self.cursors,
            &self.open,
            pivot,
            &mut self.before,
            &mut self.through,
        );
        let count = self.count_at(pivot);
        let below_target = count < target;
        if below_target {
            self.low = pivot;
            self.count_low = count;
        } else {
            self.high = pivot;
            self.count_high = count;
        }
        for (i, (view, cursor)) in self.views.iter().zip(&mut self.cursors).enumerate() {
            if cursor.first == cursor.end {
                continue;
            }
            if below_target {
                cursor.first = self.through[i];
            } else {
                cursor.end = self.before[i];
            }
            if cursor.first == cursor.end {
                // No point left inside: U is one piece from now on.
                cursor.piece = view.piece(cursor.first);
            }
        }
        below_target
    }

    /// ΣU(pivot), once [`locate`] has counted the points ≤ pivot.
    fn count_at(&self, pivot: f64) -> f64 {
        let mut count = 0.0;
        for (i, (view, cursor)) in self.views.iter().zip(&self.cursors).enumerate() {
            count += if cursor.first == cursor.end {
                cursor.piece.count_at(pivot)
            } else {
                view.count_at(self.through[i], pivot)
            };
        }
        count
    }

    fn into_gap(self) -> Gap {
        Gap {
            low: self.low,
            high: self.high,
            count_high: self.count_high,
            pieces: self
                .cursors
                .into_iter()
                .map(|cursor| cursor.piece)
                .collect(),
        }
    }
}

/// A gap between neighbouring points of the union of digests: in it, each
/// digest's U is one piece and ΣU is continuous.
struct Gap {
    low: f64,
    high: f64,
    /// ΣU(high), the jump at `high` included.
    count_high: f64,
    pieces: Vec<Segment>,
}

impl Gap {
    /// The least x in (low, high] with ΣU(x) ≥ target, when there is one.
    /// ΣU(low) < target must hold.
    fn solve(&self, target: f64) -> Option<f64> {
        let (low, high) = (self.low, self.high);
        let just_below_high: f64 = self.pieces.iter().map(|piece| piece.count_at(high)).sum();
        if just_below_high < target {
            // ΣU jumps over the target at `high`, or beyond it.
            return (self.count_high >= target).then_some(high);
        }
        let mut constant = 0.0;
        let mut rising = Vec::new();
        for &piece in &self.pieces {
            // A piece flat or already at its cap at `low` stays there.
            if piece.is_flat() || piece.count_at(low) >= piece.base + piece.gap - 1.0 {
                constant += piece.count_at(low);
            } else {
                rising.push(piece);
            }
        }
        let count_at = |x: f64| constant + rising.iter().map(|s| s.count_at(x)).sum::<f64>();
        // Bisecting on the floats themselves: at most 64 steps over any range.
        let (mut below, mut above) = (sort_key(low), sort_key(high));
        while above - below > 1 {
            let middle = below + (above - below) / 2;
            if count_at(from_sort_key(middle)) >= target {
                above = middle;
            } else {
                below = middle;
            }
        }
        Some(from_sort_key(above))
    }
}

/// For each digest in `open`, how many of its points are < `pivot`
/// (`before`) and ≤ `pivot` (`through`), searching only its cursor's window.
///
/// A binary search is a chain of dependent loads, each likely a cache miss
/// when there are many digests; searching [`INTERLEAVE`] digests in lock
/// step lets their misses overlap (measured: a quantile of 100,000 digests
/// in half the time).
fn locate(
    views: &[View],
    cursors: &[Cursor],
    open: &[usize],
    pivot: f64,
    before: &mut [usize],
    through: &mut [usize],
) {
    for batch in open.chunks(INTERLEAVE) {
        let mut base = [0usize; INTERLEAVE];
        let mut size = [0usize; INTERLEAVE];
        for (k, &i) in batch.iter().enumerate() {
            (base[k], size[k]) = (cursors[i].first, cursors[i].end - cursors[i].first);
        }
        loop {
            let mut searching = false;
            for (k, &i) in batch.iter().enumerate() {
                if size[k] > 1 {
                    let half = size[k] / 2;
                    if views[i].q[base[k] + half] < pivot {
                        base[k] += half;
                    }
                    size[k] -= half;
                    searching = true;
                }
            }
            if !searching {
                break;
            }
        }
        for (k, &i) in batch.iter().enumerate() {
            let q = views[i].q;
            // size is now 1 (base is the answer or the one before it), or
            // 0 for a window the previous pivot closed.
            let below = base[k] + usize::from(size[k] == 1 && q[base[k]] < pivot);
            let mut at_or_below = below;
            while at_or_below < cursors[i].end && q[at_or_below] <= pivot {
                at_or_below += 1;
            }
            (before[i], through[i]) = (below, at_or_below);
        }
    }
}

/// Digests whose binary searches run side by side in [`locate`].
const INTERLEAVE: usize = 16;

/// Where the search stands in one digest: the points still inside the
/// interval, and once there are none, the piece of U that covers it.
struct Cursor {
    first: usize,
    end: usize,
    piece: Segment,
}
