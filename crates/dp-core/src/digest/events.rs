//! The merge's events put nearly in order of their sort keys: in order of
//! a prefix of the key, ties in the order of their tags.
//!
//! A fold of 1000 digests is 400,000 events, and dp-agg folds a million
//! records a thousand times, so this sort was most of its time. Sorting
//! 16-byte (key, tag) pairs a byte at a time took 8 passes over 6.4 MB; here
//! the pairs are 8 bytes, (the top 32 bits of the key's distance from the
//! smallest key, tag), sorted in 4 passes by those bits. Events whose
//! prefixes tie come out as a *run*, which the sweep puts in order by whole
//! key as it reads their keys anyway (a run whose keys differ is rare; one
//! of equal keys, a value in many digests, is already in order): on a fold
//! of distinct files, about 1.5 times faster in all
//! (`examples/merge_throughput.rs`).

/// Events as (key prefix, tag), in order of prefix once [`Filling::sort`]
/// has run.
#[derive(Default)]
pub(super) struct Events {
    order: Vec<(u32, u32)>,
    spare: Vec<(u32, u32)>,
}

impl Events {
    /// The runs of tags whose keys share a prefix, in order of prefix; a
    /// run's tags ascend. Putting each run in order of (key, tag) gives the
    /// order of a stable sort by key.
    pub(super) fn runs(&self) -> impl Iterator<Item = &[(u32, u32)]> {
        self.order.chunk_by(|a, b| a.0 == b.0)
    }

    /// Starts taking in events whose keys lie in `low..=high`; push them in
    /// the order of their tags, then [`Filling::sort`].
    pub(super) fn start(&mut self, low: u64, high: u64) -> Filling<'_> {
        // The prefix keeps the top 32 of the bits in which keys differ.
        let shift = (u64::BITS - high.saturating_sub(low).leading_zeros()).saturating_sub(32);
        self.order.clear();
        Filling {
            events: self,
            low,
            shift,
            counts: [[0; 256]; 4],
        }
    }

    /// A stable LSD radix sort by prefix, a byte at a time, skipping the
    /// bytes every prefix shares.
    fn radix_sort(&mut self, counts: &[[u32; 256]; 4]) {
        let len = self.order.len();
        self.spare.resize(len, (0, 0));
        for (byte, count) in counts.iter().enumerate() {
            if count.iter().any(|&n| n as usize == len) {
                continue;
            }
            let mut next = [0u32; 256];
            let mut at = 0;
            for (slot, &n) in next.iter_mut().zip(count) {
                *slot = at;
                at += n;
            }
            for &event in &self.order {
                let slot = &mut next[(event.0 >> (8 * byte)) as usize & 0xFF];
                self.spare[*slot as usize] = event;
                *slot += 1;
            }
            std::mem::swap(&mut self.order, &mut self.spare);
        }
    }
}

/// [`Events`] being filled: each event's prefix, and the counts of its
/// bytes for the radix sort.
pub(super) struct Filling<'a> {
    events: &'a mut Events,
    low: u64,
    shift: u32,
    counts: [[u32; 256]; 4],
}

impl Filling<'_> {
    /// Takes in the event `tag` at `key`.
    pub(super) fn push(&mut self, key: u64, tag: u32) {
        let prefix = ((key - self.low) >> self.shift) as u32;
        for (byte, count) in self.counts.iter_mut().enumerate() {
            count[(prefix >> (8 * byte)) as usize & 0xFF] += 1;
        }
        self.events.order.push((prefix, tag));
    }

    /// Puts the events in order of prefix, ties in the order pushed.
    pub(super) fn sort(self) {
        self.events.radix_sort(&self.counts);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::float::sort_key;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn runs_put_in_order_give_the_order_of_a_stable_sort_by_key() {
        let mut rng = ChaCha8Rng::seed_from_u64(13);
        let specials = [0.0, -0.0, 1.0, -1.0, f64::MAX, -f64::MAX, 5e-324, -5e-324];
        let mut events = Events::default();
        for size in [0, 1, 2, 255, 256, 257, 5000, 70_000] {
            for spread in 0..4 {
                let keys: Vec<u64> = (0..size)
                    .map(|_| {
                        let x = match spread {
                            // Every kind of float.
                            0 => match rng.random_range(0..3) {
                                0 => specials[rng.random_range(0..specials.len())],
                                1 => rng.random_range(-10..10) as f64,
                                _ => Some(f64::from_bits(rng.random::<u64>()))
                                    .filter(|x| x.is_finite())
                                    .unwrap_or(0.5),
                            },
                            // Keys within 2^32 of each other: no ties to put right.
                            1 => 1.0 + rng.random_range(0..1000) as f64 * f64::EPSILON,
                            // Prefixes that tie in long runs, keys that do not.
                            2 => 1.0 + rng.random_range(0.0..1e-6),
                            // A few values over and over, and one far off.
                            _ => [3.5, 7.25, 1e300][rng.random_range(0..3)],
                        };
                        sort_key(x)
                    })
                    .collect();
                let tags = 0..size as u32;
                let key = |tag: u32| keys[tag as usize];
                // Reused, as a merger reuses it.
                let low = keys.iter().min().copied().unwrap_or(0);
                let mut filling = events.start(low, keys.iter().max().copied().unwrap_or(0));
                for tag in tags.clone() {
                    filling.push(key(tag), tag);
                }
                filling.sort();
                let mut stable: Vec<u32> = tags.collect();
                stable.sort_by_key(|&tag| key(tag));
                let sorted: Vec<u32> = events
                    .runs()
                    .flat_map(|run| {
                        assert!(run.is_sorted_by_key(|&(_, tag)| tag));
                        let mut run: Vec<(u64, u32)> =
                            run.iter().map(|&(_, tag)| (key(tag), tag)).collect();
                        run.sort_unstable();
                        run.into_iter().map(|(_, tag)| tag)
                    })
                    .collect();
                assert_eq!(sorted, stable, "{size} events, spread {spread}");
            }
        }
    }
}
