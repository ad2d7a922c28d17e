//! Keeping a run's digests within a memory budget until the overall
//! quantiles are estimated from them.
//!
//! 100,000 records of 201-point digests are 160 MB of points. Past
//! [`POINT_BUDGET`] every digest of the run is thinned (about half its points,
//! [`Digest::thinned`]): cheap, and sound, since a thinned digest carries its
//! own, larger rank error bound, which the report then states. Merging the
//! digests into fewer would keep more accuracy, but `Digest::merge` costs
//! about 0.4 ms per digest merged: 40 s for such a run.

use dp_core::digest::Digest;

/// Digest points a run may hold (8 bytes each) before they are thinned.
pub const POINT_BUDGET: usize = 12 << 20;

/// Counts the points a run's digests hold, and says how far to thin them.
#[derive(Debug)]
pub struct DigestBudget {
    points: usize,
    /// How many times every held digest has been thinned.
    thinnings: u32,
    limit: usize,
}

impl Default for DigestBudget {
    fn default() -> Self {
        Self::new(POINT_BUDGET)
    }
}

impl DigestBudget {
    /// A budget of `limit` points.
    pub fn new(limit: usize) -> Self {
        Self {
            points: 0,
            thinnings: 0,
            limit,
        }
    }

    /// Takes in a new digest: thinned as much as the others, its spare
    /// capacity given back, its points counted.
    pub fn admit(&mut self, digest: &mut Digest) {
        for _ in 0..self.thinnings {
            thin(digest);
        }
        if digest.q.capacity() > digest.q.len() {
            // A fresh allocation of the exact size: shrinking in place would
            // leave the parser's spare capacity (up to half) as a hole beside
            // every digest.
            digest.q = digest.q.as_slice().to_vec();
        }
        self.points += digest.q.len();
    }

    /// Stops counting a digest that is dropped.
    pub fn release(&mut self, digest: &Digest) {
        self.points -= digest.q.len();
    }

    /// Whether the digests hold more points than the budget.
    pub fn is_over(&self) -> bool {
        self.points > self.limit
    }

    /// Thins every digest once; false when none could shrink.
    pub fn thin_all<'a>(&mut self, digests: impl Iterator<Item = &'a mut Digest>) -> bool {
        let before = self.points;
        for digest in digests {
            self.points -= digest.q.len();
            thin(digest);
            self.points += digest.q.len();
        }
        self.thinnings += 1;
        self.points < before
    }

    /// How many times the digests were thinned to fit the budget.
    pub fn thinnings(&self) -> u32 {
        self.thinnings
    }

    pub fn points(&self) -> usize {
        self.points
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

fn thin(digest: &mut Digest) {
    if let Some(mut thinner) = digest.thinned() {
        thinner.q.shrink_to_fit();
        *digest = thinner;
    }
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

    #[test]
    fn thins_past_the_budget_and_keeps_the_bound_honest() {
        let mut budget = DigestBudget::new(1000);
        let mut digests: Vec<Digest> = (0..5).map(|i| digest_of(1000, i as f64)).collect();
        for digest in &mut digests[..4] {
            budget.admit(digest);
        }
        assert!(!budget.is_over());
        assert_eq!(budget.points(), 4 * 201);
        budget.admit(&mut digests[4]);
        assert!(budget.is_over());
        assert!(budget.thin_all(digests.iter_mut()));
        assert!(!budget.is_over());
        assert_eq!(budget.thinnings(), 1);
        assert_eq!(budget.points(), 5 * 101);
        let full = digest_of(1000, 0.0);
        for digest in &digests {
            assert_eq!(digest.q.len(), 101);
            digest.validate().unwrap();
            assert!(digest.rank_err > full.rank_err);
        }
        // A later digest is thinned as much as the others.
        let mut late = digest_of(1000, 5.0);
        budget.admit(&mut late);
        assert_eq!(late.q.len(), 101);
        budget.release(&late);
        assert_eq!(budget.points(), 5 * 101);
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
