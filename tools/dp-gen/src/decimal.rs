//! Fixed-decimal formatting of floats, the hot path of dp-gen.
//!
//! `format!("{:.6}")` costs several times more than the rest of generation;
//! scaling to an integer and printing it with `itoa` is exact for every value
//! whose scaled magnitude fits in 2^53, and std's formatter covers the rest.

use std::io::Write;

/// Largest number of decimals: an f64 carries about 17 significant digits,
/// and 10^17 plus a 17-digit fraction still fits in a `u64`.
pub const MAX_DECIMALS: u32 = 17;

/// Below this, a scaled value rounds to an integer that f64 and i64 hold
/// exactly.
const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53

/// Formats floats with a fixed number of decimals: `x` is printed as
/// `round(x · 10^d) / 10^d`, halves rounded away from zero.
///
/// A value that rounds to zero prints without a sign (`0.000000`, never
/// `-0.000000`), so a data file never holds a negative zero.
#[derive(Debug, Clone, Copy)]
pub struct FixedDecimal {
    decimals: u32,
    /// 10^decimals as a float, to scale values.
    scale: f64,
    /// 10^decimals as an integer, to split the scaled value.
    unit: u64,
}

impl FixedDecimal {
    /// A formatter for `decimals` digits after the point (at most
    /// [`MAX_DECIMALS`]; more are clamped).
    pub fn new(decimals: u32) -> Self {
        let decimals = decimals.min(MAX_DECIMALS);
        let unit = 10u64.pow(decimals);
        Self {
            decimals,
            // 10^17 is exact in f64: every power of ten up to 10^22 is.
            scale: unit as f64,
            unit,
        }
    }

    /// Appends `value` to `out`, without a newline.
    #[inline]
    pub fn push(&self, value: f64, out: &mut Vec<u8>) {
        let scaled = (value * self.scale).round();
        if scaled.abs() < EXACT_LIMIT {
            self.push_scaled(scaled as i64, out);
        } else {
            self.push_slow(value, out);
        }
    }

    #[inline]
    fn push_scaled(&self, scaled: i64, out: &mut Vec<u8>) {
        if scaled < 0 {
            out.push(b'-');
        }
        let magnitude = scaled.unsigned_abs();
        let mut digits = itoa::Buffer::new();
        out.extend_from_slice(digits.format(magnitude / self.unit).as_bytes());
        if self.decimals > 0 {
            out.push(b'.');
            // unit + fraction is "1" followed by exactly `decimals` digits,
            // the fraction with its leading zeros: drop the "1".
            let padded = digits.format(self.unit + magnitude % self.unit);
            out.extend_from_slice(&padded.as_bytes()[1..]);
        }
    }

    /// Huge magnitudes (or non-finite values, which valid parameters never
    /// produce): std's formatter, exact but slower.
    #[cold]
    fn push_slow(&self, value: f64, out: &mut Vec<u8>) {
        // Writing to a Vec cannot fail.
        let _ = write!(out, "{:.*}", self.decimals as usize, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(value: f64, decimals: u32) -> String {
        let mut out = Vec::new();
        FixedDecimal::new(decimals).push(value, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn pads_the_fraction_with_zeros() {
        assert_eq!(format(0.0, 6), "0.000000");
        assert_eq!(format(1.5, 6), "1.500000");
        assert_eq!(format(0.000_042, 6), "0.000042");
        assert_eq!(format(12.345_678, 6), "12.345678");
        assert_eq!(format(99.999_999, 6), "99.999999");
        assert_eq!(format(3.25, 2), "3.25");
    }

    #[test]
    fn negative_numbers_keep_their_sign() {
        assert_eq!(format(-1.5, 6), "-1.500000");
        assert_eq!(format(-0.000_042, 6), "-0.000042");
        assert_eq!(format(-123.456, 3), "-123.456");
        assert_eq!(format(-0.5, 0), "-1");
    }

    #[test]
    fn rounding_carries_into_the_integer_part() {
        assert_eq!(format(0.999_999_6, 6), "1.000000");
        assert_eq!(format(-0.999_999_6, 6), "-1.000000");
        assert_eq!(format(9.999_999_5, 6), "10.000000");
        assert_eq!(format(0.999_999_4, 6), "0.999999");
        assert_eq!(format(19.96, 1), "20.0");
    }

    #[test]
    fn values_that_round_to_zero_have_no_sign() {
        assert_eq!(format(-0.000_000_1, 6), "0.000000");
        assert_eq!(format(-0.0, 6), "0.000000");
        assert_eq!(format(-0.4, 0), "0");
    }

    #[test]
    fn zero_decimals_prints_integers_without_a_point() {
        assert_eq!(format(0.0, 0), "0");
        assert_eq!(format(41.5, 0), "42");
        assert_eq!(format(41.49, 0), "41");
        assert_eq!(format(-7.0, 0), "-7");
    }

    #[test]
    fn many_decimals_stay_exact() {
        assert_eq!(format(0.1, 17), "0.10000000000000001");
        assert_eq!(format(1.0 / 3.0, 15), "0.333333333333333");
        assert_eq!(format(-2.5, 17), "-2.50000000000000000");
        assert_eq!(FixedDecimal::new(99).decimals, MAX_DECIMALS);
    }

    #[test]
    fn huge_magnitudes_fall_back_to_the_exact_formatter() {
        assert_eq!(format(1e20, 6), "100000000000000000000.000000");
        assert_eq!(format(-1e300, 0), format!("{:.0}", -1e300));
        assert_eq!(format(123_456_789_012.5, 6), "123456789012.500000");
        // Just either side of the 2^53 switch.
        assert_eq!(format(9_007_199_254.740_99, 6), "9007199254.740990");
        assert_eq!(format(9_007_199_254.740_993, 6), "9007199254.740993");
    }

    #[test]
    fn agrees_with_std_away_from_ties() {
        // std rounds the exact binary value, we round the scaled product:
        // they agree unless the value lies within an ulp or so of a tie.
        let mut state = 0x1234_5678_9abc_def0_u64;
        let mut out = Vec::new();
        for _ in 0..100_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let value = (state >> 11) as f64 / (1u64 << 53) as f64 * 2000.0 - 1000.0;
            for decimals in [0, 3, 6, 9] {
                let scaled = value * 10f64.powi(decimals as i32);
                if (scaled.abs().fract() - 0.5).abs() < 1e-6 {
                    continue;
                }
                out.clear();
                FixedDecimal::new(decimals).push(value, &mut out);
                let std = format!("{:.*}", decimals as usize, value);
                let unsigned_zero = std
                    .trim_start_matches('-')
                    .bytes()
                    .all(|b| b == b'0' || b == b'.');
                let expected = if unsigned_zero {
                    std.trim_start_matches('-')
                } else {
                    &std
                };
                assert_eq!(std::str::from_utf8(&out).unwrap(), expected, "{value:e}");
            }
        }
    }
}
