//! A small mergeable quantile summary carried in every `stats` record, so
//! dp-agg can estimate overall quantiles without the data.
//!
//! # The summary
//!
//! A digest of n values y₀ ≤ y₁ ≤ … ≤ yₙ₋₁ holds K + 1 points
//! `q\[j\] = y[r(j)]` at the evenly spaced ranks r(j) = round(j·(n − 1)/K)
//! (halves rounded up), so `q[0]` is the minimum and `q[K]` the maximum.
//! [`summarize`](crate::stats::summarize) keeps K = 200 ([`POINTS`] points)
//! when n > 201, and every value (K = n − 1, an *exact* digest) otherwise.
//!
//! # What a digest says about its values
//!
//! Each digest stands for a count function U(x), its estimate of how many
//! of its values are ≤ x: 0 below `q[0]`, n from `q[K]` on, and between two
//! distinct points q\[j\] ≤ x < q\[j+1\] (j the last point ≤ x), with gap
//! g = r(j+1) − r(j),
//!
//! ```text
//! U(x) = r(j) + 1 + min(g − 1, g·(x − q\[j\]) / (q\[j+1\] − q\[j\]))
//! ```
//!
//! that is: the point itself, then the g − 1 values between the two points
//! spread evenly, so reading one digest at rank r(j) + i gives exactly the
//! linear interpolation q\[j\] + (i/g)·(q\[j+1\] − q\[j\]). For an exact digest
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
//! Between: x ≥ q\[j\] = y[r(j)] puts ranks 0..=r(j) at or below x, so
//! T(x) ≥ r(j) + 1; x < q\[j+1\] = y[r(j+1)] puts every rank ≥ r(j+1) above x,
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
//!
//! The merge ([`Digest::merge`], file `merge.rs`), the quantile search
//! ([`Digest::quantile`], `search.rs`) and U itself as both read it
//! (`view.rs`) each have a file; this one holds the type and its bound.

mod events;
mod merge;
mod search;
mod view;

pub use merge::Merger;

use serde::{Deserialize, Serialize};

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
}
