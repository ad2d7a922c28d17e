//! The text reader of data files against a plain reference: split at C's
//! white space, each token through the number parser (fuzz/number checks
//! that parser against std). Same values bit for bit, same count of invalid
//! tokens, and binary data (a NUL, a token not UTF-8) named at its line.
#![no_main]

use dp_core::parse::{ReadError, parse_value, read_values};
use libfuzzer_sys::fuzz_target;

/// What `read_values(text, _, true)` should give: the values' bits and the
/// count of invalid tokens, or the line of the first sign of binary data (a
/// NUL anywhere, else the first invalid token that is not UTF-8).
fn reference(text: &[u8]) -> Result<(Vec<u64>, u64), u64> {
    let line_of = |at: usize| 1 + text[..at].iter().filter(|&&b| b == b'\n').count() as u64;
    if let Some(nul) = text.iter().position(|&b| b == 0) {
        return Err(line_of(nul));
    }
    let start = if text.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let (mut values, mut invalid) = (Vec::new(), 0);
    let mut at = start;
    while at < text.len() {
        if blank(text[at]) {
            at += 1;
            continue;
        }
        let end = text[at..].iter().position(|&b| blank(b)).map_or(text.len(), |n| at + n);
        let token = &text[at..end];
        match parse_value(token) {
            Some(value) => values.push(value.to_bits()),
            None if std::str::from_utf8(token).is_err() => return Err(line_of(at)),
            None => invalid += 1,
        }
        at = end;
    }
    Ok((values, invalid))
}

fuzz_target!(|text: &[u8]| {
    let mut values = Vec::new();
    let read = read_values(text, &mut values, true);
    match (read, reference(text)) {
        (Ok(invalid), Ok((expected, expected_invalid))) => {
            let got: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, expected, "values of {text:?}");
            assert_eq!(invalid, expected_invalid, "invalid tokens of {text:?}");
        }
        (Err(ReadError::Binary { line }), Err(expected)) => {
            assert_eq!(line, expected, "line of the binary data in {text:?}")
        }
        (got, expected) => panic!("{text:?}: read {got:?}, expected {expected:?}"),
    }
});
