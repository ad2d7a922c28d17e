//! A run's digests, held within a memory budget until the overall
//! quantiles are estimated from them.
//!
//! 100,000 records of 201-point digests are 160 MB of points. Past
//! [`POINT_BUDGET`] every digest of the run is thinned (about half its points,
//! [`Digest::thinned`]): cheap, and sound, since a thinned digest carries its
//! own, larger rank error bound, which the report then states. Merging the
//! digests into fewer would keep more accuracy, but `Digest::merge` costs
//! about 0.4 ms per digest merged, 40 s for such a run.

use dp_core::digest::Digest;

/// Digest points a run may hold (8 bytes each) before they are thinned.
pub const POINT_BUDGET: usize = 12 << 20;

/// The digests of a run's files, by entry (see [`crate::group::Run`]).
#[derive(Debug, Default)]
pub struct DigestStore {
    slots: Vec<Slot>,
    /// Points held in all slots.
    points: usize,
    /// How many times every held digest has been thinned.
    thinnings: u32,
    budget: usize,
}

#[derive(Debug)]
enum Slot {
    /// A failed file's entry, or an empty file's.
    None,
    Held(Digest),
    /// The record's digest is unusable: why, naming the file.
    Bad(String),
}

impl DigestStore {
    pub fn new() -> Self {
        Self::with_budget(POINT_BUDGET)
    }

    /// A store that thins its digests past `budget` points.
    pub fn with_budget(budget: usize) -> Self {
        Self {
            budget,
            ..Self::default()
        }
    }

    /// Sets the digest of entry `at` (`None` for a failed file), replacing
    /// the one it had. `path` and `count` are from the record, to check the
    /// digest against.
    pub fn set(&mut self, at: usize, digest: Option<Digest>, path: &str, count: u64) {
        let slot = match digest {
            None => Slot::None,
            Some(_) if count == 0 => Slot::None,
            Some(digest) => match check(&digest, count) {
                Ok(()) => {
                    let mut digest = digest;
                    for _ in 0..self.thinnings {
                        digest = thin(digest);
                    }
                    digest.q.shrink_to_fit();
                    Slot::Held(digest)
                }
                Err(err) => Slot::Bad(format!("{path}: bad digest: {err}")),
            },
        };
        if at == self.slots.len() {
            self.slots.push(Slot::None);
        }
        self.points -= held_points(&self.slots[at]);
        self.points += held_points(&slot);
        self.slots[at] = slot;
        while self.points > self.budget && self.thin_all() {}
    }

    /// Thins every held digest once; false when none could shrink.
    fn thin_all(&mut self) -> bool {
        let before = self.points;
        self.points = 0;
        for slot in &mut self.slots {
            if let Slot::Held(digest) = slot {
                let thinner = thin(std::mem::replace(digest, placeholder()));
                *digest = thinner;
                self.points += digest.q.len();
            }
        }
        self.thinnings += 1;
        self.points < before
    }

    /// Every held digest, or why they cannot be used.
    pub fn digests(&self) -> Result<Vec<&Digest>, String> {
        let mut digests = Vec::with_capacity(self.slots.len());
        for slot in &self.slots {
            match slot {
                Slot::None => {}
                Slot::Held(digest) => digests.push(digest),
                Slot::Bad(why) => return Err(why.clone()),
            }
        }
        Ok(digests)
    }

    /// How many times the digests were thinned to fit the budget.
    pub fn thinnings(&self) -> u32 {
        self.thinnings
    }
}

fn check(digest: &Digest, count: u64) -> Result<(), String> {
    digest.validate()?;
    if digest.count != count {
        return Err(format!(
            "it summarises {} values, the record counted {count}",
            digest.count
        ));
    }
    Ok(())
}

fn thin(digest: Digest) -> Digest {
    let mut thinner = digest.thinned().unwrap_or(digest);
    thinner.q.shrink_to_fit();
    thinner
}

fn held_points(slot: &Slot) -> usize {
    match slot {
        Slot::Held(digest) => digest.q.len(),
        Slot::None | Slot::Bad(_) => 0,
    }
}

/// A digest that owns no memory, to stand in while one is replaced.
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
        let mut store = DigestStore::with_budget(1000);
        for at in 0..4 {
            store.set(at, Some(digest_of(1000, at as f64)), "f", 1000);
        }
        assert_eq!(store.thinnings(), 0);
        assert_eq!(store.points, 4 * 201);
        store.set(4, Some(digest_of(1000, 4.0)), "f", 1000);
        assert_eq!(store.thinnings(), 1);
        let digests = store.digests().unwrap();
        assert_eq!(digests.len(), 5);
        for digest in &digests {
            assert_eq!(digest.q.len(), 101);
            digest.validate().unwrap();
            assert!(digest.rank_err > digest_of(1000, 0.0).rank_err);
        }
        // Later digests are thinned as much as the others.
        store.set(5, Some(digest_of(1000, 5.0)), "f", 1000);
        assert_eq!(store.digests().unwrap()[5].q.len(), 101);
    }

    #[test]
    fn a_replaced_entry_gives_back_its_points_and_bad_digests_are_named() {
        let mut store = DigestStore::new();
        store.set(0, Some(digest_of(1000, 0.0)), "a", 1000);
        store.set(0, None, "a", 1000);
        assert_eq!(store.points, 0);
        assert!(store.digests().unwrap().is_empty());
        store.set(1, Some(digest_of(1000, 0.0)), "b", 999);
        let err = store.digests().unwrap_err();
        assert!(err.starts_with("b: bad digest: "), "{err}");
        let mut unsorted = digest_of(10, 0.0);
        unsorted.q.swap(0, 9);
        store.set(1, Some(unsorted), "b", 10);
        assert!(store.digests().unwrap_err().contains("not sorted"));
    }
}
