//! One digest of several: the merge, and the bound it keeps.

use super::view::{Union, View};
use super::{Digest, KIND, VERSION, point_ranks, shape_rank_err};
use crate::float::{from_sort_key, sort_key};

impl Digest {
    /// One digest of at most `points` points summarising all of `digests`.
    ///
    /// Exact digests of at most `points` values in all merge into an exact
    /// digest. Otherwise point j is the reading of ΣU at rank
    /// r(j) = round(j·(N − 1)/K): the least x with ΣU(x) ≥ r(j) + 1, what
    /// [`Digest::quantile`] reads at that rank, found in one sweep over the
    /// inputs' points (`Sweep`) in O(P log P) for P points in all.
    ///
    /// # The merged bound
    ///
    /// Let E = Σ`rank_err` of the inputs, so |ΣU(x) − T(x)| ≤ E for every x
    /// (module doc). The reading argument of the module doc puts every
    /// merged point between the true values of ranks r(j) − E and r(j) + E:
    /// the merged points are order statistics known within E ranks. By the
    /// claim of the module doc, the merged digest's own U' is then within
    /// E + (⌈(N − 1)/K⌉ − 1) of T everywhere: E for where its points may
    /// sit, plus the widest gap between its point ranks, less one, for what
    /// it cannot say between two points. That sum is its `rank_err`, capped
    /// at N − 1, the farthest one rank can be from another (as
    /// [`Digest::validate`] requires).
    ///
    /// Merging merged digests adds a gap term per level: a run of 100,000
    /// digests of 1000 values (e = 4) folded 1000 at a time into 4001-point
    /// digests gives E = 100 · (4000 + 249), 0.42% of the values.
    pub fn merge(digests: &[&Digest], points: usize) -> Digest {
        let Some(union) = Union::new(digests) else {
            return Self::empty();
        };
        let points = points.max(2);
        if digests.iter().all(|d| d.is_exact()) && union.count <= points as u64 {
            let mut q: Vec<f64> = digests.iter().flat_map(|d| d.q.iter().copied()).collect();
            q.sort_unstable_by(f64::total_cmp);
            return Self::from_order_statistics(union.count, q);
        }
        let points = points.min(usize::try_from(union.count).unwrap_or(usize::MAX));
        let q = Sweep::new(&union.views).readings(point_ranks(union.count, points));
        let rank_err = union
            .rank_err
            .saturating_add(shape_rank_err(union.count, points))
            .min(union.count - 1);
        Self {
            kind: KIND.to_owned(),
            version: VERSION,
            count: union.count,
            rank_err,
            q,
        }
    }
}

/// ΣU of several digests as one piecewise-linear function, swept from the
/// left: each digest's U jumps by one at each point, and between points j
/// and j + 1 rises at g/(q[j+1] − q[j]) until it has added the g − 1 values
/// it spreads there (its *cap*, module doc), then stays flat.
///
/// The events (points and caps) of one digest come sorted; a stable sort of
/// them all merges those runs. Between two events ΣU is linear, so each
/// wanted rank is read off in closed form. Distances are taken in halves
/// (x/2 − a/2), so no difference of finite points overflows.
struct Sweep<'a> {
    views: &'a [View<'a>],
    /// (sort key of x, what happens there: digest << 33 | point << 1 | is_cap).
    events: Vec<(u64, u64)>,
}

impl<'a> Sweep<'a> {
    fn new(views: &'a [View<'a>]) -> Self {
        let size = views.iter().map(|v| 2 * v.q.len()).sum();
        let mut events = Vec::with_capacity(size);
        for (i, view) in views.iter().enumerate() {
            let tag = (i as u64) << 33;
            for (j, &x) in view.q.iter().enumerate() {
                events.push((sort_key(x), tag | (j as u64) << 1));
                if let Some(rise) = view.rise(j).filter(|rise| rise.slope > 0.0) {
                    events.push((sort_key(rise.cap), tag | (j as u64) << 1 | 1));
                }
            }
        }
        // Stable: runs already sorted per digest are merged, not re-sorted.
        events.sort_by_key(|&(key, _)| key);
        Self { views, events }
    }

    /// The least x with ΣU(x) ≥ rank + 1, for each of `ranks` (ascending).
    fn readings(&self, ranks: impl Iterator<Item = u64>) -> Vec<f64> {
        let mut ranks = ranks.peekable();
        let mut out = Vec::with_capacity(ranks.size_hint().0);
        let mut x = f64::NEG_INFINITY;
        let mut sum = Level::default();
        let mut at = 0;
        while at < self.events.len() {
            let key = self.events[at].0;
            let next = from_sort_key(key);
            // Linear from x to next: read the ranks it reaches before next.
            let count = sum.count();
            let rise = if sum.active > 0 {
                sum.slope * (next / 2.0 - x / 2.0)
            } else {
                0.0
            };
            while let Some(&rank) = ranks.peek() {
                let target = (rank + 1) as f64;
                if rise <= 0.0 || target > count + rise {
                    break;
                }
                let half = x / 2.0 + (target - count) / sum.slope;
                out.push((half + half).clamp(x, next));
                ranks.next();
            }
            sum.rising += rise;
            // Every event at next: jumps, and rises that start or stop.
            while at < self.events.len() && self.events[at].0 == key {
                sum.pass(self.views, self.events[at].1);
                at += 1;
            }
            x = next;
            let count = sum.count();
            while let Some(&rank) = ranks.peek() {
                if (rank + 1) as f64 > count {
                    break;
                }
                out.push(x);
                ranks.next();
            }
        }
        // Rounding may leave ΣU a hair short of N at the end: the maximum.
        out.extend(ranks.map(|_| x));
        out
    }
}

/// ΣU where the sweep stands (jumps there included): `settled` + `rising`,
/// the values of points passed and rises completed, counted exactly, and
/// what the `active` rises have added so far, rising at `slope` after it.
/// Exact counting keeps ΣU an exact integer wherever no rise is under way,
/// so a rank that a point reaches is read at that point.
#[derive(Default)]
struct Level {
    settled: u64,
    rising: f64,
    slope: f64,
    active: usize,
}

impl Level {
    fn count(&self) -> f64 {
        self.settled as f64 + self.rising
    }

    /// Passes the event `tag` (a point or a cap of one of `views`).
    fn pass(&mut self, views: &[View], tag: u64) {
        let view = &views[(tag >> 33) as usize];
        let j = ((tag >> 1) & 0xFFFF_FFFF) as usize;
        let rise = view.rise(j);
        if tag & 1 == 1 {
            // A cap: the rise has added its spread, less what rounding lost
            // on the way; count the spread exactly.
            let rise = rise.expect("a cap belongs to a rise");
            self.slope -= rise.slope;
            self.rising -= rise.slope * (rise.cap / 2.0 - view.q[j] / 2.0);
            self.settled += rise.spread;
            self.active -= 1;
            if self.active == 0 {
                (self.slope, self.rising) = (0.0, 0.0);
            }
        } else {
            self.settled += 1;
            match rise {
                Some(rise) if rise.slope > 0.0 => {
                    self.slope += rise.slope;
                    self.active += 1;
                }
                Some(rise) => self.settled += rise.spread,
                None => {}
            }
        }
    }
}
