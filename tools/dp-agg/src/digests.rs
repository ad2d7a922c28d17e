//! Keeping a run's digests within a memory budget until the overall
//! quantiles are estimated from them.
//!
//! 100,000 records of 201-point digests are 160 MB of points. Past
//! [`POINT_BUDGET`] the digests held are *folded*: merged [`FOLD_BATCH`] at
//! a time into digests of [`FOLD_POINTS`] points ([`Digest::merge`], one
//! sweep over their points), and the records keep none. A fold's bound is the
//! sum of its inputs' plus its own gap term: for 1000 digests of 1000 values
//! (each within 4 ranks) 4000 + 249 ranks of 1,000,000, so the run's bound
//! barely moves (0.40% to 0.42%), where thinning every digest doubled it.
//! Folds that outgrow the budget in turn are folded again, one more gap term.
//! Runs under the budget fold nothing.
//!
//! # A file recorded again after its digest was folded
//!
//! Its new record replaces the old, but a fold cannot give back the old
//! record's values: merging forgot whose they were. They stay in the fold,
//! *stale*, and the bound says so. With N values in the run, C stale ones
//! and E the digests' summed `rank_err`, the digests hold N + C values and
//! read rank k of them between the values of ranks k − E and k + E of all
//! N + C (dp-core's digest doc). Among the j + 1 smallest of those at most
//! C are stale, so the value of rank j of all lies between the run's own
//! values of ranks j − C and j. The quantile p is read at rank
//! h + pC (h = p·(N − 1), the run's own rank), so it lies between the run's
//! values of ranks h + pC − E − C and h + pC + E: within E + C ranks of its
//! own. [`bound_with_stale`] reports (E + C)/N, and no bound (no quantiles)
//! once that reaches 1.
//!
//! Taking the values out of the fold instead (`Digest::without`, until
//! now) needed every record to remember its fold and every fold its
//! parent. It widened the fold's bound by C as well, but capped it at the
//! values left in that fold, which a bound over the whole run cannot do:
//! 400 files of 3000 (500 values each) recorded again gave 3.7% there and
//! 13.8% here with a budget of 100,000 points, 14.0% and 14.1% with 20,000.
//! And it gave up (no quantiles) once a fold had fewer values left than
//! points, so records read twice past the budget had no quantiles either
//! way. The case is rare (a few files processed again, past 50,000 files),
//! so the plain rule is kept.

use std::num::NonZeroUsize;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use dp_core::digest::{Digest, Merger};

/// Digest points a run may hold (8 bytes each, 84 MB) before they are folded;
/// `DP_AGG_POINT_BUDGET` lowers it (for tests of large runs).
pub const POINT_BUDGET: usize = 10 << 20;
/// Digests merged into one fold.
pub const FOLD_BATCH: usize = 1000;
/// Points of a fold: 20 times a record's, so a fold of 1000 files adds
/// little to their own error.
pub const FOLD_POINTS: usize = 4001;

/// Counts the points a run's digests hold, and folds them past the budget.
#[derive(Debug)]
pub struct DigestBudget {
    points: usize,
    limit: usize,
    /// The merged digests of the records folded.
    folds: Vec<Digest>,
    /// Per entry of the run, whether its digest is in a fold.
    folded: Vec<bool>,
    folded_files: usize,
    stale: Stale,
    mergers: Option<Mergers>,
}

/// What the folds hold that their run no longer has: the values of records
/// replaced after their digests were folded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stale {
    pub files: usize,
    pub values: u64,
}

impl Default for DigestBudget {
    fn default() -> Self {
        let limit = std::env::var("DP_AGG_POINT_BUDGET")
            .ok()
            .and_then(|limit| limit.parse().ok())
            .unwrap_or(POINT_BUDGET);
        Self::new(limit)
    }
}

impl DigestBudget {
    /// A budget of `limit` points.
    pub fn new(limit: usize) -> Self {
        Self {
            points: 0,
            limit,
            folds: Vec::new(),
            folded: Vec::new(),
            folded_files: 0,
            stale: Stale::default(),
            mergers: None,
        }
    }

    /// Takes in a new digest: its spare capacity given back, its points
    /// counted.
    pub fn admit(&mut self, digest: &mut Digest) {
        if digest.q.capacity() > digest.q.len() {
            // A fresh allocation of the exact size: shrinking in place would
            // leave the parser's spare capacity (up to half) as a hole beside
            // every digest.
            digest.q = digest.q.as_slice().to_vec();
        }
        self.points += digest.q.len();
    }

    /// Stops counting the digest of entry `at` (`points` points, 0 when
    /// folded), whose record of `count` values is replaced by a new one. A
    /// digest in a fold leaves its values there, [`Stale`] (module doc).
    pub fn release(&mut self, at: usize, points: usize, count: u64) {
        self.points -= points;
        if let Some(folded) = self.folded.get_mut(at).filter(|folded| **folded) {
            *folded = false;
            self.folded_files -= 1;
            self.stale.files += 1;
            self.stale.values += count;
        }
    }

    /// Whether the digests hold more points than the budget.
    pub fn is_over(&self) -> bool {
        self.points > self.limit
    }

    /// Folds every digest of `entries` (entry index, digest), none folded
    /// yet, then the folds themselves while they are over the budget.
    pub fn fold(&mut self, entries: impl Iterator<Item = (usize, Digest)>) {
        let mut held = Vec::new();
        for (at, digest) in entries.filter(|(_, digest)| digest.count > 0) {
            if self.folded.len() <= at {
                self.folded.resize(at + 1, false);
            }
            self.folded[at] = true;
            self.points -= digest.q.len();
            self.folded_files += 1;
            held.push(digest);
        }
        let mergers = self.mergers.take().unwrap_or_else(Mergers::start);
        self.take(mergers.merge_batches(held));
        while self.is_over() && self.folds.len() >= 2 {
            let folds = std::mem::take(&mut self.folds);
            self.points -= folds.iter().map(|fold| fold.q.len()).sum::<usize>();
            self.take(mergers.merge_batches(folds));
        }
        self.mergers = Some(mergers);
    }

    /// Keeps new folds, counting their points.
    fn take(&mut self, folds: Vec<Digest>) {
        self.points += folds.iter().map(|fold| fold.q.len()).sum::<usize>();
        self.folds.extend(folds);
    }

    /// The folds.
    pub fn folds(&self) -> &[Digest] {
        &self.folds
    }

    /// How many files' digests are held in folds.
    pub fn folded_files(&self) -> usize {
        self.folded_files
    }

    /// What the folds hold of records since replaced.
    pub fn stale(&self) -> Stale {
        self.stale
    }

    pub fn points(&self) -> usize {
        self.points
    }
}

/// The bound on the rank error, as a fraction of the run's `count` values,
/// of a quantile read from `digests` that hold `stale` values more: (E + C)/N
/// (module doc); `None` when it would say nothing (1 or more).
pub fn bound_with_stale(digests: &[&Digest], stale: u64, count: u64) -> Option<f64> {
    let rank_err = digests
        .iter()
        .fold(stale, |sum, digest| sum.saturating_add(digest.rank_err));
    (rank_err < count).then(|| rank_err as f64 / count as f64)
}

/// The threads that merge the folds' batches, one per core, started with
/// the first fold and kept for the run. Threads started for each round of
/// folds (twenty in a million records) left their memory behind when they
/// ended, and the allocator gave it back to the kernel, to be cleared again
/// for the next: over a million records mimalloc gave back 3.7 GiB with
/// them, 1.3 GiB with these (`MIMALLOC_SHOW_STATS=1`), ~5% of the CPU.
#[derive(Debug)]
struct Mergers {
    batches: Sender<(usize, Vec<Digest>)>,
    merged: Receiver<(usize, Digest)>,
}

impl Mergers {
    fn start() -> Self {
        let (batches, waiting) = mpsc::channel::<(usize, Vec<Digest>)>();
        let (done, merged) = mpsc::channel();
        let waiting = Arc::new(Mutex::new(waiting));
        let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
        for _ in 0..cores {
            let (waiting, done) = (Arc::clone(&waiting), done.clone());
            std::thread::spawn(move || {
                let mut merger = Merger::default();
                // The lock held only while waiting, not while merging.
                let next = || {
                    waiting
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .recv()
                };
                // Ends when the budget, and with it the sender, goes.
                while let Ok((at, batch)) = next() {
                    let merged = merger.merge(&batch.iter().collect::<Vec<_>>(), FOLD_POINTS);
                    drop(batch);
                    if done.send((at, merged)).is_err() {
                        break;
                    }
                }
            });
        }
        Self { batches, merged }
    }

    /// Merges `digests`, [`FOLD_BATCH`] at a time in order, into digests
    /// of [`FOLD_POINTS`] points, in order, each batch let go as soon as it
    /// is merged (one merge at a time on each thread, so the memory of the
    /// sweeps stays that of a few).
    fn merge_batches(&self, digests: Vec<Digest>) -> Vec<Digest> {
        let mut digests = digests.into_iter().peekable();
        let mut batches = 0;
        while digests.peek().is_some() {
            let batch = digests.by_ref().take(FOLD_BATCH).collect();
            self.batches
                .send((batches, batch))
                .expect("the fold threads run while the budget lives");
            batches += 1;
        }
        let mut merged: Vec<Option<Digest>> = (0..batches).map(|_| None).collect();
        for _ in 0..batches {
            let (at, digest) = self.merged.recv().expect("a fold thread ended early");
            merged[at] = Some(digest);
        }
        merged
            .into_iter()
            .map(|digest| digest.expect("every batch merged"))
            .collect()
    }
}

/// Checks a record's digest before it is used: shape, and the same count.
pub fn check(digest: &Digest, count: u64) -> Result<(), String> {
    digest.validate()?;
    if digest.count != count {
        return Err(format!(
            "it summarises {} values, the record counted {count}",
            digest.count
        ));
    }
    Ok(())
}

/// A digest that owns no memory: what a record holds once its digest is
/// found unusable.
pub fn placeholder() -> Digest {
    Digest {
        kind: String::new(),
        version: 0,
        count: 0,
        rank_err: 0,
        q: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dp_core::stats::summarize;

    fn digest_of(n: usize, level: f64) -> Digest {
        let mut values: Vec<f64> = (0..n).map(|i| level + (i * 7919 % n) as f64).collect();
        summarize(&mut values, &[]).digest
    }

    /// Entries as a run hands them over: (index, digest).
    fn indexed(digests: &[Digest]) -> impl Iterator<Item = (usize, Digest)> {
        digests.iter().cloned().enumerate()
    }

    #[test]
    fn folds_past_the_budget_with_the_summed_bound() {
        let mut budget = DigestBudget::new(FOLD_POINTS + 1500 * 201);
        let mut digests: Vec<Digest> = (0..1600).map(|i| digest_of(1000, i as f64)).collect();
        let file_err = digests[0].rank_err;
        for digest in &mut digests[..1500] {
            budget.admit(digest);
        }
        assert!(!budget.is_over());
        for digest in &mut digests[1500..] {
            budget.admit(digest);
        }
        assert!(budget.is_over());
        budget.fold(indexed(&digests));
        assert!(!budget.is_over());
        assert_eq!(budget.folded_files(), 1600);
        let folds = budget.folds();
        assert_eq!(folds.len(), 2);
        assert_eq!(budget.points(), 2 * FOLD_POINTS);
        // The merges of the batches, in order.
        for (fold, batch) in folds.iter().zip(digests.chunks(FOLD_BATCH)) {
            let batch: Vec<&Digest> = batch.iter().collect();
            assert_eq!(*fold, Digest::merge(&batch, FOLD_POINTS));
        }
        assert_eq!(folds[0].count, 1000 * 1000);
        assert_eq!(
            folds[0].rank_err,
            1000 * file_err + dp_core::digest::shape_rank_err(1000 * 1000, FOLD_POINTS)
        );
        // A file recorded again: its values stay in its fold, stale.
        budget.release(3, 0, 1000);
        assert_eq!(budget.folds()[0].count, 1000 * 1000);
        assert_eq!(budget.folded_files(), 1599);
        let stale = Stale {
            files: 1,
            values: 1000,
        };
        assert_eq!(budget.stale(), stale);
    }

    #[test]
    fn folds_are_folded_again_when_they_outgrow_the_budget() {
        let mut budget = DigestBudget::new(2 * FOLD_POINTS);
        let mut digests: Vec<Digest> = (0..3000).map(|i| digest_of(1000, i as f64)).collect();
        for digest in &mut digests {
            budget.admit(digest);
        }
        budget.fold(indexed(&digests));
        let folds = budget.folds();
        assert_eq!(folds.len(), 1);
        assert_eq!(folds[0].count, 3000 * 1000);
        folds[0].validate().unwrap();
        assert_eq!(budget.points(), folds[0].q.len());
    }

    #[test]
    fn stale_values_widen_the_bound_until_it_says_nothing() {
        let digests: Vec<Digest> = (0..4).map(|i| digest_of(1000, i as f64)).collect();
        let held: Vec<&Digest> = digests.iter().collect();
        let e = 4 * digests[0].rank_err;
        // 4000 values held, 1000 of them stale: the run has 3000.
        assert_eq!(
            bound_with_stale(&held, 1000, 3000),
            Some((e + 1000) as f64 / 3000.0)
        );
        assert_eq!(bound_with_stale(&held, 0, 4000), Some(e as f64 / 4000.0));
        assert_eq!(bound_with_stale(&held, 3000 - e, 3000), None);
    }

    #[test]
    fn bad_digests_are_named() {
        let digest = digest_of(1000, 0.0);
        assert_eq!(check(&digest, 1000), Ok(()));
        let err = check(&digest, 999).unwrap_err();
        assert_eq!(err, "it summarises 1000 values, the record counted 999");
        let mut unsorted = digest_of(10, 0.0);
        unsorted.q.swap(0, 9);
        assert!(check(&unsorted, 10).unwrap_err().contains("not sorted"));
    }
}
