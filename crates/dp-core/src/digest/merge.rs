//! One digest of several: the merge, and the bound it keeps.

use super::events::Events;
use super::view::{RankGap, Rise, Union, View};
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
/// next, which it otherwise asks of the allocator afresh for each of a
/// million records' thousand folds.
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
        let q = self
            .sweep
            .readings(&union.views, point_ranks(union.count, points));
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
///
/// # Slices
///
/// A fold of 1000 digests is 400,000 events. Worked out all at once and
/// sorted, they took 15 MB, more than a core's cache: with another fold on
/// the other core, a fold took 1.6 times as long as alone. So the sweep
/// goes through the keys a slice at a time, each of about [`SLICE_EVENTS`]
/// events, cut at keys sampled from the points. Each digest's points are
/// in order, so a cursor per digest hands over the events below the
/// slice's end, in the order of digest and point; the slice is put in order
/// and swept within the core's own cache. Slices in order of key, each in
/// order, are all the events in order: the same sums, to the bit. A fold
/// takes as long alone, and no longer beside another; with its events
/// branch-free ([`Event`]), dp-agg over a million records used 11% less CPU.
struct Sweep {
    /// Events a slice is cut to hold, about (a setting, for the tests).
    slice_events: usize,
    /// Where each digest stands.
    cursors: Vec<Cursor>,
    /// The segments of the digests' shapes, one after another (digests in
    /// a row that share a shape share them).
    segments: Vec<RankGap>,
    /// The key that ends each slice: a slice takes the keys below it.
    ends: Vec<u64>,
    /// Points sampled to cut the slices.
    sample: Vec<u64>,
    /// The slice's events, in the order of their digests and points.
    slice: Vec<Event>,
    /// The slice's events as (key prefix, index), in order of prefix.
    order: Events,
    /// A run of equal prefixes as (key, index), put in order.
    run: Vec<(u64, u32)>,
}

/// Events a slice of the sweep holds, about: 320 KB of them, inside a
/// core's 1 MB cache with all else a slice needs. Slices of 4096 to 32768
/// events timed the same, alone and in dp-agg (`examples/merge_throughput.rs`).
const SLICE_EVENTS: usize = 8192;

impl Default for Sweep {
    fn default() -> Self {
        Sweep {
            slice_events: SLICE_EVENTS,
            cursors: Vec::new(),
            segments: Vec::new(),
            ends: Vec::new(),
            sample: Vec::new(),
            slice: Vec::new(),
            order: Events::default(),
            run: Vec::new(),
        }
    }
}

/// Where one digest stands in the sweep.
#[derive(Clone, Copy)]
struct Cursor {
    /// Its next point.
    next: usize,
    /// Where its shape's segments start in [`Sweep::segments`].
    segments: usize,
    /// The cap of the segment last passed, when it lies beyond the slice.
    cap: Option<Event>,
    /// The key of what comes next (that cap, else the next point);
    /// `u64::MAX`, above every number's key, when nothing does.
    next_key: u64,
}

/// What passing a point, or the cap of the segment it starts, does to
/// ΣU's [`Level`]: each event adds its four terms, so the sweep does not
/// branch on its kind. A cap subtracts by adding the negation, which IEEE
/// rounds the same; a term of no effect adds ±0, which leaves every sum
/// here as it is (none is ever −0).
#[derive(Clone, Copy)]
struct Event {
    key: u64,
    /// The slope (values per half unit of x) of the rise the point starts,
    /// or its negation at the rise's cap; 0 when the point's segment does
    /// not rise.
    slope: f64,
    /// At a cap: the negation of what the rise has added by it, as the
    /// sweep's sum counts it, slope · (cap/2 − q[j]/2); −0 at a point.
    risen: f64,
    /// Values counted exactly here: the point itself, and the values its
    /// segment spreads (g − 1) at the point when it has no width, at the cap
    /// when it rises.
    settled: u64,
    /// Rises started (1) or ended (−1).
    active: isize,
}

impl Sweep {
    /// The least x with ΣU(x) ≥ rank + 1 over `views`, for each of `ranks`
    /// (ascending).
    fn readings(&mut self, views: &[View], ranks: impl Iterator<Item = u64>) -> Vec<f64> {
        let mut reading = Reading {
            out: Vec::with_capacity(ranks.size_hint().0),
            target: 0.0,
            ranks,
            x: f64::NEG_INFINITY,
            sum: Level::default(),
        };
        reading.next_target();
        self.start(views);
        for slice in 0..self.ends.len() {
            self.fill(views, self.ends[slice]);
            self.sweep(&mut reading);
        }
        // Rounding may leave ΣU a hair short of N at the end: the maximum.
        while reading.target.is_finite() {
            reading.read(reading.x);
        }
        reading.out
    }

    /// Puts the cursors at the digests' first points and cuts the slices.
    fn start(&mut self, views: &[View]) {
        self.cursors.clear();
        self.segments.clear();
        let (mut shape, mut segments) = (None, 0);
        for view in views {
            // Each costs divisions; a fold's digests mostly share a shape.
            if shape != Some((view.count, view.q.len())) {
                shape = Some((view.count, view.q.len()));
                segments = self.segments.len();
                let ranks = point_ranks(view.count, view.q.len());
                self.segments
                    .extend(ranks.clone().zip(ranks.skip(1)).map(RankGap::between));
            }
            self.cursors.push(Cursor {
                next: 0,
                segments,
                cap: None,
                next_key: view.q.first().map_or(u64::MAX, |&x| sort_key(x)),
            });
        }
        let points: usize = views.iter().map(|view| view.q.len()).sum();
        // Each slice visits every digest: no more slices than a digest
        // has points, on average.
        let slices = (2 * points / self.slice_events)
            .min(points / views.len().max(1))
            .max(1);
        self.ends.clear();
        if slices > 1 {
            let stride = (points / (16 * slices)).max(1);
            self.sample.clear();
            // Every stride-th point of all, counted across digests.
            let (mut at, mut first) = (0, 0);
            for view in views {
                let past = first + view.q.len();
                while at < past {
                    self.sample.push(sort_key(view.q[at - first]));
                    at += stride;
                }
                first = past;
            }
            self.sample.sort_unstable();
            // A digest's points are in order of value, where −0 and 0 tie;
            // in order of key, too, unless a slice ends between them.
            let (negative_zero, zero) = (sort_key(-0.0), sort_key(0.0));
            for cut in 1..slices {
                let mut end = self.sample[cut * self.sample.len() / slices];
                if end == zero {
                    end = negative_zero;
                }
                if self.ends.last().is_none_or(|&last| last < end) {
                    self.ends.push(end);
                }
            }
        }
        self.ends.push(u64::MAX);
    }

    /// Takes from each digest, in order, its events with keys below `end`.
    fn fill(&mut self, views: &[View], end: u64) {
        let slice = &mut self.slice;
        slice.clear();
        // The points each digest gives a slice lie in memory no cache holds
        // (in dp-agg, the digests were just parsed on other threads), a
        // line or two a digest. Read in one loop of loads that do not wait
        // for each other, they arrive together, not one stall a digest as
        // the loop below meets them: dp-agg over a million records, 5.6%
        // less CPU.
        let touched = self
            .cursors
            .iter()
            .zip(views)
            .fold(0.0, |sum, (cursor, view)| {
                let last = view.q.len() - 1;
                sum + view.q[cursor.next.min(last)] + view.q[(cursor.next + 8).min(last)]
            });
        std::hint::black_box(touched);
        for (cursor, view) in self.cursors.iter_mut().zip(views) {
            if cursor.next_key >= end {
                continue;
            }
            if let Some(cap) = cursor.cap.take() {
                slice.push(cap);
            }
            let q = view.q;
            let segments = &self.segments[cursor.segments..];
            let mut j = cursor.next;
            cursor.next_key = loop {
                let Some(&x) = q.get(j) else {
                    break u64::MAX;
                };
                let key = sort_key(x);
                if key >= end {
                    break key;
                }
                j += 1;
                let Some((&next, gap)) = q
                    .get(j)
                    .zip(segments.get(j - 1))
                    .filter(|(_, gap)| gap.ranks > 1)
                else {
                    slice.push(Event::point(key, 0.0, 0));
                    continue;
                };
                let rise = Rise::of(x, next, gap);
                if rise.slope > 0.0 {
                    slice.push(Event::point(key, rise.slope, 0));
                    let cap = Event::cap(&rise, x);
                    if cap.key >= end {
                        cursor.cap = Some(cap);
                        break cap.key;
                    }
                    slice.push(cap);
                } else {
                    slice.push(Event::point(key, 0.0, rise.spread));
                }
            };
            cursor.next = j;
        }
    }

    /// Puts the slice in order and sweeps it.
    fn sweep<I: Iterator<Item = u64>>(&mut self, reading: &mut Reading<I>) {
        let slice = &self.slice;
        self.order.sort(slice.iter().map(|event| event.key));
        for events in self.order.runs() {
            // A run whose keys are all equal (one event, the commonest, or a
            // value many digests share) is in order already: swept as it is.
            let key = slice[events[0].1 as usize].key;
            if events[1..]
                .iter()
                .all(|&(_, at)| slice[at as usize].key == key)
            {
                reading.go_to(from_sort_key(key), events.iter().map(|&(_, at)| at), slice);
                continue;
            }
            // Else put in order (module doc of `events`): equal keys are
            // never in two runs.
            let run = &mut self.run;
            run.clear();
            run.extend(events.iter().map(|&(_, at)| (slice[at as usize].key, at)));
            if !run.is_sorted_by_key(|&(key, _)| key) {
                run.sort_unstable();
            }
            for at_next in run.chunk_by(|a, b| a.0 == b.0) {
                let ats = at_next.iter().map(|&(_, at)| at);
                reading.go_to(from_sort_key(at_next[0].0), ats, slice);
            }
        }
    }
}

impl Event {
    /// A point whose segment rises at `slope`, or spreads `spread` values
    /// with no width (or none: the last point, a gap of one).
    fn point(key: u64, slope: f64, spread: u64) -> Event {
        Event {
            key,
            slope,
            risen: -0.0,
            settled: 1 + spread,
            active: isize::from(slope > 0.0),
        }
    }

    /// The cap of a rise from `start`.
    fn cap(rise: &Rise, start: f64) -> Event {
        Event {
            key: sort_key(rise.cap),
            slope: -rise.slope,
            risen: -(rise.slope * (rise.cap / 2.0 - start / 2.0)),
            settled: rise.spread,
            active: -1,
        }
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

    /// Sweeps from x to `next`, the key of `events` (indices into
    /// `slice`), reading the ranks ΣU reaches on the way, then passes the
    /// events.
    fn go_to(&mut self, next: f64, events: impl Iterator<Item = u32>, slice: &[Event]) {
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
        for at in events {
            self.sum.pass(&slice[at as usize]);
        }
        self.x = next;
        while self.target <= self.sum.count() {
            self.read(next);
        }
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

    /// Passes a point, or the cap of its segment.
    fn pass(&mut self, event: &Event) {
        self.slope += event.slope;
        self.rising += event.risen;
        self.settled += event.settled;
        self.active = self.active.wrapping_add_signed(event.active);
        // The last rise capped: it has added its spread, counted exactly
        // at the cap, less what rounding lost on the way.
        if self.active == 0 {
            (self.slope, self.rising) = (0.0, 0.0);
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
            let gap = RankGap::between((rank(j), rank(j + 1)));
            (gap.ranks > 1).then(|| Rise::of(view.q[j], end, &gap))
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
                // Cut in many slices: their ends fall at and between every
                // kind of point, ties and zeros of both signs among them.
                for slice_events in [2, 5, 64] {
                    let sweep = Sweep {
                        slice_events,
                        ..Sweep::default()
                    };
                    let sliced = Merger { sweep }.merge(&refs, points);
                    assert_eq!(
                        bits(&sliced.q),
                        bits(&plain),
                        "case {case}, {points} points, slices of {slice_events}"
                    );
                }
            }
        }
    }

    #[test]
    fn no_slice_ends_between_the_zeros() {
        // Points tie at ±0 in either order: a slice that ended at 0's key
        // would take a −0 after a 0 of the same digest out of order.
        let q = vec![-1.0, -0.0, 0.0, -0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        let digests: Vec<Digest> = (0..40)
            .map(|_| Digest::with_points(900, shape_rank_err(900, q.len()), q.clone()))
            .collect();
        let refs: Vec<&Digest> = digests.iter().collect();
        let union = Union::new(&refs).unwrap();
        let mut sweep = Sweep {
            slice_events: 2,
            ..Sweep::default()
        };
        sweep.start(&union.views);
        assert!(sweep.ends.len() > 2, "{:?}", sweep.ends);
        assert!(sweep.ends.contains(&sort_key(-0.0)));
        assert!(!sweep.ends.contains(&sort_key(0.0)));
        assert!(sweep.ends.is_sorted_by(|a, b| a < b));
    }
}
