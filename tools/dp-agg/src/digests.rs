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

use std::convert::Infallible;
use std::num::NonZeroUsize;

use dp_core::digest::Digest;
use dp_core::pool::{self, Cancelled};

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
    folds: Vec<Fold>,
    /// Per entry of the run, the fold that took its digest (or [`NOT_FOLDED`]).
    fold_of: Vec<u32>,
    folded_files: usize,
}

const NOT_FOLDED: u32 = u32::MAX;

/// Digests merged into one, and the fold that took it in turn, if any.
#[derive(Debug)]
struct Fold {
    digest: Digest,
    parent: Option<usize>,
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
            fold_of: Vec::new(),
            folded_files: 0,
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

    /// Stops counting the digest of entry `at`, replaced by a new record.
    /// If it was folded, its `count` values are taken out of its fold
    /// ([`Digest::without`]); an error when the fold cannot spare them.
    pub fn release(&mut self, at: usize, digest: &Digest, count: u64) -> Result<(), String> {
        self.points -= digest.q.len();
        let Some(fold) = self.fold_of.get_mut(at).filter(|fold| **fold != NOT_FOLDED) else {
            return Ok(());
        };
        let mut root = std::mem::replace(fold, NOT_FOLDED) as usize;
        self.folded_files -= 1;
        while let Some(parent) = self.folds[root].parent {
            root = parent;
        }
        let merged = &mut self.folds[root].digest;
        let Some(less) = merged.without(count) else {
            return Err(format!(
                "a file recorded again had its digest merged with others that cannot spare its {count} values"
            ));
        };
        self.points = self.points - merged.q.len() + less.q.len();
        *merged = less;
        Ok(())
    }

    /// Whether the digests hold more points than the budget.
    pub fn is_over(&self) -> bool {
        self.points > self.limit
    }

    /// Folds every digest of `entries` (entry index, digest) not folded yet,
    /// then the folds themselves while they are over the budget.
    pub fn fold<'a>(&mut self, entries: impl Iterator<Item = (usize, &'a mut Digest)>) {
        let mut held: Vec<(usize, &mut Digest)> =
            entries.filter(|(_, digest)| digest.count > 0).collect();
        let batches: Vec<Vec<&Digest>> = held
            .chunks(FOLD_BATCH)
            .map(|batch| batch.iter().map(|(_, digest)| &**digest).collect())
            .collect();
        let merged = merge_batches(batches);
        for (batch, merged) in held.chunks_mut(FOLD_BATCH).zip(merged) {
            let id = self.folds.len();
            self.points += merged.q.len();
            self.folds.push(Fold {
                digest: merged,
                parent: None,
            });
            for (at, digest) in batch {
                if self.fold_of.len() <= *at {
                    self.fold_of.resize(*at + 1, NOT_FOLDED);
                }
                self.fold_of[*at] = id as u32;
                self.points -= digest.q.len();
                **digest = placeholder();
                self.folded_files += 1;
            }
        }
        while self.is_over() {
            let roots: Vec<usize> = (0..self.folds.len())
                .filter(|&id| self.folds[id].parent.is_none())
                .collect();
            if roots.len() < 2 {
                break;
            }
            for batch in roots.chunks(FOLD_BATCH) {
                let inputs: Vec<&Digest> = batch.iter().map(|&id| &self.folds[id].digest).collect();
                let merged = Digest::merge(&inputs, FOLD_POINTS);
                let id = self.folds.len();
                self.points += merged.q.len();
                for &child in batch {
                    let child = &mut self.folds[child];
                    self.points -= child.digest.q.len();
                    // Emptied, not removed: entries still lead to their root through it.
                    child.digest = placeholder();
                    child.parent = Some(id);
                }
                self.folds.push(Fold {
                    digest: merged,
                    parent: None,
                });
            }
        }
    }

    /// The folds that hold values and are not folded into another.
    pub fn folds(&self) -> impl Iterator<Item = &Digest> {
        self.folds
            .iter()
            .filter(|fold| fold.parent.is_none() && fold.digest.count > 0)
            .map(|fold| &fold.digest)
    }

    /// How many files' digests are held in folds.
    pub fn folded_files(&self) -> usize {
        self.folded_files
    }

    pub fn points(&self) -> usize {
        self.points
    }
}

/// Merges each batch into one digest of [`FOLD_POINTS`] points, in order,
/// batches on as many threads as there are cores (one merge at a time on
/// each, so the memory of the sweeps stays that of a few).
fn merge_batches(batches: Vec<Vec<&Digest>>) -> Vec<Digest> {
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let mut merged = Vec::with_capacity(batches.len());
    let new_worker = || |batch: Vec<&Digest>, _: &Cancelled| Digest::merge(&batch, FOLD_POINTS);
    let taken = pool::for_each_in_order(cores, batches, new_worker, &mut |digest| {
        merged.push(digest);
        Ok::<_, Infallible>(())
    });
    let Ok(()) = taken;
    merged
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

    /// Entries as a run holds them: (index, digest).
    fn indexed(digests: &mut [Digest]) -> impl Iterator<Item = (usize, &mut Digest)> {
        digests.iter_mut().enumerate()
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
        budget.fold(indexed(&mut digests));
        assert!(!budget.is_over());
        assert_eq!(budget.folded_files(), 1600);
        let folds: Vec<&Digest> = budget.folds().collect();
        assert_eq!(folds.len(), 2);
        assert_eq!(budget.points(), 2 * FOLD_POINTS);
        assert_eq!(folds[0].count, 1000 * 1000);
        assert_eq!(
            folds[0].rank_err,
            1000 * file_err + dp_core::digest::shape_rank_err(1000 * 1000, FOLD_POINTS)
        );
        assert!(digests.iter().all(|digest| digest.q.is_empty()));
        // A file recorded again: its values leave its fold.
        budget.release(3, &digests[3], 1000).unwrap();
        let folds: Vec<&Digest> = budget.folds().collect();
        assert_eq!(folds[0].count, 999 * 1000);
        assert_eq!(budget.folded_files(), 1599);
    }

    #[test]
    fn folds_are_folded_again_when_they_outgrow_the_budget() {
        let mut budget = DigestBudget::new(2 * FOLD_POINTS);
        let mut digests: Vec<Digest> = (0..3000).map(|i| digest_of(1000, i as f64)).collect();
        for digest in &mut digests {
            budget.admit(digest);
        }
        budget.fold(indexed(&mut digests));
        let folds: Vec<&Digest> = budget.folds().collect();
        assert_eq!(folds.len(), 1);
        assert_eq!(folds[0].count, 3000 * 1000);
        folds[0].validate().unwrap();
        budget.release(2999, &digests[2999], 1000).unwrap();
        assert_eq!(budget.folds().next().unwrap().count, 2999 * 1000);
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
