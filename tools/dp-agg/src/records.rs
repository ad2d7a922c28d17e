//! Parsing a `stats` record with its digest's points read by dp-core's
//! number parser: serde_json's (correctly rounding, `float_roundtrip`) took
//! a fifth of dp-agg's time over 100,000 records of 201 points.
//!
//! The points are read from the line, then cut out of a copy of it (the
//! array left empty) and the rest parsed by serde as always. Anything unusual (the
//! key written otherwise or twice, a point that is an integer, has an
//! exponent too large or small, or breaks JSON's grammar, a record serde
//! refuses) takes the plain path, [`parse_record`], on the line as it was:
//! the same record, or the same error, as before.

use dp_core::io::parse_record;
use dp_core::parse::parse_value;
use dp_core::record::{Record, StatsRecord};
use memchr::memmem;

/// Parses one line as a record ([`parse_record`]), a `stats` record faster.
pub fn parse(line: &[u8]) -> Result<Record, String> {
    if line.starts_with(br#"{"type":"stats","#)
        && let Some(stats) = fast_stats(line)
    {
        return Ok(Record::Stats(stats));
    }
    parse_record(line)
}

const KEY: &[u8] = br#""q":["#;

fn fast_stats(line: &[u8]) -> Option<Box<StatsRecord>> {
    let mut found = memmem::find_iter(line, KEY);
    let start = found.next()? + KEY.len();
    if found.next().is_some() {
        return None;
    }
    let end = start + memchr::memchr(b']', &line[start..])?;
    let points = points(&line[start..end])?;
    let mut cut = Vec::with_capacity(line.len() - (end - start));
    cut.extend_from_slice(&line[..start]);
    cut.extend_from_slice(&line[end..]);
    let mut stats: Box<StatsRecord> = serde_json::from_slice(&cut).ok()?;
    // The points cut out were the digest's, and no others were read.
    if !stats.digest.q.is_empty() {
        return None;
    }
    stats.digest.q = points;
    Some(stats)
}

/// The numbers of a JSON array's inside, if each is one that serde_json
/// and [`parse_value`] read alike: JSON's grammar with a point or an
/// exponent, within `f64`'s range and not rounded to zero.
fn points(inside: &[u8]) -> Option<Vec<f64>> {
    // Exactly as many as there are, so that the digest is kept as it is.
    let mut points = Vec::with_capacity(memchr::memchr_iter(b',', inside).count() + 1);
    let inside = inside.trim_ascii();
    if inside.is_empty() {
        return Some(points);
    }
    for token in inside.split(|&byte| byte == b',') {
        if let Some(value) = short_decimal(token) {
            points.push(value);
            continue;
        }
        let token = token.trim_ascii();
        if !plain_json_decimal(token) {
            return None;
        }
        let value = parse_value(token)?;
        if value == 0.0 && token.iter().any(|&byte| matches!(byte, b'1'..=b'9')) {
            return None;
        }
        points.push(value);
    }
    Some(points)
}

/// Powers of ten exact in an `f64`.
const POWERS: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The commonest point, `-?(0|[1-9][0-9]*)\.[0-9]+` of at most 15 digits
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
/// exponent: a JSON number that is not an integer (serde_json reads those
/// as integers first).
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
    fn records_are_the_plain_parser_s() {
        let stats = r#"{"type":"stats","path":"a.txt","run":null,"count":3,"sum":6.0,"min":1.0,"max":3.0,"mean":2.0,"median":2.0,"q1":1.5,"q3":2.5,"variance":1.0,"stddev":1.0,"started_at":1.0,"finished_at":2.0,"elapsed_s":1.0,"delay_s":0.0,"host":"h","pid":1,"digest":{"kind":"quantiles","version":1,"count":3,"rank_err":0,"q":[1.0, 2.0,3.0]}}"#;
        let variants = [
            stats.to_owned(),
            // Points serde_json reads otherwise, or that are not the digest's.
            stats.replace("[1.0, 2.0,3.0]", "[1, 2.0, 3.0]"),
            stats.replace("[1.0, 2.0,3.0]", "[1.0, 2.0, 3.0e0]"),
            stats.replace(r#""pid":1,"#, r#""pid":1,"q":[7.0],"#),
            stats.replace(r#""q":[1.0, 2.0,3.0]"#, r#""q" : [1.0,2.0,3.0]"#),
            // Broken records: the same error.
            stats.replace("[1.0, 2.0,3.0]", "[1.0, 2.0,]"),
            stats.replace(r#""pid":1,"#, r#""pid":"one","#),
            stats.replace(r#""rank_err":0,"#, ""),
        ];
        // Points that serde_json reads alike take the short path.
        let short: Vec<bool> = variants
            .iter()
            .map(|line| fast_stats(line.as_bytes()).is_some())
            .collect();
        assert_eq!(
            short,
            [true, false, true, false, false, false, false, false]
        );
        for line in variants {
            assert_eq!(
                parse(line.as_bytes()),
                parse_record(line.as_bytes()),
                "{line}"
            );
        }
    }
}
