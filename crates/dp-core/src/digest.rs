//! A small mergeable quantile summary carried in every `stats` record, so
//! dp-agg can estimate overall quantiles without the data.
//!
//! # The summary
//!
//! A digest of n values y₀ ≤ y₁ ≤ … ≤ yₙ₋₁ holds K + 1 points
//! `q[j] = y[r(j)]` at the evenly spaced ranks r(j) = round(j·(n − 1)/K)
//! (halves rounded up), so `q[0]` is the minimum and `q[K]` the maximum.
//! [`summarize`](crate::stats::summarize) keeps K = 200 ([`POINTS`] points)
//! when n > 201, and every value (K = n − 1, an *exact* digest) otherwise.
//!
//! # What a digest says about its values
//!
//! Each digest stands for a count function U(x), its estimate of how many
//! of its values are ≤ x: 0 below `q[0]`, n from `q[K]` on, and between two
//! distinct points q[j] ≤ x < q[j+1] (j the last point ≤ x), with gap
//! g = r(j+1) − r(j),
//!
//! ```text
//! U(x) = r(j) + 1 + min(g − 1, g·(x − q[j]) / (q[j+1] − q[j]))
//! ```
//!
//! that is: the point itself, then the g − 1 values between the two points
//! spread evenly, so reading one digest at rank r(j) + i gives exactly the
//! linear interpolation q[j] + (i/g)·(q[j+1] − q[j]). For an exact digest
//! (all g = 1) U is the true count.
//!
//! # The bound (`rank_err`)
//!
//! Let T(x) = #{values ≤ x}, the true count. **Claim**: for every x,
//! |U(x) − T(x)| ≤ e, where e = ⌈(n − 1)/K⌉ − 1 for a digest whose points
//! are exact order statistics (0 for an exact digest), and e = e₀ + that for
//! one whose points are only known within e₀ ranks (a merged digest).
//!
//! *Proof.* Below `q[0]` = y₀ both are 0; from `q[K]` = yₙ₋₁ on both are n.
//! Between: x ≥ q[j] = y[r(j)] puts ranks 0..=r(j) at or below x, so
//! T(x) ≥ r(j) + 1; x < q[j+1] = y[r(j+1)] puts every rank ≥ r(j+1) above x,
//! so T(x) ≤ r(j+1). U(x) lies in the same interval [r(j) + 1, r(j+1)] of
//! width g − 1, and the gaps between rounded multiples of (n − 1)/K are
//! ⌊(n − 1)/K⌋ or ⌈(n − 1)/K⌉. Points known within e₀ ranks widen both ends
//! by e₀. ∎
//!
//! **Reading.** Several digests (or one) estimate the value of rank k of all
//! their N values together as x̂ = the least x with ΣU(x) ≥ k + 1. With
//! E = Σe and the true sorted union y: ΣU(x̂) ≥ k + 1 gives
//! T(x̂) ≥ k + 1 − E, so x̂ ≥ y[k − E]; and T(y[k + E]) ≥ k + E + 1 gives
//! ΣU(y[k + E]) ≥ k + 1, so x̂ ≤ y[k + E] (ranks clamped to 0..N). A
//! quantile at a fractional rank h interpolates the estimates at ⌊h⌋ and
//! ⌊h⌋ + 1, so it lies between the exact quantiles at ranks h − E and h + E.
//! That E, in values, is what `rank_err` stores per digest and what
//! [`Estimate::rank_err`] reports (as E/N). When every digest is exact,
//! E = 0 and the answer is the exact quantile of the concatenated values.

use serde::{Deserialize, Serialize};

use crate::float::{from_sort_key, interpolate, sort_key};

/// The digest's `kind` tag.
pub const KIND: &str = "quantiles";
/// The digest's format version.
pub const VERSION: u32 = 1;
/// Points in the digest of more than this many values (K = 200 intervals);
/// up to this many values, the digest holds them all.
pub const POINTS: usize = 201;
/// [`Digest::thinned`] stops here: fewer intervals say too little.
const MIN_THINNED_INTERVALS: usize = 10;

/// Values at evenly spaced ranks of the sorted data (an equi-depth summary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    pub kind: String,
    pub version: u32,
    /// How many values the digest summarises.
    pub count: u64,
    /// Bound on the rank error of any quantile read from this digest, in values.
    pub rank_err: u64,
    /// `q[j]` is the value of rank `round(j * (count - 1) / (q.len() - 1))`.
    pub q: Vec<f64>,
}

/// An estimated quantile and how far its rank may be from the true one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    /// Bound on the rank error as a fraction of the total count (0 = exact).
    pub rank_err: f64,
}

/// How many points the digest of `count` values holds.
pub fn points_for(count: u64) -> usize {
    count.min(POINTS as u64) as usize
}

/// The rank of point `j` in a digest of `points` points over `count` values:
/// round(j·(count − 1)/(points − 1)), halves rounded up.
pub fn point_rank(count: u64, points: usize, j: usize) -> u64 {
    if points <= 1 {
        return 0;
    }
    let intervals = (points - 1) as u64;
    let span = count - 1;
    match (j as u64).checked_mul(span).and_then(|x| x.checked_mul(2)) {
        Some(twice) if twice <= u64::MAX - intervals => (twice + intervals) / (2 * intervals),
        _ => ((2 * j as u128 * span as u128 + intervals as u128) / (2 * intervals as u128)) as u64,
    }
}

/// The ranks of all points of a digest of `points` points over `count` values.
pub fn point_ranks(count: u64, points: usize) -> impl Iterator<Item = u64> + Clone {
    (0..points).map(move |j| point_rank(count, points, j))
}

/// The rank error that `points` exact order statistics of `count` values
/// allow: the widest gap between point ranks, less one (see the module doc).
pub fn shape_rank_err(count: u64, points: usize) -> u64 {
    if points as u64 >= count || points <= 1 {
        return 0;
    }
    (count - 1).div_ceil((points - 1) as u64) - 1
}

impl Digest {
    /// The digest of no values.
    pub fn empty() -> Self {
        Self::with_points(0, 0, Vec::new())
    }

    /// The digest whose points `q` are the exact order statistics of `count`
    /// values at the ranks [`point_rank`] gives.
    pub fn from_order_statistics(count: u64, q: Vec<f64>) -> Self {
        let rank_err = shape_rank_err(count, q.len());
        Self::with_points(count, rank_err, q)
    }

    fn with_points(count: u64, rank_err: u64, q: Vec<f64>) -> Self {
        Self {
            kind: KIND.to_owned(),
            version: VERSION,
            count,
            rank_err: rank_err.min(count.saturating_sub(1)),
            q,
        }
    }

    /// Whether the digest holds every value (its quantiles are exact).
    pub fn is_exact(&self) -> bool {
        self.q.len() as u64 == self.count && self.rank_err == 0
    }

    /// A coarser digest of the same values (about half the points), for
    /// records that must fit in one pipe write; `None` when it cannot shrink.
    ///
    /// An exact digest picks evenly spaced values from all it holds; a
    /// digest with an even number of intervals keeps every other point
    /// (round(2j·s) = round(j·2s): the ranks keep their form) and its
    /// points' own error; any other is resampled like [`Digest::merge`].
    /// The interval count stays even where it can, so thinning can go on.
    pub fn thinned(&self) -> Option<Digest> {
        let intervals = self.q.len().checked_sub(1)?;
        if intervals / 2 < MIN_THINNED_INTERVALS {
            return None;
        }
        let fewer = (intervals / 2) & !1;
        if self.is_exact() {
            let q = point_ranks(self.count, fewer + 1)
                .map(|rank| self.q[rank as usize])
                .collect();
            Some(Self::from_order_statistics(self.count, q))
        } else if intervals % 2 == 0 {
            let q = self.q.iter().step_by(2).copied().collect();
            let point_err =
                self.rank_err - shape_rank_err(self.count, self.q.len()).min(self.rank_err);
            let rank_err = point_err + shape_rank_err(self.count, intervals / 2 + 1);
            Some(Self::with_points(self.count, rank_err, q))
        } else {
            Some(Self::merge(&[self], fewer + 1))
        }
    }

    /// Checks the kind, version and shape of a digest read from a record.
    pub fn validate(&self) -> Result<(), String> {
        if self.kind != KIND {
            return Err(format!("digest kind '{}' is not '{KIND}'", self.kind));
        }
        if self.version != VERSION {
            return Err(format!(
                "digest version {} is not supported (expected {VERSION})",
                self.version
            ));
        }
        let (count, points) = (self.count, self.q.len());
        let shape_ok = match count {
            0 => points == 0,
            1 => points == 1,
            _ => (2..=count).contains(&(points as u64)),
        };
        if !shape_ok {
            return Err(format!(
                "digest of {count} values cannot have {points} points"
            ));
        }
        if let Some(bad) = self.q.iter().find(|x| !x.is_finite()) {
            return Err(format!("digest point {bad} is not finite"));
        }
        if let Some(j) = self.q.windows(2).position(|pair| pair[0] > pair[1]) {
            return Err(format!(
                "digest points are not sorted: {} before {}",
                self.q[j],
                self.q[j + 1]
            ));
        }
        let least = shape_rank_err(count, points);
        if self.rank_err < least {
            return Err(format!(
                "digest rank_err {} is below the {least} that {points} points of {count} values allow",
                self.rank_err
            ));
        }
        if self.rank_err > count.saturating_sub(1) {
            return Err(format!(
                "digest rank_err {} exceeds its {count} values",
                self.rank_err
            ));
        }
        Ok(())
    }

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

    /// One digest of at most `points` points summarising all of `digests`.
    ///
    /// Exact digests of at most `points` values in all merge into an exact
    /// digest. Otherwise point j is the reading of ΣU at rank
    /// r(j) = round(j·(N − 1)/K): the least x with ΣU(x) ≥ r(j) + 1, what
    /// [`Digest::quantile`] reads at that rank, found in one sweep over the
    /// inputs' points ([`Sweep`]) in O(P log P) for P points in all.
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
    /// at N, which |U' − T| never exceeds.
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
            .min(union.count);
        Self {
            kind: KIND.to_owned(),
            version: VERSION,
            count: union.count,
            rank_err,
            q,
        }
    }

    /// The digest of what remains once `removed` of its values, whichever
    /// they were, are taken out: for a merged digest whose inputs are gone
    /// when one of them must be replaced. `None` when fewer values remain
    /// than the digest has points.
    ///
    /// *Bound.* Let e₀ = `rank_err` − the gap term of its shape: its points
    /// lie within e₀ ranks of their own (module doc). Taking c values out of
    /// a sorted y leaves z with z[k − c] ≤ y[k] ≤ z[k], and the point ranks
    /// for n − c values are lower by 0..=c than for n (round is monotone,
    /// and j·(n − 1)/K − j·(n − c − 1)/K = j·c/K ≤ c): each point is
    /// within e₀ + c ranks of its new rank, and the claim of the module doc
    /// gives `rank_err` = e₀ + c + the new gap term, capped at n − c.
    pub fn without(&self, removed: u64) -> Option<Digest> {
        let count = self.count.checked_sub(removed)?;
        if count == 0 {
            return Some(Self::empty());
        }
        if (self.q.len() as u64) >= count {
            return None;
        }
        let point_err = self.rank_err - shape_rank_err(self.count, self.q.len()).min(self.rank_err);
        let rank_err = point_err
            .saturating_add(removed)
            .saturating_add(shape_rank_err(count, self.q.len()))
            .min(count);
        Some(Self {
            kind: KIND.to_owned(),
            version: VERSION,
            count,
            rank_err,
            q: self.q.clone(),
        })
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

/// What one segment of one digest adds between its two points.
struct Rise {
    /// Values spread over the segment: g − 1.
    spread: u64,
    /// Values per half unit of x while it rises; 0 for a segment of no width.
    slope: f64,
    /// Where it has added them all.
    cap: f64,
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
        // ΣU at x (jumps at x included) = settled + rising: the values of
        // points passed and rises completed, counted exactly, and what the
        // `active` rises have added so far, rising at `slope` after x. Exact
        // counting keeps ΣU an exact integer wherever no rise is under way,
        // so a rank that a point reaches is read at that point.
        let mut x = f64::NEG_INFINITY;
        let (mut settled, mut rising, mut slope, mut active) = (0u64, 0.0f64, 0.0f64, 0usize);
        let mut at = 0;
        while at < self.events.len() {
            let key = self.events[at].0;
            let next = from_sort_key(key);
            // Linear from x to next: read the ranks it reaches before next.
            let count = settled as f64 + rising;
            let rise = if active > 0 {
                slope * (next / 2.0 - x / 2.0)
            } else {
                0.0
            };
            while let Some(&rank) = ranks.peek() {
                let target = (rank + 1) as f64;
                if rise <= 0.0 || target > count + rise {
                    break;
                }
                let half = x / 2.0 + (target - count) / slope;
                out.push((half + half).clamp(x, next));
                ranks.next();
            }
            rising += rise;
            // Every event at next: jumps, and rises that start or stop.
            while at < self.events.len() && self.events[at].0 == key {
                let tag = self.events[at].1;
                let view = &self.views[(tag >> 33) as usize];
                let j = ((tag >> 1) & 0xFFFF_FFFF) as usize;
                let rise = view.rise(j);
                if tag & 1 == 1 {
                    // A cap: the rise has added its spread, less what
                    // rounding lost on the way; count the spread exactly.
                    let rise = rise.expect("a cap belongs to a rise");
                    slope -= rise.slope;
                    rising -= rise.slope * (rise.cap / 2.0 - view.q[j] / 2.0);
                    settled += rise.spread;
                    active -= 1;
                    if active == 0 {
                        (slope, rising) = (0.0, 0.0);
                    }
                } else {
                    settled += 1;
                    match rise {
                        Some(rise) if rise.slope > 0.0 => {
                            slope += rise.slope;
                            active += 1;
                        }
                        Some(rise) => settled += rise.spread,
                        None => {}
                    }
                }
                at += 1;
            }
            x = next;
            let count = settled as f64 + rising;
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

/// One digest as the search sees it.
struct View<'a> {
    q: &'a [f64],
    count: u64,
    /// Estimated values per point, to sample candidates by the rank they cover.
    weight: f64,
}

impl View<'_> {
    fn rank(&self, j: usize) -> u64 {
        point_rank(self.count, self.q.len(), j)
    }

    /// What segment j (from point j to point j + 1) adds, if it spreads any
    /// values.
    fn rise(&self, j: usize) -> Option<Rise> {
        let (start, end) = (*self.q.get(j)?, *self.q.get(j + 1)?);
        let gap = self.rank(j + 1) - self.rank(j);
        if gap <= 1 {
            return None;
        }
        let spread = gap - 1;
        let gap = gap as f64;
        let half_width = end / 2.0 - start / 2.0;
        if half_width <= 0.0 {
            return Some(Rise {
                spread,
                slope: 0.0,
                cap: start,
            });
        }
        let half_run = half_width * (spread as f64 / gap);
        let cap = (start + half_run + half_run).min(end);
        Some(Rise {
            spread,
            slope: gap / half_width,
            cap,
        })
    }

    /// U(x) of the module doc, given how many points are ≤ x.
    fn count_at(&self, points_at_or_below: usize, x: f64) -> f64 {
        self.piece(points_at_or_below).count_at(x)
    }

    /// The piece of U where `points_at_or_below` points are ≤ x.
    fn piece(&self, points_at_or_below: usize) -> Segment {
        match points_at_or_below {
            0 => Segment::flat(0.0),
            n if n == self.q.len() => Segment::flat(self.count as f64),
            n => self.segment(n - 1),
        }
    }

    /// The piece of U between point j and point j + 1.
    fn segment(&self, j: usize) -> Segment {
        let (below, above) = (self.rank(j), self.rank(j + 1));
        Segment {
            start: self.q[j],
            end: self.q[j + 1],
            base: (below + 1) as f64,
            gap: (above - below) as f64,
        }
    }
}

/// U(x) between two neighbouring points of one digest.
#[derive(Clone, Copy)]
struct Segment {
    start: f64,
    end: f64,
    base: f64,
    gap: f64,
}

impl Segment {
    fn flat(count: f64) -> Self {
        Self {
            start: 0.0,
            end: 0.0,
            base: count,
            gap: 0.0,
        }
    }

    fn is_flat(&self) -> bool {
        self.gap <= 1.0
    }

    fn count_at(&self, x: f64) -> f64 {
        if self.is_flat() {
            return self.base;
        }
        let mut fraction = (x - self.start) / (self.end - self.start);
        if !fraction.is_finite() {
            // end − start overflowed: the same ratio, halved.
            fraction = (x / 2.0 - self.start / 2.0) / (self.end / 2.0 - self.start / 2.0);
        }
        self.base + (self.gap * fraction).min(self.gap - 1.0)
    }
}

/// The digests being read together.
struct Union<'a> {
    views: Vec<View<'a>>,
    count: u64,
    /// E: the sum of the digests' `rank_err`.
    rank_err: u64,
}

/// Points drawn per round of the search, at most: enough that the two
/// pivots around the target keep only a few percent of the candidates.
/// Fewer digests get a smaller sample (a quarter of their number, at least
/// 64), where drawing would cost more than the evaluations it saves.
const SAMPLE: usize = 2048;
const MIN_SAMPLE: usize = 64;
/// Rounds of the search after which the digests cannot be valid.
const MAX_ROUNDS: usize = 1000;

impl<'a> Union<'a> {
    /// `None` when the digests hold no values.
    fn new(digests: &[&'a Digest]) -> Option<Self> {
        let views: Vec<View> = digests
            .iter()
            .filter(|d| d.count > 0 && !d.q.is_empty())
            .map(|d| View {
                q: &d.q,
                count: d.count,
                weight: d.count as f64 / d.q.len() as f64,
            })
            .collect();
        let count = views.iter().map(|v| v.count).sum::<u64>();
        let rank_err = digests
            .iter()
            .filter(|d| d.count > 0)
            .fold(0u64, |sum, d| sum.saturating_add(d.rank_err));
        (count > 0).then_some(Self {
            views,
            count,
            rank_err,
        })
    }

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
        let mut cursors: Vec<Cursor> = self
            .views
            .iter()
            .map(|view| Cursor {
                first: 0,
                end: view.q.len(),
                piece: Segment::flat(0.0),
            })
            .collect();
        // Per digest, the points < pivot and ≤ pivot.
        let mut before = vec![0usize; cursors.len()];
        let mut through = vec![0usize; cursors.len()];
        let (mut low, mut high) = (f64::NEG_INFINITY, f64::INFINITY);
        let (mut count_low, mut count_high) = (0.0, self.count as f64);
        let mut random = SplitMix64(target.to_bits());
        let mut cumulative = Vec::with_capacity(cursors.len());
        let sample_size = (self.views.len() / 4).clamp(MIN_SAMPLE, SAMPLE);
        let mut sample = Vec::with_capacity(sample_size);
        let mut open = Vec::with_capacity(cursors.len());

        for round in 0.. {
            // Valid digests need a few rounds (each keeps a few percent of
            // the points); unsorted or NaN points could loop for ever.
            assert!(
                round < MAX_ROUNDS,
                "digest points must be sorted numbers (Digest::validate)"
            );
            cumulative.clear();
            let mut total = 0.0;
            for (view, cursor) in self.views.iter().zip(&cursors) {
                total += view.weight * (cursor.end - cursor.first) as f64;
                cumulative.push(total);
            }
            if total == 0.0 {
                break;
            }
            open.clear();
            open.extend((0..cursors.len()).filter(|&i| cursors[i].first < cursors[i].end));
            sample.clear();
            for _ in 0..sample_size {
                let u = random.next_f64() * total;
                // A digest without candidates adds no weight, so the first
                // cumulative weight above u (or, if rounding made u reach
                // the total, the first to reach it) belongs to one with some.
                let mut i = cumulative.partition_point(|&c| c <= u);
                if i == cumulative.len() {
                    i = cumulative.partition_point(|&c| c < total);
                }
                let start = if i == 0 { 0.0 } else { cumulative[i - 1] };
                let offset = ((u - start) / self.views[i].weight) as usize;
                let cursor = &cursors[i];
                sample.push(self.views[i].q[(cursor.first + offset).min(cursor.end - 1)]);
            }
            sample.sort_unstable_by(f64::total_cmp);
            // Where the target should fall among the sample, give or take
            // three standard deviations of a sample quantile.
            let wanted = ((target - count_low) / (count_high - count_low)).clamp(0.0, 1.0);
            let position = wanted * (sample_size - 1) as f64;
            let margin = 3.0 * (sample_size as f64 * wanted * (1.0 - wanted)).sqrt() + 2.0;
            let pivots = [
                sample[(position - margin).max(0.0) as usize],
                sample[((position + margin) as usize).min(sample_size - 1)],
            ];
            for (step, pivot) in pivots.into_iter().enumerate() {
                if step == 1 && pivot == pivots[0] {
                    break;
                }
                locate(
                    &self.views,
                    &cursors,
                    &open,
                    pivot,
                    &mut before,
                    &mut through,
                );
                let mut count = 0.0;
                for (i, (view, cursor)) in self.views.iter().zip(&cursors).enumerate() {
                    count += if cursor.first == cursor.end {
                        cursor.piece.count_at(pivot)
                    } else {
                        view.count_at(through[i], pivot)
                    };
                }
                let below_target = count < target;
                if below_target {
                    low = pivot;
                    count_low = count;
                } else {
                    high = pivot;
                    count_high = count;
                }
                for (i, (view, cursor)) in self.views.iter().zip(&mut cursors).enumerate() {
                    if cursor.first == cursor.end {
                        continue;
                    }
                    if below_target {
                        cursor.first = through[i];
                    } else {
                        cursor.end = before[i];
                    }
                    if cursor.first == cursor.end {
                        // No point left inside: U is one piece from now on.
                        cursor.piece = view.piece(cursor.first);
                    }
                }
                if !below_target {
                    break;
                }
            }
        }
        Gap {
            low,
            high,
            count_high,
            pieces: cursors.into_iter().map(|cursor| cursor.piece).collect(),
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

/// A small fixed-seed generator: the search's pivots are random but its
/// answer is not (it is defined by ΣU alone), and runs stay reproducible.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}
