//! The numbers of a `stats` record read by hand, each exactly as serde_json
//! (correctly rounding, `float_roundtrip`) reads it, or not at all.

use dp_core::parse::parse_value;

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
    if let Some(value) = short_decimal(token) {
        return Some(value);
    }
    if !plain_json_decimal(token) {
        return None;
    }
    let value = parse_value(token)?;
    if value == 0.0 && token.iter().any(|&byte| matches!(byte, b'1'..=b'9')) {
        return None;
    }
    Some(value)
}

/// The numbers of a JSON array's inside, if each is a [`decimal`].
pub(super) fn points(inside: &[u8]) -> Option<Vec<f64>> {
    // Exactly as many as there are, so that the digest is kept as it is.
    let mut points = Vec::with_capacity(memchr::memchr_iter(b',', inside).count() + 1);
    let inside = trim_json(inside);
    if inside.is_empty() {
        return Some(points);
    }
    for token in inside.split(|&byte| byte == b',') {
        points.push(decimal(trim_json(token))?);
    }
    Some(points)
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

/// Powers of ten exact in an `f64`.
const POWERS: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The commonest number, `-?(0|[1-9][0-9]*)\.[0-9]+` of at most 15 digits
/// (every `%.6f` value under 10^9), in one pass: its digits are an exact
/// integer below 2^53 and the power of ten exact, so one division rounds
/// correctly (Clinger), as serde_json and [`parse_value`] do. `None` for
/// anything else, which takes the general path.
fn short_decimal(token: &[u8]) -> Option<f64> {
    let negative = token.first() == Some(&b'-');
    let mut at = usize::from(negative);
    let mut mantissa: u64 = 0;
    let whole_start = at;
    while let Some(&byte) = token.get(at).filter(|byte| byte.is_ascii_digit()) {
        mantissa = mantissa * 10 + u64::from(byte - b'0');
        at += 1;
        if at - whole_start > 15 {
            return None;
        }
    }
    let whole = at - whole_start;
    if whole == 0 || (whole > 1 && token[whole_start] == b'0') || token.get(at) != Some(&b'.') {
        return None;
    }
    at += 1;
    let fraction_start = at;
    while let Some(&byte) = token.get(at).filter(|byte| byte.is_ascii_digit()) {
        mantissa = mantissa * 10 + u64::from(byte - b'0');
        at += 1;
        if whole + at - fraction_start > 15 {
            return None;
        }
    }
    let fraction = at - fraction_start;
    if fraction == 0 || at != token.len() {
        return None;
    }
    let value = mantissa as f64 / POWERS[fraction];
    Some(if negative { -value } else { value })
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
            "123456789.123456",
            "-0.0",
        ] {
            let short = short_decimal(token.as_bytes()).unwrap();
            assert_eq!(
                short.to_bits(),
                token.parse::<f64>().unwrap().to_bits(),
                "{token}"
            );
        }
        for token in [
            "1234567890.1234567",
            " 0.5",
            "0.5 ",
            "01.5",
            "5",
            "1.5e3",
            "-",
        ] {
            assert_eq!(short_decimal(token.as_bytes()), None, "{token}");
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
