//! One digest of several: the merge, and the bound it keeps.

use super::events::Events;
use super::view::{Rise, Union, View};
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
        Merger::default().merge(digests, points)
    }
}

/// [`Digest::merge`] with its working memory kept from one merge to the
/// next: 15 MB for dp-agg's fold of 1000 digests of 201 points, which it
/// otherwise asks of the kernel afresh (page faults, pages cleared) for
/// each of a million records' thousand folds.
#[derive(Default)]
pub struct Merger {
    sweep: Sweep,
}

impl Merger {
    /// [`Digest::merge`].
    pub fn merge(&mut self, digests: &[&Digest], points: usize) -> Digest {
        let Some(union) = Union::new(digests) else {
            return Digest::empty();
        };
        let points = points.max(2);
        if digests.iter().all(|d| d.is_exact()) && union.count <= points as u64 {
            let mut q: Vec<f64> = digests.iter().flat_map(|d| d.q.iter().copied()).collect();
            q.sort_unstable_by(f64::total_cmp);
            return Digest::from_order_statistics(union.count, q);
        }
        let points = points.min(usize::try_from(union.count).unwrap_or(usize::MAX));
        self.sweep.load(&union.views);
        let q = self.sweep.readings(point_ranks(union.count, points));
        let rank_err = union
            .rank_err
            .saturating_add(shape_rank_err(union.count, points))
            .min(union.count - 1);
        Digest {
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
/// The events (points and caps) are put in order of x, those at the same x
/// in the order the digests and their points come: the order a stable sort
/// gives, which fixes the order of the float sums below, and so the merged
/// points to the bit. Between two events ΣU is linear, so each wanted rank
/// is read off in closed form. Distances are taken in halves
/// (x/2 − a/2), so no difference of finite points overflows.
#[derive(Default)]
struct Sweep {
    /// What passing each point, and the cap of the segment it starts, does:
    /// the points of all digests, one after another.
    steps: Vec<Step>,
    /// The events' tags, point << 1 | is_cap, in order of x (nearly).
    events: Events,
    /// A run of `events` as (key, tag), put in order.
    run: Vec<(u64, u32)>,
}

/// What one point of one digest and the segment it starts add to ΣU,
/// worked out once for its point and its cap (400,000 events per fold).
#[derive(Clone, Copy)]
struct Step {
    /// The sort keys of the point and of its segment's cap.
    keys: [u64; 2],
    /// The segment's slope (values per half unit of x) while it rises; 0
    /// when it does not.
    slope: f64,
    /// What the rise has added by its cap, as the sweep's sum counts it:
    /// slope · (cap/2 − q[j]/2).
    risen: f64,
    /// The values the segment spreads (g − 1): counted at its cap when it
    /// rises, at the point when it has no width, 0 when it spreads none.
    spread: u64,
}

impl Sweep {
    /// Takes in the points of `views`: their steps, and their events in order.
    fn load(&mut self, views: &[View]) {
        let steps = &mut self.steps;
        steps.clear();
        // The point ranks of the last shape seen: a fold's digests mostly
        // share one, and each rank costs a division.
        let mut ranks = Ranks::default();
        // The range of the keys, for the sort's prefixes.
        let (mut low, mut high) = (u64::MAX, 0);
        for view in views {
            let ranks = ranks.of(view.count, view.q.len());
            for (j, &x) in view.q.iter().enumerate() {
                let gap = ranks.get(j + 1).map_or(0, |&next| next - ranks[j]);
                let step = match view.q.get(j + 1) {
                    Some(&end) if gap > 1 => Step::of(&Rise::of(x, end, gap), x),
                    _ => Step::flat(x),
                };
                low = low.min(step.keys[0].min(step.keys[1]));
                high = high.max(step.keys[0].max(step.keys[1]));
                steps.push(step);
            }
        }
        assert!(
            steps.len() <= (u32::MAX >> 1) as usize,
            "a merge of more than 2^31 points"
        );
        // A point's event, and its cap's when its segment rises: tags in
        // the order the digests and their points come.
        let mut events = self.events.start(low, high);
        for (step, point) in steps.iter().zip(0u32..) {
            events.push(step.keys[0], point << 1);
            if step.slope > 0.0 {
                events.push(step.keys[1], point << 1 | 1);
            }
        }
        events.sort();
    }

    /// The least x with ΣU(x) ≥ rank + 1, for each of `ranks` (ascending).
    fn readings(&mut self, ranks: impl Iterator<Item = u64>) -> Vec<f64> {
        let mut reading = Reading {
            out: Vec::with_capacity(ranks.size_hint().0),
            target: 0.0,
            ranks,
            x: f64::NEG_INFINITY,
            sum: Level::default(),
        };
        reading.next_target();
        let steps = &self.steps;
        let key_of = |tag: u32| steps[(tag >> 1) as usize].keys[(tag & 1) as usize];
        for events in self.events.runs() {
            // A run of equal prefixes put in order (module doc of `events`):
            // equal keys are never in two runs. Its steps are read as soon
            // as its keys, while they are in cache.
            let run = &mut self.run;
            run.clear();
            run.extend(events.iter().map(|&(_, tag)| (key_of(tag), tag)));
            if !run.is_sorted_by_key(|&(key, _)| key) {
                run.sort_unstable();
            }
            for at_next in run.chunk_by(|a, b| a.0 == b.0) {
                reading.go_to(from_sort_key(at_next[0].0), at_next, steps);
            }
        }
        // Rounding may leave ΣU a hair short of N at the end: the maximum.
        while reading.target.is_finite() {
            reading.read(reading.x);
        }
        reading.out
    }
}

/// The sweep's readings so far, and where it stands.
struct Reading<I: Iterator<Item = u64>> {
    out: Vec<f64>,
    /// ΣU at the next rank to read (rank + 1), infinite once all are read.
    target: f64,
    /// The ranks after it.
    ranks: I,
    x: f64,
    sum: Level,
}

impl<I: Iterator<Item = u64>> Reading<I> {
    /// Reads the next rank at `x`.
    fn read(&mut self, x: f64) {
        self.out.push(x);
        self.next_target();
    }

    fn next_target(&mut self) {
        self.target = self
            .ranks
            .next()
            .map_or(f64::INFINITY, |rank| (rank + 1) as f64);
    }

    /// Sweeps from x to `next`, the key of `events` (key, tag), reading the
    /// ranks ΣU reaches on the way, then passes the events.
    fn go_to(&mut self, next: f64, events: &[(u64, u32)], steps: &[Step]) {
        let x = self.x;
        // Linear from x to next: read the ranks it reaches before next.
        let count = self.sum.count();
        let rise = if self.sum.active > 0 {
            self.sum.slope * (next / 2.0 - x / 2.0)
        } else {
            0.0
        };
        while rise > 0.0 && self.target <= count + rise {
            let half = x / 2.0 + (self.target - count) / self.sum.slope;
            self.read((half + half).clamp(x, next));
        }
        self.sum.rising += rise;
        // Every event at next: jumps, and rises that start or stop.
        for &(_, tag) in events {
            self.sum.pass(&steps[(tag >> 1) as usize], tag & 1 == 1);
        }
        self.x = next;
        while self.target <= self.sum.count() {
            self.read(next);
        }
    }
}

impl Step {
    /// The step of a point at `start` whose segment makes `rise`.
    fn of(rise: &Rise, start: f64) -> Step {
        Step {
            keys: [sort_key(start), sort_key(rise.cap)],
            slope: rise.slope,
            risen: rise.slope * (rise.cap / 2.0 - start / 2.0),
            spread: rise.spread,
        }
    }

    /// The step of a point at `x` whose segment spreads no values (or
    /// that has none: the last point).
    fn flat(x: f64) -> Step {
        Step {
            keys: [sort_key(x); 2],
            slope: 0.0,
            risen: 0.0,
            spread: 0,
        }
    }
}

/// The point ranks of one digest shape, kept while the next digest has it.
#[derive(Default)]
struct Ranks {
    shape: (u64, usize),
    ranks: Vec<u64>,
}

impl Ranks {
    fn of(&mut self, count: u64, points: usize) -> &[u64] {
        if self.shape != (count, points) || self.ranks.len() != points {
            self.shape = (count, points);
            self.ranks.clear();
            self.ranks.extend(point_ranks(count, points));
        }
        &self.ranks
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

    /// Passes a point (its step), or the cap of its segment.
    fn pass(&mut self, step: &Step, is_cap: bool) {
        if is_cap {
            // The rise has added its spread, less what rounding lost on the
            // way; count the spread exactly.
            self.slope -= step.slope;
            self.rising -= step.risen;
            self.settled += step.spread;
            self.active -= 1;
            if self.active == 0 {
                (self.slope, self.rising) = (0.0, 0.0);
            }
        } else {
            self.settled += 1;
            if step.slope > 0.0 {
                self.slope += step.slope;
                self.active += 1;
            } else {
                self.settled += step.spread;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::{POINTS, point_rank};
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The sweep as it was before its steps were worked out once and its
    /// events radix-sorted: every rise recomputed from the digest where it
    /// is met, the events put in order by std's stable sort. The merge
    /// must give its points to the bit.
    fn readings_of_the_plain_sweep(views: &[View], ranks: impl Iterator<Item = u64>) -> Vec<f64> {
        let rise = |view: &View, j: usize| {
            let end = *view.q.get(j + 1)?;
            let rank = |j| point_rank(view.count, view.q.len(), j);
            let gap = rank(j + 1) - rank(j);
            (gap > 1).then(|| Rise::of(view.q[j], end, gap))
        };
        let mut events = Vec::new();
        for (i, view) in views.iter().enumerate() {
            let tag = (i as u64) << 33;
            for (j, &x) in view.q.iter().enumerate() {
                events.push((sort_key(x), tag | (j as u64) << 1));
                if let Some(rise) = rise(view, j).filter(|rise| rise.slope > 0.0) {
                    events.push((sort_key(rise.cap), tag | (j as u64) << 1 | 1));
                }
            }
        }
        events.sort_by_key(|&(key, _)| key);
        let mut ranks = ranks.peekable();
        let mut out = Vec::new();
        let mut x = f64::NEG_INFINITY;
        let (mut settled, mut rising, mut slope, mut active) = (0u64, 0.0f64, 0.0f64, 0usize);
        let mut at = 0;
        while at < events.len() {
            let key = events[at].0;
            let next = from_sort_key(key);
            let count = settled as f64 + rising;
            let risen = if active > 0 {
                slope * (next / 2.0 - x / 2.0)
            } else {
                0.0
            };
            while let Some(&rank) = ranks.peek() {
                let target = (rank + 1) as f64;
                if risen <= 0.0 || target > count + risen {
                    break;
                }
                let half = x / 2.0 + (target - count) / slope;
                out.push((half + half).clamp(x, next));
                ranks.next();
            }
            rising += risen;
            while at < events.len() && events[at].0 == key {
                let tag = events[at].1;
                let view = &views[(tag >> 33) as usize];
                let j = ((tag >> 1) & 0xFFFF_FFFF) as usize;
                let segment = rise(view, j);
                if tag & 1 == 1 {
                    let segment = segment.unwrap();
                    slope -= segment.slope;
                    rising -= segment.slope * (segment.cap / 2.0 - view.q[j] / 2.0);
                    settled += segment.spread;
                    active -= 1;
                    if active == 0 {
                        (slope, rising) = (0.0, 0.0);
                    }
                } else {
                    settled += 1;
                    match segment {
                        Some(segment) if segment.slope > 0.0 => {
                            slope += segment.slope;
                            active += 1;
                        }
                        Some(segment) => settled += segment.spread,
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
        out.extend(ranks.map(|_| x));
        out
    }

    /// A valid digest of `count` values whose points are drawn from
    /// `values` (sorted by value: 0 and −0 in either order).
    fn digest_from(rng: &mut ChaCha8Rng, values: &[f64], count: u64, points: usize) -> Digest {
        let mut q: Vec<f64> = (0..points)
            .map(|_| values[rng.random_range(0..values.len())])
            .collect();
        q.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let extra = rng.random_range(0..3) * count / 50;
        let rank_err = shape_rank_err(count, points) + extra;
        Digest::with_points(count, rank_err, q)
    }

    /// Digests of one kind of trouble each: distinct values, a few values
    /// shared by all (ties within and across digests), zeros of both
    /// signs, a single value, huge values of both signs.
    fn digests(rng: &mut ChaCha8Rng, case: usize) -> Vec<Digest> {
        let values: Vec<f64> = match case % 5 {
            0 => (0..100_000)
                .map(|_| rng.random_range(-1e3..1e3f64))
                .collect(),
            1 => vec![1.0, 2.0, 2.5, 7.0],
            2 => vec![-0.0, 0.0, -1e-300, 1e-300, 5e-324, 3.0],
            3 => vec![42.0],
            _ => vec![-f64::MAX, -1e300, 0.0, 1e300, f64::MAX],
        };
        let files = rng.random_range(1..60);
        (0..files)
            .map(|_| {
                let count = rng.random_range(1..5000u64);
                let points = if count <= 2 || rng.random_range(0..4) == 0 {
                    count.min(POINTS as u64) as usize
                } else {
                    rng.random_range(2..=count.min(300)) as usize
                };
                digest_from(rng, &values, count, points)
            })
            .collect()
    }

    #[test]
    fn the_merge_reads_what_the_plain_sweep_reads_to_the_bit() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        for case in 0..400 {
            let digests = digests(&mut rng, case);
            let refs: Vec<&Digest> = digests.iter().collect();
            for points in [0, 2, 3, 101, 4001] {
                let merged = Digest::merge(&refs, points);
                merged.validate().unwrap();
                let union = Union::new(&refs).unwrap();
                let exact =
                    refs.iter().all(|d| d.is_exact()) && union.count <= points.max(2) as u64;
                if exact {
                    continue;
                }
                let shape = points.max(2).min(union.count as usize);
                let plain =
                    readings_of_the_plain_sweep(&union.views, point_ranks(union.count, shape));
                let bits = |q: &[f64]| q.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(&merged.q),
                    bits(&plain),
                    "case {case}, {points} points"
                );
            }
        }
    }
}
