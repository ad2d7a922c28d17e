//! Reading numbers from data files: whitespace-separated decimal values, or
//! one column of a CSV file (SPEC §2).
//!
//! The text reader works on bytes: it reads 1 MiB chunks into one reused
//! buffer and parses the tokens in place, in one pass that also counts
//! lines, so nothing but the `f64` values grows with the size of the input.
//! A token of at most 19 digits whose mantissa is below 2^53 and whose
//! exponent is within ±22 (every `%.6f` value under 10^9) takes Clinger's
//! fast path: an exact mantissa and an exact power of ten give a correctly
//! rounded result with one multiplication or division. Every other valid
//! token goes to std's correctly rounded parser.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Read};

/// Why the values of a data file could not be read. `Display` gives the
/// message without the location: callers print `PATH:LINE: message`.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A token that is not a finite decimal number (token cut to a readable length).
    #[error("'{token}' is not a finite number")]
    Invalid { line: u64, token: String },
    /// A NUL byte, or a token that is not UTF-8: the file is binary, not text.
    #[error("binary data, not text")]
    Binary { line: u64 },
    /// A CSV problem: a missing column, a malformed record.
    #[error("{message}")]
    Csv { line: Option<u64>, message: String },
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl ReadError {
    /// The 1-based line the error is on, where one applies.
    pub fn line(&self) -> Option<u64> {
        match self {
            Self::Invalid { line, .. } | Self::Binary { line } => Some(*line),
            Self::Csv { line, .. } => *line,
            Self::Io(_) => None,
        }
    }

    fn invalid(line: u64, token: &[u8]) -> Self {
        Self::Invalid {
            line,
            token: readable_token(token),
        }
    }
}

/// Which CSV column to read: by header name, or by 1-based index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Column {
    Name(String),
    Index(usize),
}

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
struct Number {
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
fn scan_number(bytes: &[u8]) -> (usize, Option<Number>) {
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
        // A byte's top bit is set where it is not a digit: below '0' it
        // wrapped, above '9' adding 0x76 reaches 0x80. Borrows and carries
        // only run towards later bytes, past the first non-digit.
        let non_digits =
            (digits | digits.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080;
        let count = (non_digits.trailing_zeros() / 8) as usize;
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

const POWERS_OF_TEN_U64: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

impl Number {
    /// The value of `token`, the text this number was scanned from.
    #[inline(always)]
    fn value(&self, token: &[u8]) -> Option<f64> {
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
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// White space between values: space, tab, line feed, vertical tab, form
/// feed and carriage return (C's `isspace`).
#[inline(always)]
fn is_blank(byte: u8) -> bool {
    byte == b' ' || byte.wrapping_sub(b'\t') < 5
}

fn trim_blanks(mut bytes: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = bytes
        && is_blank(*first)
    {
        bytes = rest;
    }
    while let [rest @ .., last] = bytes
        && is_blank(*last)
    {
        bytes = rest;
    }
    bytes
}

/// How many characters of a bad token an error message shows.
const TOKEN_DISPLAY_CHARS: usize = 40;

/// A bad token as an error message shows it: at most 40 characters then
/// `…`, invalid UTF-8 replaced by `�`, control characters escaped.
fn readable_token(token: &[u8]) -> String {
    // 4 bytes a character at most: enough bytes for one character more than
    // is shown, so a character cut at the end of the slice is never shown.
    let slice = &token[..token.len().min((TOKEN_DISPLAY_CHARS + 1) * 4)];
    let text: Cow<str> = String::from_utf8_lossy(slice);
    let mut shown = String::with_capacity(TOKEN_DISPLAY_CHARS + 8);
    let mut chars = text.chars();
    for c in chars.by_ref().take(TOKEN_DISPLAY_CHARS) {
        if c.is_control() {
            let _ = write!(shown, "{}", c.escape_default());
        } else {
            shown.push(c);
        }
    }
    if chars.next().is_some() || slice.len() < token.len() {
        shown.push('…');
    }
    shown
}

/// How much the text reader reads at a time; also the longest token it
/// accepts (a longer one is reported as invalid, so memory stays bounded).
const CHUNK_SIZE: usize = 1 << 20;

/// Appends every value of `input` (numbers separated by white space, any
/// number a line, `\r\n` allowed) to `values`. Returns how many invalid
/// tokens were skipped (always 0 unless `skip_invalid`).
///
/// White space is space, tab, `\n`, `\v`, `\f` and `\r`; lines end at `\n`;
/// a UTF-8 byte order mark at the start is skipped.
/// On error `values` holds what was read before it. A NUL byte makes the
/// input binary ([`ReadError::Binary`], even with `skip_invalid`); it is
/// looked for a chunk ahead of the parsing, so in an input under 1 MiB it is
/// found before any invalid token. A token of 1 MiB or more is invalid.
pub fn read_values(
    input: impl Read,
    values: &mut Vec<f64>,
    skip_invalid: bool,
) -> Result<u64, ReadError> {
    read_values_chunked(input, values, skip_invalid, CHUNK_SIZE)
}

/// [`read_values`] with a given chunk size, so tests can put chunk
/// boundaries anywhere.
pub(crate) fn read_values_chunked(
    mut input: impl Read,
    values: &mut Vec<f64>,
    skip_invalid: bool,
    chunk_size: usize,
) -> Result<u64, ReadError> {
    let mut buf = vec![0u8; chunk_size];
    let mut scanner = Scanner {
        values,
        skip_invalid,
        line: 1,
        invalid: 0,
    };
    // Bytes of an unfinished line (or token) kept at the front of `buf`.
    let mut carried = 0;
    // Inside a token too long for the buffer, being skipped.
    let mut discarding = false;
    let mut first_chunk = true;
    loop {
        let (filled, at_end) = fill(&mut input, &mut buf, carried)?;
        let data = &buf[..filled];
        if let Some(nul) = memchr::memchr(0, &data[carried..]) {
            // `carried` holds no line end: it follows the last one scanned.
            let newlines = memchr::memchr_iter(b'\n', &data[carried..carried + nul]).count();
            return Err(ReadError::Binary {
                line: scanner.line + newlines as u64,
            });
        }
        let mut start = 0;
        if first_chunk {
            // Editors on Windows may begin a text file with a byte order mark.
            first_chunk = false;
            if data.starts_with(UTF8_BOM) {
                start = UTF8_BOM.len();
            }
        }
        if discarding {
            match data.iter().position(|&b| is_blank(b)) {
                Some(blank) => {
                    start = blank;
                    discarding = false;
                }
                None if at_end => break,
                None => {
                    carried = 0;
                    continue;
                }
            }
        }
        // Scan whole lines; the unfinished last one waits for the next
        // chunk, or, if the chunk holds no line end, its unfinished token.
        let end = if at_end {
            filled
        } else if let Some(newline) = memchr::memrchr(b'\n', &data[start..]) {
            start + newline + 1
        } else if let Some(blank) = data[start..].iter().rposition(|&b| is_blank(b)) {
            start + blank + 1
        } else {
            // A full buffer and not one blank: a token longer than we hold.
            scanner.reject(&data[start..])?;
            discarding = true;
            carried = 0;
            continue;
        };
        scanner.scan(&data[start..end])?;
        if at_end {
            break;
        }
        buf.copy_within(end..filled, 0);
        carried = filled - end;
    }
    Ok(scanner.invalid)
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads into `buf` after its first `kept` bytes until it is full or the
/// input ends; returns how many bytes `buf` holds and whether the input ended.
fn fill(input: &mut impl Read, buf: &mut [u8], kept: usize) -> io::Result<(usize, bool)> {
    let mut filled = kept;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => return Ok((filled, true)),
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok((filled, false))
}

/// Turns whole lines of text into values, counting lines for errors.
struct Scanner<'a> {
    values: &'a mut Vec<f64>,
    skip_invalid: bool,
    /// The 1-based line the next byte scanned is on.
    line: u64,
    invalid: u64,
}

impl Scanner<'_> {
    /// Scans `text`: whole lines, the last one possibly unfinished, in one
    /// pass that skips blanks, counts line ends and parses tokens in place.
    #[inline(never)]
    fn scan(&mut self, text: &[u8]) -> Result<(), ReadError> {
        // A local, not the field, in the loop: it stays in a register.
        let mut line = self.line;
        let len = text.len();
        let mut i = 0;
        while i < len {
            let byte = text[i];
            if is_blank(byte) {
                line += u64::from(byte == b'\n');
                i += 1;
                continue;
            }
            let (used, number) = scan_number(&text[i..]);
            let mut end = i + used;
            if end == len || is_blank(text[end]) {
                if let Some(value) = number.and_then(|number| number.value(&text[i..end])) {
                    self.values.push(value);
                    i = end;
                    continue;
                }
            } else {
                // Not a number, and where the grammar stopped is not its end.
                end = text[end..]
                    .iter()
                    .position(|&b| is_blank(b))
                    .map_or(len, |blank| end + blank);
            }
            self.line = line;
            self.reject(&text[i..end])?;
            i = end;
        }
        self.line = line;
        Ok(())
    }

    /// An invalid token: an error, or one more skipped with `skip_invalid`.
    fn reject(&mut self, token: &[u8]) -> Result<(), ReadError> {
        if looks_binary(token) {
            Err(ReadError::Binary { line: self.line })
        } else if self.skip_invalid {
            self.invalid += 1;
            Ok(())
        } else {
            Err(ReadError::invalid(self.line, token))
        }
    }
}

/// Whether a bad token is a sign of binary data rather than a typo: bytes
/// that are not UTF-8, the rule grep uses beside NUL bytes (a NUL alone would
/// miss most binary files).
fn looks_binary(token: &[u8]) -> bool {
    std::str::from_utf8(token).is_err()
}

/// Like [`read_values`], for one column of a CSV file with a header row.
///
/// The column is a header name (matched exactly, after trimming blanks and a
/// UTF-8 byte order mark) or a 1-based index, as `cut -f` counts. Fields may
/// be quoted; blanks around a value are ignored; an empty cell is an invalid
/// token. Records must all have as many fields as the header. Line numbers
/// are those where each record starts. An empty input (not even a header)
/// holds no values and is not an error.
pub fn read_csv_column(
    input: impl Read,
    column: &Column,
    values: &mut Vec<f64>,
    skip_invalid: bool,
) -> Result<u64, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record).map_err(csv_error)? {
        return Ok(0);
    }
    let header_line = record.position().map_or(1, csv::Position::line);
    if memchr::memchr(0, record.as_slice()).is_some() {
        return Err(ReadError::Binary { line: header_line });
    }
    let index = column_index(&record, column)?;

    let mut invalid = 0;
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        let line = record.position().map_or(0, csv::Position::line);
        if memchr::memchr(0, record.as_slice()).is_some() {
            return Err(ReadError::Binary { line });
        }
        let cell = trim_blanks(record.get(index).unwrap_or_default());
        match parse_value(cell) {
            Some(value) => values.push(value),
            None if skip_invalid => invalid += 1,
            None => return Err(ReadError::invalid(line, cell)),
        }
    }
    Ok(invalid)
}

/// The 0-based position of `column` in the header row.
fn column_index(header: &csv::ByteRecord, column: &Column) -> Result<usize, ReadError> {
    let names: Vec<Cow<str>> = header
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let name = if i == 0 {
                name.strip_prefix(UTF8_BOM).unwrap_or(name)
            } else {
                name
            };
            String::from_utf8_lossy(trim_blanks(name))
        })
        .collect();
    let found = match column {
        Column::Name(wanted) => names.iter().position(|name| name == wanted.as_str()),
        Column::Index(number) => number.checked_sub(1).filter(|&i| i < names.len()),
    };
    found.ok_or_else(|| {
        let wanted = match column {
            Column::Name(name) => format!("no column named '{name}'"),
            Column::Index(number) => format!("no column {number}"),
        };
        let available: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, name)| format!("{} '{name}'", i + 1))
            .collect();
        ReadError::Csv {
            line: None,
            message: format!(
                "{wanted}: the header has {} column{}: {}",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                available.join(", ")
            ),
        }
    })
}

fn csv_error(err: csv::Error) -> ReadError {
    let line = err.position().map(csv::Position::line);
    let message = err.to_string();
    match err.into_kind() {
        csv::ErrorKind::Io(err) => ReadError::Io(err),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => ReadError::Csv {
            line,
            message: format!("a record of {len} fields, the header has {expected_len}"),
        },
        _ => ReadError::Csv { line, message },
    }
}

#[cfg(test)]
mod tests {
    //! Chunk boundaries at every position, with chunks a few bytes long;
    //! the public API is tested in `tests/parse.rs`.

    use super::*;

    /// Lines with several tokens, blank lines, CRLF, runs of blanks and a
    /// few bad tokens: every token fits the smallest chunk tried.
    const TEXT: &str = "1 -2.5\r\n\r\n  .5\t5.\n1e3 x\n\n\t+7\r\n0.000001\x0c8 nan 9\n  \n12345 6";

    fn read(text: &str, skip_invalid: bool, chunk: usize) -> (Vec<f64>, Result<u64, String>) {
        let mut values = Vec::new();
        let result = read_values_chunked(text.as_bytes(), &mut values, skip_invalid, chunk)
            .map_err(|err| format!("line {:?}: {err}", err.line()));
        (values, result)
    }

    #[test]
    fn every_chunk_size_reads_the_same() {
        let expected = (
            vec![1.0, -2.5, 0.5, 5.0, 1e3, 7.0, 1e-6, 8.0, 9.0, 12345.0, 6.0],
            Ok(2),
        );
        assert_eq!(read(TEXT, true, CHUNK_SIZE), expected);
        let error = Err("line Some(4): 'x' is not a finite number".to_owned());
        assert_eq!(read(TEXT, false, CHUNK_SIZE).1, error);
        for chunk in 9..=TEXT.len() + 1 {
            assert_eq!(read(TEXT, true, chunk), expected, "chunk {chunk}");
            let with_bom = format!("\u{feff}{TEXT}");
            assert_eq!(read(&with_bom, true, chunk), expected, "chunk {chunk}");
            assert_eq!(read(TEXT, false, chunk).1, error, "chunk {chunk}");
        }
    }

    #[test]
    fn line_numbers_survive_every_chunk_size() {
        let text = "1\r\n\r\n2 3\n\n\n4\r\n   \r\n5 6 oops\n7\n";
        for chunk in 8..=text.len() + 1 {
            let (values, result) = read(text, false, chunk);
            assert_eq!(values, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "chunk {chunk}");
            let error = "line Some(8): 'oops' is not a finite number";
            assert_eq!(result, Err(error.to_owned()), "chunk {chunk}");
            // A NUL past the bad token is found in the same chunk or later.
            let binary = format!("{text}\n\n8\x00");
            let (_, result) = read(&binary, true, chunk);
            assert_eq!(
                result,
                Err("line Some(12): binary data, not text".to_owned())
            );
        }
    }

    #[test]
    fn tokens_longer_than_a_chunk_are_invalid() {
        let text = "1 22222222222222222222 3\n4";
        for chunk in 8..20 {
            assert_eq!(
                read(text, true, chunk),
                (vec![1.0, 3.0, 4.0], Ok(1)),
                "chunk {chunk}"
            );
            let (_, result) = read(text, false, chunk);
            assert_eq!(
                result,
                Err(format!(
                    "line Some(1): '{}' is not a finite number",
                    &text[2..2 + chunk]
                ))
            );
        }
        let long: f64 = "22222222222222222222".parse().unwrap();
        assert_eq!(read(text, false, 32), (vec![1.0, long, 3.0, 4.0], Ok(0)));
    }
}
