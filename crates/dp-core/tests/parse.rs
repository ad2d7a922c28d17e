//! Tests of dp-core's number parser against independent references: literal
//! expected values, std's `str::parse::<f64>` and std's own white-space split.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use dp_core::parse::{Column, ReadError, parse_value, read_csv_column, read_values};
use dp_core::splitmix::SplitMix64;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/parse")
        .join(name)
}

fn open(name: &str) -> File {
    File::open(fixture(name)).unwrap()
}

/// Reads `text` with [`read_values`]: the values, or the error.
fn values_of(text: &[u8], skip_invalid: bool) -> Result<(Vec<f64>, u64), ReadError> {
    let mut values = Vec::new();
    let skipped = read_values(text, &mut values, skip_invalid)?;
    Ok((values, skipped))
}

fn read_ok(text: &[u8]) -> Vec<f64> {
    match values_of(text, false) {
        Ok((values, 0)) => values,
        other => panic!(
            "{:?}: expected values, got {other:?}",
            String::from_utf8_lossy(text)
        ),
    }
}

/// The line and message of a failed read.
fn read_err(text: &[u8], skip_invalid: bool) -> (Option<u64>, String) {
    match values_of(text, skip_invalid) {
        Err(err) => (err.line(), err.to_string()),
        Ok(got) => panic!(
            "{:?}: expected an error, got {got:?}",
            String::from_utf8_lossy(text)
        ),
    }
}

fn assert_bits(token: &str, got: Option<f64>, expected: Option<f64>) {
    assert_eq!(
        got.map(f64::to_bits),
        expected.map(f64::to_bits),
        "token {token:?}: expected {expected:?}, got {got:?}"
    );
}

/// What the token generators draw, beside dp's SplitMix64 (seeded, so
/// failures reproduce).
trait Dice {
    fn chance(&mut self, one_in: u64) -> bool;
    fn digits(&mut self, out: &mut String, count: u64);
}

impl Dice for SplitMix64 {
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }

    fn digits(&mut self, out: &mut String, count: u64) {
        for _ in 0..count {
            out.push(char::from(b'0' + self.below(10) as u8));
        }
    }
}

// ---------------------------------------------------------------- tokens

#[test]
fn accepts_every_form_of_finite_decimal() {
    let cases: &[(&str, f64)] = &[
        ("12", 12.0),
        ("-3.5", -3.5),
        ("+4", 4.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("-.5", -0.5),
        ("+5.", 5.0),
        ("1e-3", 0.001),
        ("2E+5", 200_000.0),
        ("2e5", 200_000.0),
        ("1E0", 1.0),
        (".5e1", 5.0),
        ("5.e1", 50.0),
        ("0.1", 0.1),
        ("007", 7.0),
        ("0.000001", 1e-6),
        ("123.456789", 123.456789),
        ("-273.150000", -273.15),
        ("0e999999999999", 0.0),
        ("1e-400", 0.0),
        ("4.9e-324", 5e-324),
        ("2.2250738585072014e-308", f64::MIN_POSITIVE),
        ("1.7976931348623157e308", f64::MAX),
        ("-1.7976931348623157e308", f64::MIN),
        // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: round half to even.
        ("9007199254740993", 9_007_199_254_740_992.0),
        ("9007199254740995", 9_007_199_254_740_996.0),
        ("123456789012345678901234567890", 1.234_567_890_123_456_8e29),
        ("0.30000000000000004", 0.300_000_000_000_000_04),
        ("1000000000000000000000000", 1e24),
        ("000000000000000000000000000001.5", 1.5),
        ("1.00000000000000000000000000001", 1.0),
    ];
    for &(token, expected) in cases {
        assert_bits(token, parse_value(token.as_bytes()), Some(expected));
    }
}

#[test]
fn negative_zero_keeps_its_sign() {
    for token in ["-0", "-0.0", "-.0", "-0e5", "-1e-400"] {
        let value = parse_value(token.as_bytes()).unwrap();
        assert!(
            value == 0.0 && value.is_sign_negative(),
            "{token} gave {value:?}"
        );
    }
    let zero = parse_value(b"0").unwrap();
    assert!(zero == 0.0 && zero.is_sign_positive());
}

#[test]
fn refuses_everything_else() {
    let refused = [
        "",
        "nan",
        "NaN",
        "NAN",
        "-nan",
        "inf",
        "-inf",
        "+inf",
        "INF",
        "Inf",
        "infinity",
        "-Infinity",
        "INFINITY",
        "0x10",
        "0X1A",
        "0b101",
        "1,000",
        "1,5",
        "1_000",
        ".",
        "-",
        "+",
        "-.",
        "+.",
        "e5",
        "E5",
        ".e5",
        "1e",
        "1E",
        "1e+",
        "1e-",
        "1e--5",
        "1e5.5",
        "1.2.3",
        "--1",
        "++1",
        "+-1",
        "-+1",
        "1-",
        "1+",
        "1e400",
        "-1e400",
        "1.8e308",
        "1e99999999999999999999",
        " 1",
        "1 ",
        "1\t",
        "\n",
        "1\r",
        "12abc",
        "1f",
        "1.0f",
        "1d",
        "0o7",
        "1..2",
        "١٢",
        "½",
        "1\u{0}",
        "∞",
        "e",
        "1ee5",
        "1e5e5",
    ];
    for token in refused {
        assert_eq!(
            parse_value(token.as_bytes()),
            None,
            "{token:?} must be refused"
        );
    }
    assert_eq!(parse_value(b"\xff1"), None);
    assert_eq!(parse_value(b"1\xff"), None);
}

/// Tokens of a million digits whose written exponent makes up for them.
/// std's parser is not the reference here: it saturates written exponents
/// near 65536 and reads the first two as 0.
#[test]
fn huge_tokens_are_read_exactly() {
    let zeros = "0".repeat(1_000_004);
    let tie = format!("0.{}9007199254740993", "0".repeat(100_000));
    let far = "0".repeat(2000);
    let cases = [
        (format!("0.{zeros}5e1000005"), Some(5.0)),
        (format!("0.{zeros}5e1000000"), Some(5e-5)),
        (format!("-0.{zeros}5e1000005"), Some(-5.0)),
        (format!("5{zeros}e-1000004"), Some(5.0)),
        (format!("5{zeros}e-1000000"), Some(5e4)),
        (format!("{zeros}1.25{zeros}e-100000"), Some(0.0)),
        (format!("1{zeros}"), None),
        (format!("1{zeros}e-1000"), None),
        (format!("0.{zeros}"), Some(0.0)),
        (format!("0.{zeros}e999999999999"), Some(0.0)),
        (format!("1e-{zeros}9999999999"), Some(0.0)),
        (format!("1e+{zeros}9999999999"), None),
        (format!("1e{zeros}"), Some(1.0)),
        // 2^53 + 1 is a tie, rounded to even; a nonzero digit 2000 places
        // later (past the 800 kept) puts it above the tie.
        (format!("{tie}e100016"), Some(9_007_199_254_740_992.0)),
        (format!("{tie}{far}1e100016"), Some(9_007_199_254_740_994.0)),
        (format!("{tie}{far}0e100016"), Some(9_007_199_254_740_992.0)),
    ];
    for (token, expected) in cases {
        let shown = format!("{}…{}", &token[..12], &token[token.len() - 12..]);
        assert_bits(&shown, parse_value(token.as_bytes()), expected);
    }
}

/// Random tokens of the grammar, of every length and exponent, must give
/// exactly what std's correctly rounded parser gives.
#[test]
fn valid_tokens_match_std_bit_for_bit() {
    let mut random = SplitMix64(0x5EED_0001);
    let mut token = String::new();
    for _ in 0..300_000 {
        token.clear();
        match random.below(3) {
            0 => token.push('-'),
            1 if random.chance(4) => token.push('+'),
            _ => {}
        }
        // Mostly plain decimals as data files hold them, often past the fast
        // path's 19 digits and 2^53, sometimes with leading zeros.
        let int_max = if random.chance(3) { 30 } else { 10 };
        let int_len = random.below(int_max);
        let frac_max = if random.chance(3) { 30 } else { 10 };
        let frac_len = random.below(frac_max);
        if random.chance(8) {
            token.push_str("000");
        }
        random.digits(&mut token, int_len);
        if frac_len > 0 || int_len == 0 || random.chance(4) {
            token.push('.');
            random.digits(&mut token, frac_len.max(u64::from(int_len == 0)));
        }
        if random.chance(3) {
            token.push(if random.chance(2) { 'e' } else { 'E' });
            match random.below(3) {
                0 => token.push('-'),
                1 => token.push('+'),
                _ => {}
            }
            let exponent = match random.below(4) {
                0 => random.below(25),
                1 => random.below(330),
                _ => random.below(60),
            };
            token.push_str(&exponent.to_string());
        }
        let expected = token.parse::<f64>().ok().filter(|v| v.is_finite());
        assert!(expected.is_some() || token.contains(['e', 'E']), "{token}");
        assert_bits(&token, parse_value(token.as_bytes()), expected);
    }
}

/// Every finite f64, printed shortest (17 digits often) or in a fixed
/// format, reads back as itself.
#[test]
fn printed_doubles_read_back_exactly() {
    let mut random = SplitMix64(0x5EED_0002);
    let mut checked = 0;
    while checked < 200_000 {
        let value = f64::from_bits(random.next_u64());
        if !value.is_finite() {
            continue;
        }
        checked += 1;
        for token in [
            format!("{value}"),
            format!("{value:e}"),
            format!("{value:E}"),
        ] {
            assert_bits(&token, parse_value(token.as_bytes()), Some(value));
        }
        // As C's printf("%.6f") writes data files: up to 16 digits.
        let sign = if random.chance(2) { -1.0 } else { 1.0 };
        let fixed = format!("{:.6}", sign * (random.next_u64() >> 11) as f64 / 1e6);
        assert_bits(&fixed, parse_value(fixed.as_bytes()), fixed.parse().ok());
    }
}

/// Random strings of number-like characters: accepted exactly when std
/// accepts them as a finite number that is not one of its words (`inf`,
/// `nan`, `infinity`), which is the grammar of docs/reference.md,
/// "Values and statistics".
#[test]
fn garbage_is_refused_unless_std_reads_a_finite_decimal() {
    let alphabet = b"0123456789+-.eE xXnaifINF,_\t\xc3\xa9";
    let mut random = SplitMix64(0x5EED_0003);
    let mut token = Vec::new();
    let mut accepted = 0;
    for _ in 0..500_000 {
        token.clear();
        for _ in 0..random.below(9) {
            token.push(alphabet[random.below(alphabet.len() as u64) as usize]);
        }
        let expected = reference_value(&token);
        let got = parse_value(&token);
        accepted += usize::from(got.is_some());
        assert_bits(&String::from_utf8_lossy(&token), got, expected);
    }
    // The alphabet makes valid tokens common enough to test both sides.
    assert!(accepted > 10_000, "only {accepted} tokens accepted");
}

/// What a token is worth by docs/reference.md ("Values and statistics"),
/// from std's parser: its grammar less the words `inf`, `infinity` and `nan`.
fn reference_value(token: &[u8]) -> Option<f64> {
    std::str::from_utf8(token)
        .ok()
        .filter(|text| {
            !text
                .bytes()
                .any(|b| b.is_ascii_alphabetic() && b | 0x20 != b'e')
        })
        .and_then(|text| text.parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

/// Runs of 0 to 20 digits, before and after a point, ended by every byte
/// value: alone, and inside a longer text, where the parser reads 8 bytes
/// at a time past the token's end.
#[test]
fn digit_runs_end_at_any_byte() {
    let digits = "98765432109876543210";
    for run in 0..=digits.len() {
        for end in 0..=255u8 {
            for prefix in ["", "-", "1.", "-.", "12345678.", "+0.0"] {
                let mut token = format!("{prefix}{}", &digits[..run]).into_bytes();
                token.push(end);
                token.extend_from_slice(b"5");
                let shown = String::from_utf8_lossy(&token).into_owned();
                assert_bits(&shown, parse_value(&token), reference_value(&token));

                // The same bytes with more text after them.
                let mut text = token.clone();
                text.extend_from_slice(b" 7 123456789\n");
                let (expected, invalid) = split_reference(&text);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                match values_of(&text, true) {
                    // NUL, or a byte that cannot be UTF-8 here: binary data.
                    Err(ReadError::Binary { line: 1 })
                        if end == 0 || std::str::from_utf8(&text).is_err() => {}
                    Ok((values, skipped)) if end != 0 => {
                        assert_eq!(skipped, invalid, "{shown:?}");
                        assert_eq!(bits(&values), expected, "{shown:?}: {values:?}");
                    }
                    other => panic!("{shown:?}: {other:?}"),
                }
            }
        }
    }
}

/// The values and the count of invalid tokens std's split and
/// [`reference_value`] find in `text`.
fn split_reference(text: &[u8]) -> (Vec<u64>, u64) {
    let mut values = Vec::new();
    let mut invalid = 0;
    for word in text.split(|b| b" \t\n\x0b\x0c\r".contains(b)) {
        match (word.is_empty(), reference_value(word)) {
            (true, _) => {}
            (false, Some(v)) => values.push(v.to_bits()),
            (false, None) => invalid += 1,
        }
    }
    (values, invalid)
}

/// Tokens in running text, where the reader takes a shorter path for
/// short plain decimals (`%.6f` and the like) than `parse_value` does:
/// edge cases and random tokens near that path's limits (7 digits either
/// side of the point), each followed by every kind of blank, must read as
/// std's split and parser read them, bit for bit, with the same tokens
/// refused.
#[test]
fn tokens_in_text_match_std_bit_for_bit() {
    let edges = [
        "0",
        "-0",
        "+0",
        "-0.0",
        "-.0",
        "-0.",
        "+.5",
        "5.",
        ".5",
        "-.5",
        ".",
        "-",
        "+",
        "-.",
        "+-1",
        "--1",
        "1.2.3",
        "1..2",
        "1_000",
        "1,5",
        "0x10",
        "0x1p3",
        "1e400",
        "-1e400",
        "1e-400",
        "-1e-400",
        "4.9e-324",
        "5e-324",
        "2.4703282292062327e-324",
        "2.2250738585072014e-308",
        "2.2250738585072011e-308",
        "1.7976931348623157e308",
        "1.7976931348623159e308",
        "9007199254740993",
        "9007199254740993.0",
        "12345678901234567890",
        "18446744073709551616",
        "1234567.1234567",
        "12345678.1234567",
        "1234567.12345678",
        "9999999.9999999",
        "-9999999.9999999",
        "0.0000001",
        "0000000.0000001",
        "00000000.1",
        "0.1",
        "0.30000000000000004",
        "1e22",
        "1e23",
        "1E5",
        "1e",
        "1e+",
        "1.5e-7",
        "nan",
        "inf",
        "-inf",
        "infinity",
        "1.5x",
        "1.x",
        "é",
        "1é",
        "123.456789",
        "-999.999999",
        "+999.999999",
        // Eight digits or fewer are read as one word, nine or more as two.
        "12.345678",
        "-1234.5678",
        "1234567.1",
        "1234567.12",
        "1.2345678",
        ".1234567",
        ".12345678",
        "-0.0000000",
        "7.",
        "0000000.",
    ];
    let blanks = [" ", "\n", "\r\n", "\t", "\x0b", "\x0c", "  \n"];
    let mut random = SplitMix64(0x5EED_0005);
    let mut text = String::new();
    for (i, edge) in edges.iter().enumerate() {
        text.push_str(edge);
        text.push_str(blanks[i % blanks.len()]);
    }
    let alphabet = b"0123456789000000000.-+e_x";
    for _ in 0..200_000 {
        if random.chance(3) {
            // Anything near the short path's grammar.
            for _ in 0..random.below(20) {
                text.push(char::from(
                    alphabet[random.below(alphabet.len() as u64) as usize],
                ));
            }
        } else {
            match random.below(4) {
                0 => text.push('-'),
                1 if random.chance(3) => text.push('+'),
                _ => {}
            }
            let (integer, fraction) = (random.below(10), random.below(10));
            random.digits(&mut text, integer);
            if !random.chance(5) {
                text.push('.');
            }
            random.digits(&mut text, fraction);
        }
        text.push_str(blanks[random.below(blanks.len() as u64) as usize]);
    }
    // Every edge again at the very end, where fewer bytes follow a token.
    for edge in edges {
        text.push_str(edge);
        text.push(' ');
    }
    text.push_str("1.5");
    let (expected, invalid) = split_reference(text.as_bytes());
    let (values, skipped) = values_of(text.as_bytes(), true).unwrap();
    assert_eq!(skipped, invalid);
    assert_eq!(values.len(), expected.len());
    for (i, (got, want)) in values.iter().zip(&expected).enumerate() {
        assert_eq!(
            got.to_bits(),
            *want,
            "value {i}: {got:?}, std {:?}",
            f64::from_bits(*want)
        );
    }
}

// ---------------------------------------------------------------- text input

#[test]
fn reads_values_separated_by_any_white_space() {
    assert_eq!(read_ok(b"1\n2\n3\n"), [1.0, 2.0, 3.0]);
    assert_eq!(read_ok(b"1\r\n2\r\n3\r\n"), [1.0, 2.0, 3.0]);
    assert_eq!(read_ok(b"1 2\t3\n4   5\r\n"), [1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(read_ok(b"\n\n  1  \n\t\n\r\n2\n\n"), [1.0, 2.0]);
    assert_eq!(read_ok(b"1\x0b2\x0c3"), [1.0, 2.0, 3.0]);
    assert_eq!(read_ok(b"1\n2"), [1.0, 2.0], "no final newline");
    assert_eq!(read_ok(b"-7"), [-7.0]);
}

#[test]
fn a_byte_order_mark_at_the_start_is_skipped() {
    assert_eq!(read_ok(b"\xEF\xBB\xBF1.5\r\n2\r\n"), [1.5, 2.0]);
    assert!(read_ok(b"\xEF\xBB\xBF").is_empty());
    // Anywhere else it is not white space.
    let (line, message) = read_err(b"1\n\xEF\xBB\xBF2\n", false);
    assert_eq!(
        (line, message.as_str()),
        (Some(2), "'\u{feff}2' is not a finite number")
    );
}

#[test]
fn empty_and_blank_inputs_hold_no_values() {
    for text in [&b""[..], b"\n", b"\r\n\r\n", b"   \t \n  "] {
        assert_eq!(values_of(text, false).unwrap(), (vec![], 0), "{text:?}");
    }
}

#[test]
fn values_are_appended_to_what_the_vector_holds() {
    let mut values = vec![99.0];
    read_values(&b"1 2"[..], &mut values, false).unwrap();
    assert_eq!(values, [99.0, 1.0, 2.0]);
}

#[test]
fn crlf_file_with_tabs_and_blank_lines() {
    let mut values = Vec::new();
    let skipped = read_values(open("mixed_crlf.txt"), &mut values, false).unwrap();
    assert_eq!(skipped, 0);
    assert_eq!(values, [1.5, -2.0, 300.0, 0.25, 5.0, 0.001]);
}

#[test]
fn first_bad_token_is_reported_with_its_line() {
    assert_eq!(
        read_err(b"1\nabc\n3\n", false),
        (Some(2), "'abc' is not a finite number".into())
    );
    assert_eq!(read_err(b"1 2 3 x 4\n", false).0, Some(1));
    assert_eq!(
        read_err(b"1\n2\n3 4 nan\n", false),
        (Some(3), "'nan' is not a finite number".into())
    );
    // Blank lines and CRLF line ends count as lines.
    assert_eq!(
        read_err(b"1\r\n\r\n\r\n  \r\n2\r\n1e400\r\n", false).0,
        Some(6)
    );
    assert_eq!(read_err(b"\n\n\ninf", false).0, Some(4));
    assert_eq!(
        read_err(b"1,000\n", false),
        (Some(1), "'1,000' is not a finite number".into())
    );
    // A carriage return alone does not end a line.
    assert_eq!(read_err(b"1\r2\rx\n", false).0, Some(1));

    let mut values = Vec::new();
    let err = read_values(open("bad_line5.txt"), &mut values, false).unwrap_err();
    assert!(
        matches!(&err, ReadError::Invalid { line: 5, token } if token == "4O"),
        "{err:?}"
    );
}

#[test]
fn skip_invalid_counts_and_skips_bad_tokens() {
    let text = b"1\nabc\n2 x 3\r\n\r\nnan inf 1e400\n4";
    assert_eq!(
        values_of(text, true).unwrap(),
        (vec![1.0, 2.0, 3.0, 4.0], 5)
    );
    assert_eq!(values_of(b"a b c", true).unwrap(), (vec![], 3));

    let mut values = Vec::new();
    let skipped = read_values(open("bad_line5.txt"), &mut values, true).unwrap();
    assert_eq!((values, skipped), (vec![10.0, 20.0, 30.0, 50.0], 1));
}

#[test]
fn bad_tokens_are_shown_readably() {
    let long = "x".repeat(100);
    let (_, message) = read_err(long.as_bytes(), false);
    assert_eq!(
        message,
        format!("'{}…' is not a finite number", "x".repeat(40))
    );

    let exactly_40 = "y".repeat(40);
    let (_, message) = read_err(exactly_40.as_bytes(), false);
    assert_eq!(message, format!("'{exactly_40}' is not a finite number"));

    // Multi-byte characters count as one each.
    let wide = "é".repeat(45);
    let (_, message) = read_err(wide.as_bytes(), false);
    assert_eq!(
        message,
        format!("'{}…' is not a finite number", "é".repeat(40))
    );
    // A token that is not UTF-8 means binary data, as grep decides.
    assert_eq!(
        read_err(b"1\n1\xff2", true),
        (Some(2), "binary data, not text".into())
    );

    // Control characters are escaped, not sent raw to the terminal.
    assert_eq!(
        read_err(b"\x1b[31m", false).1,
        "'\\u{1b}[31m' is not a finite number"
    );
    assert_eq!(
        read_err(b"a\x7fb", false).1,
        "'a\\u{7f}b' is not a finite number"
    );
}

#[test]
fn a_nul_byte_means_binary_data() {
    assert_eq!(
        read_err(b"1\n2\n\x003\n", false),
        (Some(3), "binary data, not text".into())
    );
    // Even with skip_invalid, and before an earlier bad token.
    assert_eq!(read_err(b"1\nx\n3\r\n\r\n4\x00", true).0, Some(5));
    assert_eq!(read_err(b"1\nx\n3\x00", false).1, "binary data, not text");

    let mut values = Vec::new();
    let err = read_values(open("nul_line4.txt"), &mut values, false).unwrap_err();
    assert!(matches!(err, ReadError::Binary { line: 4 }), "{err:?}");
    let err = read_values(open("binary.gz"), &mut values, true).unwrap_err();
    assert!(matches!(err, ReadError::Binary { line: 1 }), "{err:?}");
}

/// A reader that hands out at most `step` bytes a call and is interrupted
/// now and then, as a slow pipe may be.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
    calls: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls.is_multiple_of(7) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Several MiB of values in random layouts, so chunk boundaries fall inside
/// tokens, inside `\r\n` and inside runs of blanks: the values must be those
/// std's own split and parser find.
fn random_text(seed: u64, target_len: usize) -> String {
    let mut random = SplitMix64(seed);
    let mut text = String::with_capacity(target_len + 64);
    let separators = ["\n", "\r\n", " ", "\t", "  \n", "\n\n", " \r\n\t"];
    while text.len() < target_len {
        match random.below(4) {
            0 => text.push_str(&format!("{}", f64::from_bits(random.next_u64() >> 2))),
            1 => text.push_str(&format!(
                "{:.6}",
                random.below(2_000_000_000) as f64 / 7.0 - 1e8
            )),
            2 => text.push_str(&random.below(1000).to_string()),
            _ => text.push_str(&format!("{:e}", random.below(1 << 40) as f64 * 1e-9)),
        }
        text.push_str(separators[random.below(separators.len() as u64) as usize]);
    }
    text
}

fn std_reference(text: &str) -> Vec<f64> {
    text.split_ascii_whitespace()
        .map(|t| t.parse().unwrap())
        .collect()
}

#[test]
fn inputs_larger_than_a_chunk_read_like_std() {
    let text = random_text(0x5EED_0004, 3 << 20);
    let expected = std_reference(&text);
    let got = read_ok(text.as_bytes());
    assert_eq!(got.len(), expected.len());
    assert!(
        got.iter()
            .zip(&expected)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );

    let mut values = Vec::new();
    let trickle = Trickle {
        data: text.as_bytes(),
        step: 4093,
        calls: 0,
    };
    read_values(trickle, &mut values, false).unwrap();
    assert_eq!(values.len(), expected.len());
    assert!(
        values
            .iter()
            .zip(&expected)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
}

#[test]
fn errors_past_the_first_chunk_have_their_line() {
    let mut text = "0.5\n".repeat(400_000); // 1.6 MB: past the 1 MiB chunk
    text.push_str("1 2\r\n\r\n3 oops 4\n");
    let (line, message) = read_err(text.as_bytes(), false);
    assert_eq!(
        (line, message.as_str()),
        (Some(400_003), "'oops' is not a finite number")
    );

    text.push_str("5\x00\n");
    assert_eq!(read_err(text.as_bytes(), true).0, Some(400_004));
}

#[test]
fn one_long_line_of_values_spans_chunks() {
    let line: Vec<String> = (0..300_000).map(|i| format!("{}.25", i - 1000)).collect();
    let text = line.join(" ") + "\n";
    assert!(text.len() > 2 << 20);
    assert_eq!(read_ok(text.as_bytes()), std_reference(&text));
    let (line, _) = read_err(format!("{text}{} 1x", line.join("\t")).as_bytes(), false);
    assert_eq!(line, Some(2));
}

#[test]
fn a_token_longer_than_a_chunk_is_invalid_not_buffered() {
    let huge = "7".repeat(3 << 20);
    let text = format!("1\n2 {huge}\n3\n");
    let (line, message) = read_err(text.as_bytes(), false);
    assert_eq!(line, Some(2));
    assert_eq!(
        message,
        format!("'{}…' is not a finite number", "7".repeat(40))
    );
    assert_eq!(
        values_of(text.as_bytes(), true).unwrap(),
        (vec![1.0, 2.0, 3.0], 1)
    );
    // Also when the input ends inside it.
    assert_eq!(
        values_of(format!("1 {huge}").as_bytes(), true).unwrap(),
        (vec![1.0], 1)
    );
}

#[test]
fn io_errors_are_passed_on() {
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }
    let err = read_values(Failing, &mut Vec::new(), true).unwrap_err();
    assert!(
        matches!(&err, ReadError::Io(e) if e.to_string() == "disk on fire"),
        "{err:?}"
    );
    assert_eq!(err.line(), None);
}

// ---------------------------------------------------------------- CSV input

fn csv_values(text: &[u8], column: Column, skip: bool) -> Result<(Vec<f64>, u64), ReadError> {
    let mut values = Vec::new();
    let skipped = read_csv_column(text, &column, &mut values, skip)?;
    Ok((values, skipped))
}

fn name(name: &str) -> Column {
    Column::Name(name.to_owned())
}

#[test]
fn csv_column_by_name_or_1_based_index() {
    let text = b"x,y,z\n1,2,3\n4,5,6\n";
    assert_eq!(
        csv_values(text, name("y"), false).unwrap(),
        (vec![2.0, 5.0], 0)
    );
    assert_eq!(
        csv_values(text, Column::Index(1), false).unwrap(),
        (vec![1.0, 4.0], 0)
    );
    assert_eq!(
        csv_values(text, Column::Index(3), false).unwrap(),
        (vec![3.0, 6.0], 0)
    );
}

#[test]
fn csv_quoted_fields_multiline_records_and_crlf() {
    let mut values = Vec::new();
    read_csv_column(open("quoted.csv"), &name("value"), &mut values, false).unwrap();
    assert_eq!(values, [1.5, -2.0, 40.0]);
    values.clear();
    read_csv_column(open("quoted.csv"), &Column::Index(1), &mut values, false).unwrap();
    assert_eq!(values, [1.0, 2.0, 3.0]);
    // A quoted header name, a quoted value.
    let text = b"\"a b\",\"c\"\n\"1.5\",\" 2 \"\n";
    assert_eq!(csv_values(text, name("a b"), false).unwrap().0, [1.5]);
    assert_eq!(csv_values(text, name("c"), false).unwrap().0, [2.0]);
}

#[test]
fn csv_header_names_ignore_blanks_and_a_byte_order_mark() {
    let text = b"\xEF\xBB\xBFtime, value \n1, 2\n";
    assert_eq!(csv_values(text, name("time"), false).unwrap().0, [1.0]);
    assert_eq!(csv_values(text, name("value"), false).unwrap().0, [2.0]);
}

#[test]
fn csv_missing_column_lists_the_header() {
    let text = b"time,value,\"unit\"\n1,2,s\n";
    let err = csv_values(text, name("Value"), false).unwrap_err();
    assert!(matches!(err, ReadError::Csv { line: None, .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "no column named 'Value': the header has 3 columns: 1 'time', 2 'value', 3 'unit'"
    );
    for index in [0, 4] {
        let err = csv_values(text, Column::Index(index), false).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("no column {index}: the header has 3 columns: 1 'time', 2 'value', 3 'unit'")
        );
    }
    let err = csv_values(b"only\n1\n", Column::Index(2), false).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no column 2: the header has 1 column: 1 'only'"
    );
}

#[test]
fn csv_bad_cells_have_their_line() {
    let mut values = Vec::new();
    let err = read_csv_column(open("bad_cells.csv"), &name("b"), &mut values, false).unwrap_err();
    assert_eq!(
        (err.line(), err.to_string()),
        (Some(3), "'' is not a finite number".into())
    );
    values.clear();
    read_csv_column(open("bad_cells.csv"), &name("a"), &mut values, false).unwrap();
    assert_eq!(values, [1.0, 3.0, 5.0]);
    let err = csv_values(b"a,b\n1,2\n3,4\n5,x\n", name("b"), false).unwrap_err();
    assert_eq!(
        (err.line(), err.to_string()),
        (Some(4), "'x' is not a finite number".into())
    );

    // A multi-line quoted field moves the lines of the records after it.
    let text = b"note,v\n\"two\nlines\",1\nok,nan\n";
    let err = csv_values(text, name("v"), false).unwrap_err();
    assert_eq!(
        (err.line(), err.to_string()),
        (Some(4), "'nan' is not a finite number".into())
    );
}

#[test]
fn csv_skip_invalid_counts_empty_and_bad_cells() {
    let mut values = Vec::new();
    let skipped = read_csv_column(open("bad_cells.csv"), &name("b"), &mut values, true).unwrap();
    assert_eq!((values, skipped), (vec![2.0], 2));
}

#[test]
fn csv_ragged_records_and_binary_data_are_errors() {
    let err = csv_values(b"a,b\n1,2\n3\n", name("a"), true).unwrap_err();
    assert!(
        matches!(err, ReadError::Csv { line: Some(3), .. }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "a record of 1 fields, the header has 2");

    let err = csv_values(b"a,b\n1,2\n3,\x00\n", name("a"), true).unwrap_err();
    assert!(matches!(err, ReadError::Binary { line: 3 }), "{err:?}");
}

#[test]
fn csv_empty_input_holds_no_values() {
    assert_eq!(csv_values(b"", name("a"), false).unwrap(), (vec![], 0));
    assert_eq!(csv_values(b"a,b\n", name("b"), false).unwrap(), (vec![], 0));
    assert_eq!(
        csv_values(b"a,b\n\n1,2\n\n", name("b"), false).unwrap(),
        (vec![2.0], 0)
    );
}
