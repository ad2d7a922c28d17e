//! The number parser against std: it never panics, accepts exactly the
//! tokens of dp's grammar that are finite, and gives std's bits for them.
#![no_main]

use dp_core::parse::parse_value;

use libfuzzer_sys::fuzz_target;

/// `[+-]? (digits | digits '.' digits? | '.' digits) ([eE] [+-]? digits)?`
fn in_grammar(token: &[u8]) -> bool {
    let digits = |s: &[u8], i: &mut usize| {
        let start = *i;
        while *i < s.len() && s[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let mut i = 0;
    if i < token.len() && (token[i] == b'+' || token[i] == b'-') {
        i += 1;
    }
    let whole = digits(token, &mut i);
    let mut fraction = 0;
    if i < token.len() && token[i] == b'.' {
        i += 1;
        fraction = digits(token, &mut i);
    }
    if whole == 0 && fraction == 0 {
        return false;
    }
    if i < token.len() && (token[i] == b'e' || token[i] == b'E') {
        i += 1;
        if i < token.len() && (token[i] == b'+' || token[i] == b'-') {
            i += 1;
        }
        if digits(token, &mut i) == 0 {
            return false;
        }
    }
    i == token.len()
}

fuzz_target!(|token: &[u8]| {
    let got = parse_value(token);
    let grammar = in_grammar(token);
    let std = std::str::from_utf8(token)
        .ok()
        .and_then(|text| text.parse::<f64>().ok());
    match got {
        Some(value) => {
            assert!(value.is_finite(), "{token:?} gave {value}");
            assert!(grammar, "{token:?} is outside the grammar but gave {value}");
            let std = std.expect("std parses what the grammar allows");
            assert_eq!(value.to_bits(), std.to_bits(), "{token:?}: {value} vs std {std}");
        }
        None => {
            if grammar {
                let std = std.expect("std parses what the grammar allows");
                assert!(!std.is_finite(), "{token:?} refused, std gives {std}");
            }
        }
    }
});
