//! One value: the grammar of a decimal number and its correctly rounded
//! conversion.
//!
//! A token of at most 19 digits whose mantissa is below 2^53 and whose
//! exponent is within ±22 (every `%.6f` value under 10^9) takes Clinger's
//! fast path: an exact mantissa and an exact power of ten give a correctly
//! rounded result with one multiplication or division. Every other valid
//! token goes to std's correctly rounded parser. The text reader tries a
//! shorter path first, [`scan_short`], for the commonest tokens of all
//! (up to 7 digits either side of the point, no exponent): it read 10
//! million `%.6f` values in ~35% less CPU time than the general scan.

use std::fmt::Write as _;

use super::text::is_blank;

/// Parses one token as a finite decimal number (`12`, `-3.5`, `+4`, `.5`,
/// `5.`, `1e-3`); `None` for anything else (`nan`, `inf`, hex, `1,000`, `1e400`).
///
/// The grammar is `[+-]? (digits | digits '.' digits? | '.' digits)
/// ([eE] [+-]? digits)?`, the whole token and nothing else. The result is
/// correctly rounded, bit for bit what `str::parse::<f64>` gives. A value too
/// large for `f64` is refused; one too small to represent rounds to zero
/// (`1e-400` is 0), as it would when printed with any fixed precision.
pub fn parse_value(token: &[u8]) -> Option<f64> {
    match scan_number(token) {
        (used, Some(number)) if used == token.len() => number.value(token),
        _ => None,
    }
}

/// A token that matched the grammar, taken apart.
pub(super) struct Number {
    negative: bool,
    /// The digits as an integer, exact when `digits` ≤ 19 (10^19 < 2^64).
    mantissa: u64,
    /// Digits before and after the point, leading zeros included.
    digits: usize,
    /// The exponent of `mantissa`: the written one less the fraction digits.
    exponent: i64,
    /// The exponent as written after `e` (saturated).
    written: i64,
    /// Where the sign ends and where the exponent begins in the token.
    digits_start: usize,
    digits_end: usize,
}

/// Follows the grammar from the start of `bytes` as far as it goes: returns
/// where it stopped and, if what it read is a whole number, that number.
/// The token is valid if it stopped at its end.
#[inline(always)]
pub(super) fn scan_number(bytes: &[u8]) -> (usize, Option<Number>) {
    let len = bytes.len();
    // Without branches: signs come in random order in real data.
    let first = bytes.first().copied().unwrap_or(0);
    let negative = first == b'-';
    let digits_start = usize::from(negative || first == b'+');
    let (mut i, mut mantissa) = scan_digits(bytes, digits_start, 0);
    let mut digits = i - digits_start;
    let mut fraction_digits = 0;
    if i < len && bytes[i] == b'.' {
        let fraction_start = i + 1;
        (i, mantissa) = scan_digits(bytes, fraction_start, mantissa);
        fraction_digits = i - fraction_start;
        digits += fraction_digits;
    }
    if digits == 0 {
        return (i, None);
    }
    let digits_end = i;
    let mut written: i64 = 0;
    if i < len && bytes[i] | 0x20 == b'e' {
        i += 1;
        let exponent_negative = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let exponent_start = i;
        while i < len && bytes[i].is_ascii_digit() {
            // Saturating far beyond any token's length keeps the sign of
            // the total exponent right.
            if written < EXPONENT_SATURATION {
                written = written * 10 + i64::from(bytes[i] - b'0');
            }
            i += 1;
        }
        if i == exponent_start {
            return (i, None);
        }
        if exponent_negative {
            written = -written;
        }
    }
    let number = Number {
        negative,
        mantissa,
        digits,
        exponent: written.saturating_sub(fraction_digits as i64),
        written,
        digits_start,
        digits_end,
    };
    (i, Some(number))
}

/// The common short token at `at` in `text`: `[+-]? D{0,7} ('.' D{0,7})?`
/// with a digit somewhere and a blank after it (every `%.6f` value below
/// 10^7). Returns its value, where it ends and whether the blank there is
/// a line end; `None` for any other token and for any token within
/// [`SHORT_WINDOW`] bytes of the end of `text`, which [`scan_number`] then
/// reads.
///
/// The grammar and the rounding are [`parse_value`]'s, in fewer steps: one
/// eight-byte word holds the integer digits and one the fraction digits,
/// joined into one word when they are 8 or fewer (every `%.6f` value below
/// 100), so that one SWAR conversion reads them all; the mantissa (at most
/// 14 digits) and 10^(fraction digits) are exact, so one division rounds
/// correctly (Clinger); and no [`Number`] is built.
#[inline(always)]
pub(super) fn scan_short(text: &[u8], at: usize) -> Option<(f64, usize, bool)> {
    let window: &[u8; SHORT_WINDOW] = text.get(at..at + SHORT_WINDOW)?.try_into().ok()?;
    let first = window[0];
    let negative = first == b'-';
    let integer_start = usize::from(negative || first == b'+');
    let integer = digit_values(&window[integer_start..]);
    let integer_digits = digit_count(integer) as usize;
    if integer_digits == 8 {
        return None;
    }
    let mut end = integer_start + integer_digits;
    let mut fraction_digits = 0;
    let mantissa = if window[end] == b'.' {
        let fraction = digit_values(&window[end + 1..]);
        fraction_digits = digit_count(fraction) as usize;
        if fraction_digits == 8 {
            return None;
        }
        let digits = integer_digits + fraction_digits;
        end += 1 + fraction_digits;
        if digits <= 8 {
            // The integer digits, then the fraction's (the bytes past them,
            // not digits, are shifted out when the word is read).
            let integer = integer & ((1 << (8 * integer_digits)) - 1);
            read_digits(integer | fraction << (8 * integer_digits), digits)
        } else {
            read_digits(integer, integer_digits) * POWERS_OF_TEN_U64[fraction_digits]
                + read_digits(fraction, fraction_digits)
        }
    } else {
        read_digits(integer, integer_digits)
    };
    let next = window[end];
    if integer_digits + fraction_digits == 0 || !is_blank(next) {
        return None;
    }
    // Below 10^14, so exact as a signed integer too: one instruction to
    // convert, where an unsigned one takes four without AVX-512.
    let magnitude = mantissa as i64 as f64 / POWERS_OF_TEN[fraction_digits];
    // The sign by its bit, not a branch: signs come in random order.
    let value = f64::from_bits(magnitude.to_bits() | (u64::from(negative) << 63));
    Some((value, at + end, next == b'\n'))
}

/// The first eight bytes of `bytes` (at least eight) less `'0'` each: the
/// values of the digits among them ([`digit_count`] says how many lead).
#[inline(always)]
fn digit_values(bytes: &[u8]) -> u64 {
    let word = bytes.first_chunk::<8>().expect("eight bytes");
    u64::from_le_bytes(*word).wrapping_sub(0x3030_3030_3030_3030)
}

/// The number the first `count` (at most 8) digit values of `digits` (as
/// [`digit_values`] gives them) write; 0 for none.
#[inline(always)]
fn read_digits(digits: u64, count: usize) -> u64 {
    if count == 0 {
        return 0;
    }
    // Keep them as the high bytes: the zero low bytes read as leading zeros.
    eight_digits(digits << (64 - 8 * count as u32))
}

/// The bytes [`scan_short`] reads: a sign, 7 digits, a point and a word
/// (the fraction digits and the blank after them).
const SHORT_WINDOW: usize = 1 + 7 + 1 + 8;

/// The ASCII digits `bytes` starts with, at most eight, as a number, and
/// how many they are: read as one word (SWAR, as simdjson and fast_float
/// read them), for a chain of multiplications digit by digit takes most of
/// a parser's time. Fewer than eight bytes are read as if what followed
/// were no digit. dp-agg reads its records' numbers with it too.
#[inline(always)]
pub fn leading_digits(bytes: &[u8]) -> (u64, usize) {
    let word = match bytes.first_chunk::<8>() {
        Some(word) => *word,
        None => {
            let mut word = [0u8; 8];
            word[..bytes.len()].copy_from_slice(bytes);
            word
        }
    };
    let digits = u64::from_le_bytes(word).wrapping_sub(0x3030_3030_3030_3030);
    let count = digit_count(digits) as usize;
    (read_digits(digits, count), count)
}

/// How many of the eight bytes of `digits` (the word less `'0'` in every
/// byte), from the lowest, were digits before the first that is not.
#[inline(always)]
fn digit_count(digits: u64) -> u32 {
    // A byte's top bit is set where it is not a digit: below '0' it
    // wrapped, above '9' adding 0x76 reaches 0x80. Borrows and carries
    // only run towards later bytes, past the first non-digit.
    let non_digits = (digits | digits.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080;
    non_digits.trailing_zeros() / 8
}

/// Reads the digits from `i` on into `mantissa`; returns where they end.
/// Past 19 digits the mantissa wraps: it is then not used.
///
/// Eight bytes at a time where the input allows (SWAR, as in Lemire's
/// fast_float): finding where the digits end and converting them takes a
/// few arithmetic operations and no branch per digit, which matters because
/// the lengths of real numbers vary and would make that branch mispredict.
#[inline(always)]
fn scan_digits(bytes: &[u8], mut i: usize, mut mantissa: u64) -> (usize, u64) {
    while let Some(&word) = bytes.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        let digits = u64::from_le_bytes(word).wrapping_sub(0x3030_3030_3030_3030);
        let count = digit_count(digits) as usize;
        if count == 0 {
            return (i, mantissa);
        }
        // Keep the `count` leading digits, as the high bytes: the zero low
        // bytes then read as leading zeros.
        let value = eight_digits(digits << (64 - 8 * count as u32));
        mantissa = mantissa
            .wrapping_mul(POWERS_OF_TEN_U64[count])
            .wrapping_add(value);
        i += count;
        if count < 8 {
            return (i, mantissa);
        }
    }
    while let Some(&byte) = bytes.get(i) {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            break;
        }
        mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
        i += 1;
    }
    (i, mantissa)
}

/// The number written by eight digit values 0..=9, one a byte, the first
/// in the lowest byte.
#[inline(always)]
fn eight_digits(digits: u64) -> u64 {
    const LOW_BYTES: u64 = 0x0000_00FF_0000_00FF;
    const TIMES_100_AND_1E6: u64 = 100 + (1_000_000 << 32);
    const TIMES_1_AND_1E4: u64 = 1 + (10_000 << 32);
    // Pairs of digits: each 16-bit lane's low byte becomes 10 × it + next.
    let pairs = digits.wrapping_mul(10).wrapping_add(digits >> 8);
    let high = (pairs & LOW_BYTES).wrapping_mul(TIMES_100_AND_1E6);
    let low = ((pairs >> 16) & LOW_BYTES).wrapping_mul(TIMES_1_AND_1E4);
    u64::from((high.wrapping_add(low) >> 32) as u32)
}

/// 10^0 to 10^19, every power of ten within `u64`.
pub const POWERS_OF_TEN_U64: [u64; 20] = {
    let mut powers = [1; 20];
    let mut at = 1;
    while at < 20 {
        powers[at] = powers[at - 1] * 10;
        at += 1;
    }
    powers
};

impl Number {
    /// The value of `token`, the text this number was scanned from.
    #[inline(always)]
    pub(super) fn value(&self, token: &[u8]) -> Option<f64> {
        let magnitude = if let Some(magnitude) = self.fast_value() {
            magnitude
        } else if self.written.abs() < STD_EXPONENT_LIMIT {
            // The grammar is ASCII and std's, so std's parser accepts the token.
            let value: f64 = std::str::from_utf8(token).ok()?.parse().ok()?;
            return value.is_finite().then_some(value);
        } else {
            parse_far_exponent(&token[self.digits_start..self.digits_end], self.written)?
        };
        Some(if self.negative { -magnitude } else { magnitude })
    }

    /// The correctly rounded magnitude where Clinger's fast path applies:
    /// an exact mantissa times or divided by an exact power of ten is one
    /// correctly rounded IEEE operation.
    #[inline(always)]
    fn fast_value(&self) -> Option<f64> {
        if self.digits > 19 {
            return None;
        }
        if self.mantissa == 0 {
            return Some(0.0);
        }
        if self.mantissa > MAX_EXACT_MANTISSA || !(-22..=22).contains(&self.exponent) {
            return None;
        }
        let magnitude = self.mantissa as f64;
        let power = POWERS_OF_TEN[self.exponent.unsigned_abs() as usize];
        Some(if self.exponent < 0 {
            magnitude / power
        } else {
            magnitude * power
        })
    }
}

/// Where the written exponent stops growing: far more than any token's
/// length, far less than `i64::MAX`.
const EXPONENT_SATURATION: i64 = 1 << 56;

/// std's parser saturates a written exponent near this (0x10000), which is
/// wrong only when tens of thousands of digits make up for it
/// (`0.000…0005e100000`).
const STD_EXPONENT_LIMIT: i64 = 0x10000;

/// Significant digits std's parser needs: its decimal slow path keeps 768,
/// enough for every halfway point between doubles.
const MAX_SIGNIFICANT_DIGITS: usize = 800;

/// The magnitude of `digits` (with an optional `.`) × 10^`exponent`, for
/// exponents std's parser would saturate: rewritten as `0.DDDe±P` with the
/// leading zeros gone and the exponent folded in, which std reads
/// correctly rounded. Beyond 800 significant digits only whether any
/// is nonzero matters (a sticky digit).
fn parse_far_exponent(digits: &[u8], exponent: i64) -> Option<f64> {
    let integer_digits = digits.iter().take_while(|b| b.is_ascii_digit()).count() as i64;
    let mut significant = digits.iter().copied().filter(u8::is_ascii_digit);
    let mut leading_zeros = 0;
    let first = loop {
        match significant.next() {
            Some(b'0') => leading_zeros += 1,
            Some(digit) => break digit,
            None => return Some(0.0),
        }
    };
    let point = integer_digits - leading_zeros + exponent;
    if point > 310 {
        return None; // at least 1e309
    }
    if point < -330 {
        return Some(0.0); // below half the smallest subnormal
    }
    let mut canonical = String::with_capacity(MAX_SIGNIFICANT_DIGITS + 16);
    canonical.push_str("0.");
    canonical.push(char::from(first));
    let mut sticky = false;
    for digit in significant {
        if canonical.len() < MAX_SIGNIFICANT_DIGITS {
            canonical.push(char::from(digit));
        } else {
            sticky |= digit != b'0';
        }
    }
    if sticky {
        canonical.push('1');
    }
    let _ = write!(canonical, "e{point}");
    let value: f64 = canonical.parse().ok()?;
    value.is_finite().then_some(value)
}

/// Every integer up to 2^53 is exact in an `f64`.
const MAX_EXACT_MANTISSA: u64 = 1 << 53;

/// Powers of ten exact in an `f64` (5^22 < 2^53).
pub const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];
