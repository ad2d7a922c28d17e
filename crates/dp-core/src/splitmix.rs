//! SplitMix64 (Steele, Lea and Flood, 2014): a tiny seeded generator, for
//! the places that need reproducible bits but not statistical quality
//! (dp-gen's seed expansion, the digest search's pivots, dp-stats' spinning
//! work, test and benchmark data). Written once: its constants are part of
//! dp-gen's data format, so they must never drift between copies.

/// The generator's state; every [`next_u64`](SplitMix64::next_u64) advances it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// A float uniform in [0, 1), from the top 53 bits.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A number below `n` (n > 0), by modulo: fine for tests and pivots.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// SplitMix64's finalizer: a bijection of 64-bit words that mixes every bit.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_sequence() {
        // The first outputs of seed 0 in the authors' reference code.
        let mut random = SplitMix64(0);
        assert_eq!(random.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(random.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert!((0.0..1.0).contains(&SplitMix64(7).next_f64()));
    }
}
