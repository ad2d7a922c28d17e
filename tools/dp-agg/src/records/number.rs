//! The numbers of a `stats` record read by hand, each exactly as serde_json
//! (correctly rounding, `float_roundtrip`) reads it, or not at all.

use dp_core::parse::{POWERS_OF_TEN, POWERS_OF_TEN_U64, leading_digits, parse_value};

/// A count, a pid or a version: `0|[1-9][0-9]*` within `u64`. serde_json
/// reads the same; anything else (a sign, a point, too large) is `None`.
pub(super) fn unsigned(token: &[u8]) -> Option<u64> {
    if token.is_empty() || (token.len() > 1 && token[0] == b'0') {
        return None;
    }
    token.iter().try_fold(0u64, |value, &byte| {
        let digit = byte.checked_sub(b'0').filter(|&digit| digit < 10)?;
        value.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// A JSON number that is not an integer (serde_json reads those as
/// integers first), if [`parse_value`] reads it as serde_json does: with a
/// point or an exponent, within `f64`'s range and not rounded to zero.
pub(super) fn decimal(token: &[u8]) -> Option<f64> {
    match short_decimal(token) {
        Some((value, used)) if used == token.len() => Some(value),
        _ => general_decimal(token),
    }
}

fn general_decimal(token: &[u8]) -> Option<f64> {
    if !plain_json_decimal(token) {
        return None;
    }
    let value = parse_value(token)?;
    if value == 0.0 && token.iter().any(|&byte| matches!(byte, b'1'..=b'9')) {
        return None;
    }
    Some(value)
}

/// The numbers of a JSON array's inside, if each is a [`decimal`]: each
/// read where it starts, the commonest by [`short_decimal`] without
/// looking for its end first.
pub(super) fn points(inside: &[u8]) -> Option<Vec<f64>> {
    // Exactly as many as there are, so that the digest is kept as it is.
    let mut points = Vec::with_capacity(memchr::memchr_iter(b',', inside).count() + 1);
    if trim_json(inside).is_empty() {
        return Some(points);
    }
    let mut rest = inside;
    loop {
        let (value, used) = match short_decimal(rest) {
            Some((value, used)) if matches!(rest.get(used), None | Some(b',')) => (value, used),
            _ => {
                let end = memchr::memchr(b',', rest).unwrap_or(rest.len());
                (general_decimal(trim_json(&rest[..end]))?, end)
            }
        };
        points.push(value);
        if used == rest.len() {
            return Some(points);
        }
        rest = &rest[used + 1..];
    }
}

/// `bytes` without JSON's whitespace (space, tab, CR, LF) around it: not
/// `trim_ascii`, which also takes the form feed JSON refuses.
fn trim_json(bytes: &[u8]) -> &[u8] {
    let space = |byte: &u8| matches!(byte, b' ' | b'\t' | b'\r' | b'\n');
    let start = bytes
        .iter()
        .position(|byte| !space(byte))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|byte| !space(byte))
        .map_or(start, |at| at + 1);
    &bytes[start..end]
}

/// The commonest number at the start of `bytes`,
/// `-?(0|[1-9][0-9]{0,15})\.[0-9]{1,16}` of at most 19 digits, below 2^53
/// as an integer (every `%.6f` value under 10^9, and a Unix time to the
/// microsecond), and how many bytes it takes. Its digits are an exact
/// integer and the power of ten exact, so one division rounds correctly
/// (Clinger), as serde_json and [`parse_value`] do. `None` for anything
/// else, which takes the general path.
#[inline(always)]
pub(super) fn short_decimal(bytes: &[u8]) -> Option<(f64, usize)> {
    let negative = bytes.first() == Some(&b'-');
    let at = usize::from(negative);
    let (whole, whole_digits) = sixteen_digits(&bytes[at..]);
    if whole_digits == 0 || (whole_digits > 1 && bytes[at] == b'0') {
        return None;
    }
    let point = at + whole_digits;
    if bytes.get(point) != Some(&b'.') {
        return None;
    }
    let (fraction, fraction_digits) = sixteen_digits(&bytes[point + 1..]);
    let end = point + 1 + fraction_digits;
    if fraction_digits == 0
        || bytes.get(end).is_some_and(u8::is_ascii_digit)
        || whole_digits + fraction_digits > 19
    {
        return None;
    }
    let mantissa = whole * POWERS_OF_TEN_U64[fraction_digits] + fraction;
    if mantissa > 1 << 53 {
        return None;
    }
    // Below 2^53, through `i64`: one instruction where `u64` takes several.
    let value = mantissa as i64 as f64 / POWERS_OF_TEN[fraction_digits];
    Some((if negative { -value } else { value }, end))
}

/// The ASCII digits `bytes` starts with, at most 16, as a number, and how
/// many they are.
#[inline(always)]
fn sixteen_digits(bytes: &[u8]) -> (u64, usize) {
    let (high, digits) = leading_digits(bytes);
    if digits < 8 {
        return (high, digits);
    }
    eight_more(high, &bytes[8..])
}

/// Apart, so that the commonest numbers (up to eight digits either side)
/// are not read twice over in the compiler's branch-free code.
#[inline(never)]
fn eight_more(high: u64, bytes: &[u8]) -> (u64, usize) {
    let (low, more) = leading_digits(bytes);
    (high * POWERS_OF_TEN_U64[more] + low, 8 + more)
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` with a point or an
/// exponent: a JSON number that is not an integer.
fn plain_json_decimal(token: &[u8]) -> bool {
    let digits = |from: usize| {
        token[from.min(token.len())..]
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count()
    };
    let mut at = usize::from(token.first() == Some(&b'-'));
    let whole = digits(at);
    if whole == 0 || (whole > 1 && token[at] == b'0') {
        return false;
    }
    at += whole;
    let mut integer = true;
    if token.get(at) == Some(&b'.') {
        let fraction = digits(at + 1);
        if fraction == 0 {
            return false;
        }
        at += 1 + fraction;
        integer = false;
    }
    if matches!(token.get(at), Some(b'e' | b'E')) {
        integer = false;
        at += 1;
        if matches!(token.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let exponent = digits(at);
        if exponent == 0 {
            return false;
        }
        at += exponent;
    }
    !integer && at == token.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_decimals_with_a_point_are_read_here() {
        for good in [
            "0.5", "-0.0", "12.25", "1.5e-7", "3.0E+12", "-10.125", "1e-7", "2E5",
        ] {
            assert!(plain_json_decimal(good.as_bytes()), "{good}");
        }
        for bad in [
            "5", "-0", "01.5", ".5", "5.", "+1.5", "1.5e", "1.5e+", "1e", "1.5x", "", "-", "0x1.8",
        ] {
            assert!(!plain_json_decimal(bad.as_bytes()), "{bad}");
        }
        assert_eq!(
            points(b" 0.5 , -1.25,3.0e2 "),
            Some(vec![0.5, -1.25, 300.0])
        );
        assert_eq!(points(b""), Some(vec![]));
        assert_eq!(points(b"1.0,,2.0"), None);
        assert_eq!(points(b"1.0e400"), None);
        assert_eq!(points(b"1.0e-400"), None);
        // A form feed is not JSON's whitespace.
        assert_eq!(points(b"1.0,\x0c2.0"), None);
        // The short path and the general one agree, bit for bit.
        for token in [
            "0.43367",
            "-52.306945",
            "99.940792",
            "0.1",
            "12345678.12345678",
            "90071992.54740991",
            "1796144544.797837",
            "0.1234567890123456",
            "9007199254740.992",
            "-0.0",
        ] {
            let (short, used) = short_decimal(token.as_bytes()).unwrap();
            assert_eq!(used, token.len());
            assert_eq!(
                short.to_bits(),
                token.parse::<f64>().unwrap().to_bits(),
                "{token}"
            );
        }
        for token in [
            "1234567890.123456789",
            "90071992547409.93",
            "12345678901234567.5",
            "0.12345678901234567",
            " 0.5",
            "01.5",
            "5",
            "5.",
            "-",
        ] {
            assert_eq!(short_decimal(token.as_bytes()), None, "{token}");
        }
        assert_eq!(short_decimal(b"0.5 "), Some((0.5, 3)));
        assert_eq!(short_decimal(b"1.5e3"), Some((1.5, 3)));
    }

    #[test]
    fn decimals_of_every_length_are_std_s() {
        let mut random = dp_core::splitmix::SplitMix64(3);
        for _ in 0..100_000 {
            let mut token = String::new();
            if random.below(2) == 0 {
                token.push('-');
            }
            let digit = |random: &mut dp_core::splitmix::SplitMix64| {
                char::from(b'0' + random.below(10) as u8)
            };
            let whole = 1 + random.below(18);
            token.push(char::from(b'1' + random.below(9) as u8));
            if random.below(4) == 0 {
                token.truncate(token.len() - 1);
                token.push('0');
            } else {
                (1..whole).for_each(|_| token.push(digit(&mut random)));
            }
            token.push('.');
            (0..1 + random.below(18)).for_each(|_| token.push(digit(&mut random)));
            let read = decimal(token.as_bytes()).map(f64::to_bits);
            assert_eq!(
                read,
                Some(token.parse::<f64>().unwrap().to_bits()),
                "{token}"
            );
            let list = format!("{token},{token}");
            assert_eq!(points(list.as_bytes()).map(|p| p.len()), Some(2), "{list}");
        }
    }

    #[test]
    fn only_json_s_plain_unsigned_integers_are_counts() {
        assert_eq!(unsigned(b"0"), Some(0));
        assert_eq!(unsigned(b"18446744073709551615"), Some(u64::MAX));
        for bad in [
            "",
            "01",
            "-0",
            "+1",
            "1.0",
            "1e3",
            "18446744073709551616",
            " 1",
        ] {
            assert_eq!(unsigned(bad.as_bytes()), None, "{bad}");
        }
    }
}
