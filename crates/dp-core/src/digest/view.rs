//! One digest as its count function U (module doc of [`digest`](super)),
//! and several read together.

use super::{Digest, point_rank};

/// One digest as the merge and the search read it.
pub(super) struct View<'a> {
    pub(super) q: &'a [f64],
    pub(super) count: u64,
    /// Estimated values per point, to sample candidates by the rank they cover.
    pub(super) weight: f64,
}

impl View<'_> {
    fn rank(&self, j: usize) -> u64 {
        point_rank(self.count, self.q.len(), j)
    }

    /// U(x) of the module doc, given how many points are ≤ x.
    pub(super) fn count_at(&self, points_at_or_below: usize, x: f64) -> f64 {
        self.piece(points_at_or_below).count_at(x)
    }

    /// The piece of U where `points_at_or_below` points are ≤ x.
    pub(super) fn piece(&self, points_at_or_below: usize) -> Segment {
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
pub(super) struct Segment {
    start: f64,
    end: f64,
    pub(super) base: f64,
    pub(super) gap: f64,
}

impl Segment {
    pub(super) fn flat(count: f64) -> Self {
        Self {
            start: 0.0,
            end: 0.0,
            base: count,
            gap: 0.0,
        }
    }

    pub(super) fn is_flat(&self) -> bool {
        self.gap <= 1.0
    }

    pub(super) fn count_at(&self, x: f64) -> f64 {
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

/// The ranks between two neighbouring points of a digest shape, and the
/// share of the segment between them that its spread values fill,
/// (g − 1)/g: worked out once for all segments of a shape.
#[derive(Clone, Copy)]
pub(super) struct RankGap {
    pub(super) ranks: u64,
    spread_share: f64,
}

impl RankGap {
    /// The gap between point ranks `below` and `above`.
    pub(super) fn between((below, above): (u64, u64)) -> RankGap {
        let ranks = above - below;
        RankGap {
            ranks,
            spread_share: ranks.saturating_sub(1) as f64 / ranks as f64,
        }
    }
}

/// What one segment of one digest adds between its two points.
pub(super) struct Rise {
    /// Values spread over the segment: g − 1.
    pub(super) spread: u64,
    /// Values per half unit of x while it rises; 0 for a segment of no width.
    pub(super) slope: f64,
    /// Where it has added them all.
    pub(super) cap: f64,
}

impl Rise {
    /// The segment from point `start` to point `end` whose ranks are `gap`
    /// apart (at least 2).
    pub(super) fn of(start: f64, end: f64, gap: &RankGap) -> Rise {
        let spread = gap.ranks - 1;
        let half_width = end / 2.0 - start / 2.0;
        if half_width <= 0.0 {
            return Rise {
                spread,
                slope: 0.0,
                cap: start,
            };
        }
        let half_run = half_width * gap.spread_share;
        let cap = (start + half_run + half_run).min(end);
        Rise {
            spread,
            slope: gap.ranks as f64 / half_width,
            cap,
        }
    }
}

/// The digests being read together.
pub(super) struct Union<'a> {
    pub(super) views: Vec<View<'a>>,
    pub(super) count: u64,
    /// E: the sum of the digests' `rank_err`.
    pub(super) rank_err: u64,
}

impl<'a> Union<'a> {
    /// `None` when the digests hold no values, or more than u64 counts.
    pub(super) fn new(digests: &[&'a Digest]) -> Option<Self> {
        let views: Vec<View> = digests
            .iter()
            .filter(|d| d.count > 0 && !d.q.is_empty())
            .map(|d| View {
                q: &d.q,
                count: d.count,
                weight: d.count as f64 / d.q.len() as f64,
            })
            .collect();
        // Counts past u64 say nothing true (hostile records): no union.
        let count = views
            .iter()
            .try_fold(0u64, |sum, v| sum.checked_add(v.count))?;
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
}
