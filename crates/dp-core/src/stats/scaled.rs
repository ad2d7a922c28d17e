//! The overflow path: the sum of `1e308 1e308` and the squares of
//! `1e200 -1e200` overflow f64 although the mean of the first (1e308) and
//! the standard deviation of the second (2.8e200) do not. Such files are
//! summed on their values scaled down by a power of two, which is exact,
//! and each statistic is scaled back up where it is representable. Only
//! files whose plain computation could overflow take this path, so every
//! other file's statistics are the plain computation's, bit for bit.

/// Multiplication by 2^−k, k chosen from the largest |value|: scaled, the
/// values lie within ±4, so n of them, or of their squared deviations, sum
/// to no more than 64·n.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Scale {
    /// k ≥ 0: a value x is taken as x·2^−k.
    exponent: i32,
    /// 2^−k, a normal float (k ≤ 1022).
    factor: f64,
}

impl Scale {
    /// The scale that brings `magnitude` (finite) into [2, 4); none (k = 0)
    /// for magnitudes below 4.
    pub(super) fn for_magnitude(magnitude: f64) -> Self {
        let biased = ((magnitude.to_bits() >> 52) & 0x7ff) as i32;
        // magnitude is in [2^(biased − 1023), 2^(biased − 1022)).
        let exponent = (biased - 1024).max(0);
        Self {
            exponent,
            factor: power_of_two(-exponent),
        }
    }

    /// `x`·2^−k: exact unless the result is subnormal, which only values
    /// some 2^1000 times smaller than the largest are, and what they lose
    /// is far below the rounding of any statistic.
    #[inline(always)]
    pub(super) fn down(self, x: f64) -> f64 {
        x * self.factor
    }

    /// `x`·2^(k·degree): a statistic of the scaled values back at the
    /// values' scale (degree 1 for a sum or a mean, 2 for a sum of
    /// squares); exact, or ±∞ where the result exceeds f64's range.
    pub(super) fn up(self, mut x: f64, degree: i32) -> f64 {
        let mut k = self.exponent * degree;
        while k > 0 {
            let step = k.min(1023);
            x *= power_of_two(step);
            k -= step;
        }
        x
    }
}

/// 2^k for k in −1022..=1023: a normal float, built from its exponent bits.
fn power_of_two(k: i32) -> f64 {
    debug_assert!((-1022..=1023).contains(&k), "2^{k} is not a normal float");
    f64::from_bits(((k + 1023) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_two_are_built_exactly() {
        assert_eq!(power_of_two(0), 1.0);
        assert_eq!(power_of_two(10), 1024.0);
        assert_eq!(power_of_two(-1), 0.5);
        assert_eq!(power_of_two(1023), 2f64.powi(1023));
        assert_eq!(power_of_two(-1022), f64::MIN_POSITIVE);
    }

    #[test]
    fn the_largest_value_scales_into_two_to_four_and_back_exactly() {
        for magnitude in [4.0, 5.5, 1e10, 1e154, 1e200, 1e308, f64::MAX] {
            let scale = Scale::for_magnitude(magnitude);
            let scaled = scale.down(magnitude);
            assert!((2.0..4.0).contains(&scaled), "{magnitude:e} → {scaled}");
            assert_eq!(scale.up(scaled, 1), magnitude);
            assert_eq!(scale.up(-scaled, 1), -magnitude);
        }
        for small in [0.0, 1e-300, 1.0, 3.9] {
            assert_eq!(Scale::for_magnitude(small).exponent, 0, "{small}");
        }
    }

    #[test]
    fn squares_scale_back_beyond_the_factor_s_own_range() {
        let scale = Scale::for_magnitude(1e200);
        let x = scale.down(1e153);
        // (1e153)² = 1e306 is representable; (1e200)² is not.
        let square = scale.up(x * x, 2);
        assert!((square / 1e306 - 1.0).abs() < 1e-15, "{square:e}");
        let big = scale.down(1e200);
        assert_eq!(scale.up(big * big, 2), f64::INFINITY);
    }
}
