//! The merge's events put nearly in order of their sort keys: in order of
//! a prefix of the key, ties in the order of their tags.
//!
//! The merge sweeps a slice of about 8192 events at a time (`merge.rs`).
//! Sorting 16-byte (key, tag) pairs a byte at a time took 8 passes; here
//! the pairs are 8 bytes, (the top bits of the key's distance from the
//! smallest key, about four prefixes an event, tag), sorted by those bits
//! in a pass a byte, two for a slice. Events whose prefixes tie come out as
//! a *run*, which the sweep puts in order by whole key as it reads their
//! keys anyway (a run whose keys differ is rare; one of equal keys, a value
//! in many digests, is already in order).

/// Events as (key prefix, tag), in order of prefix once
/// [`Events::sort`] has run.
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

    /// Puts the events whose keys are `keys`, tagged 0, 1, … in that order,
    /// in order of their prefixes.
    pub(super) fn sort(&mut self, keys: impl ExactSizeIterator<Item = u64> + Clone) {
        let (low, high) = keys.clone().fold((u64::MAX, 0), |(low, high), key| {
            (low.min(key), high.max(key))
        });
        // The prefix keeps the top bits in which keys differ: about four
        // prefixes an event, so that runs are short, and at most 32.
        let bits = (usize::BITS - keys.len().leading_zeros() + 2).clamp(8, 32);
        let width = u64::BITS - high.saturating_sub(low).leading_zeros();
        let shift = width.saturating_sub(bits);
        self.order.clear();
        self.order.extend(
            keys.zip(0..)
                .map(|(key, tag)| (((key - low) >> shift) as u32, tag)),
        );
        // Only the bytes a prefix can have.
        self.radix_sort((width - shift).div_ceil(8) as usize);
    }

    /// A stable LSD radix sort by the low `bytes` bytes of the prefix, a
    /// byte at a time, skipping those every prefix shares.
    fn radix_sort(&mut self, bytes: usize) {
        let mut counts = [[0u32; 256]; 4];
        for &(prefix, _) in &self.order {
            for (byte, count) in counts[..bytes].iter_mut().enumerate() {
                count[(prefix >> (8 * byte)) as usize & 0xFF] += 1;
            }
        }
        let len = self.order.len();
        self.spare.resize(len, (0, 0));
        for (byte, count) in counts[..bytes].iter().enumerate() {
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
                events.sort(keys.iter().copied());
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
