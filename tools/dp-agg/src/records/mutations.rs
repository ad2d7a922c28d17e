//! The hand reader proven against the plain one: real records, mutated in
//! every way a line can differ from what dp-stats writes, must parse to the
//! same record or the same error by [`parse`] as by [`parse_record`].

use dp_core::io::parse_record;
use dp_core::record::{Record, StatsRecord};
use dp_core::splitmix::SplitMix64;

use super::{parse, written};

/// Records as dp-stats writes them, with every optional field present or
/// absent, nulls, negative and extreme numbers; and the fixture's records
/// (rewritten by jq: integers where dp-stats writes `.0`).
fn real_records() -> Vec<String> {
    let mut records: Vec<String> = include_str!("../../tests/data/runs.jsonl")
        .lines()
        .map(Into::into)
        .collect();
    let write =
        |stats: StatsRecord| serde_json::to_string(&Record::Stats(Box::new(stats))).unwrap();
    for (n, values) in [
        vec![],
        vec![-0.0],
        vec![1.5, -2.25, 3e-7, 123456789.123456, 1e300, -4.0e-310],
        (0..40)
            .map(|i| f64::from(i) * 0.37 - 5.0)
            .collect::<Vec<_>>(),
        (0..300)
            .map(|i| f64::from(i).sqrt() * 1e9)
            .collect::<Vec<_>>(),
    ]
    .into_iter()
    .enumerate()
    {
        let mut values = values;
        let summary = dp_core::stats::summarize(&mut values, &[5.0, 50.0, 99.9]);
        let mut stats = StatsRecord::from_summary(format!("data/é{n}.txt"), summary);
        records.push(write(stats.clone()));
        stats.run = Some(format!("run {n}"));
        stats.started_at = 1796144544.797837;
        stats.finished_at = 1796144544.798024;
        stats.elapsed_s = 0.000187;
        stats.host = "vm".into();
        stats.pid = 12897;
        stats.checksum = Some("xxh3:f237e4154219eb9f".into());
        stats.cpu_s = Some(0.000145);
        stats.max_rss_kib = Some(3716);
        stats.workers = Some(2);
        stats.repeat = Some(n as u64);
        stats.passes = Some(1);
        stats.invalid = 3;
        records.push(write(stats.clone()));
        stats.notes = vec!["sum exceeds f64".into(), String::new()];
        stats.sum = None;
        stats.checksum = None;
        stats.repeat = None;
        records.push(write(stats));
    }
    records
}

/// The top-level members of a record as written (`"key":value`), by
/// depth and strings: what the mutations reorder, repeat and drop.
fn members(line: &str) -> Vec<String> {
    let inner = &line[1..line.len() - 1];
    let (mut members, mut start, mut depth, mut in_string, mut escaped) =
        (Vec::new(), 0, 0, false, false);
    for (at, byte) in inner.bytes().enumerate() {
        match byte {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'[' | b'{' if !in_string => depth += 1,
            b']' | b'}' if !in_string => depth -= 1,
            b',' if !in_string && depth == 0 => {
                members.push(inner[start..at].to_owned());
                start = at + 1;
            }
            _ => {}
        }
    }
    members.push(inner[start..].to_owned());
    members
}

/// Numbers in every form JSON allows or nearly allows.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "01",
    "1.0",
    "-1.5",
    "0.1",
    "1e3",
    "1E+3",
    "1e-3",
    "2.5e-7",
    "1e400",
    "-1e400",
    "1e-400",
    "4.9e-324",
    "1.7976931348623157e308",
    "18446744073709551615",
    "18446744073709551616",
    "4294967295",
    "4294967296",
    "-3",
    "1.",
    ".5",
    "+1",
    "1.5x",
    "NaN",
    "null",
    "\"1.0\"",
    "123456789012345678901234567890.5",
    "0.30000000000000004",
    "9007199254740993.0",
    "1_0",
    "0x10",
    "true",
    "[]",
    "{}",
];

/// Numbers the hand reader takes, in every form dp-stats might write.
const DECIMALS: &[&str] = &[
    "0.0",
    "-0.0",
    "1.5",
    "-2.25",
    "1e-7",
    "1.5e300",
    "-4.0e-310",
    "5e-324",
    "1.7976931348623157e308",
    "123456789.123456",
    "1234567890123456.7",
    "0.30000000000000004",
    "9007199254740993.0",
    "2E5",
];

/// The members serde may find absent (`#[serde(default)]`).
const OPTIONAL: &[&str] = &[
    "invalid",
    "percentiles",
    "notes",
    "checksum",
    "cpu_s",
    "max_rss_kib",
    "workers",
    "repeat",
    "passes",
];

/// Strings with escapes, unicode, control characters and bad UTF-8.
const STRINGS: &[&str] = &[
    "\"plain\"",
    "\"\"",
    "\"a\\\"b\"",
    "\"a\\\\b\"",
    "\"\\u00e9\"",
    "\"\\ud83d\\ude00\"",
    "\"é🙂\"",
    "\"\\/\"",
    "\"tab\\t\"",
    "\"raw\ttab\"",
    "\"\u{7f}\"",
    "\"\\x\"",
    "null",
    "1.0",
    "\"unterminated",
];

/// Bytes dropped in at random.
const BYTES: &[u8] = b" \t\r\n\x0c\x00\x01\\\",:[]{}-+.eE0123456789nul\x7f\xc3\xa9\xff";

/// One record mutated up to four times: its members, then its bytes.
fn mutate(line: &str, random: &mut SplitMix64) -> Vec<u8> {
    let pick = |random: &mut SplitMix64, n: usize| random.below(n as u64) as usize;
    let mut members = members(line);
    let (times, byte_times) = (pick(random, 3), pick(random, 3));
    for _ in 0..times.max(usize::from(byte_times == 0)) {
        let n = members.len();
        match pick(random, 10) {
            // Keys reordered, repeated, dropped, unknown.
            0 => members.swap(pick(random, n), pick(random, n)),
            1 => {
                let member = members[pick(random, n)].clone();
                members.insert(pick(random, n + 1), member);
            }
            2 => {
                members.remove(pick(random, n));
            }
            3 => members.insert(pick(random, n + 1), "\"extra\":[1,{\"a\":null}]".into()),
            // A value replaced by another number or string.
            4 | 5 => {
                let at = pick(random, n);
                if let Some(colon) = members[at].find(':') {
                    let value = if random.below(2) == 0 {
                        NUMBERS[pick(random, NUMBERS.len())]
                    } else {
                        STRINGS[pick(random, STRINGS.len())]
                    };
                    members[at] = format!("{}:{value}", &members[at][..colon]);
                }
            }
            // What dp-stats may write too: an optional member left out,
            // a null, a point in another form.
            6 => {
                let optional = members.iter().position(|member| {
                    OPTIONAL
                        .iter()
                        .any(|key| member.starts_with(&format!("\"{key}\":")))
                });
                if let Some(at) = optional {
                    members.remove(at);
                }
            }
            7 => {
                let at = pick(random, n);
                if let Some(colon) = members[at].find(':') {
                    members[at] = format!("{}:null", &members[at][..colon]);
                }
            }
            8 | 9 => {
                let digest = members
                    .iter_mut()
                    .find(|member| member.starts_with("\"digest\":"));
                if let Some(digest) = digest {
                    let start = digest.find("\"q\":[").map_or(0, |at| at + 5);
                    let points: Vec<&str> = digest[start..digest.len() - 2].split(',').collect();
                    if !points.is_empty() {
                        let mut points: Vec<String> = points.iter().map(|&p| p.into()).collect();
                        let at = pick(random, points.len());
                        points[at] = DECIMALS[pick(random, DECIMALS.len())].into();
                        *digest = format!("{}{}]}}", &digest[..start], points.join(","));
                    }
                }
            }
            _ => unreachable!(),
        }
    }
    let mut text = format!("{{{}}}", members.join(",")).into_bytes();
    // Then, often, the bytes themselves: a number inside the digest
    // changed, a byte added or dropped, the line cut short.
    for _ in 0..byte_times {
        if text.is_empty() {
            break;
        }
        let at = pick(random, text.len());
        match pick(random, 5) {
            0 => text.insert(at, BYTES[pick(random, BYTES.len())]),
            1 => {
                text.remove(at);
            }
            2 => text[at] = BYTES[pick(random, BYTES.len())],
            3 => text.truncate(at),
            4 => {
                let number = NUMBERS[pick(random, NUMBERS.len())];
                let end = text[at..]
                    .iter()
                    .position(|&byte| matches!(byte, b',' | b']' | b'}'))
                    .map_or(text.len(), |end| at + end);
                text.splice(at..end, number.bytes());
            }
            _ => unreachable!(),
        }
    }
    text
}

/// `Debug` tells `-0.0` from `0.0`, which `PartialEq` does not.
fn same(line: &[u8]) -> Result<bool, String> {
    let fast = format!("{:?}", parse(line));
    let plain = format!("{:?}", parse_record(line));
    if fast != plain {
        return Err(format!(
            "{}\n  by hand: {fast}\n  plain:   {plain}",
            String::from_utf8_lossy(line)
        ));
    }
    Ok(written::stats(line).is_some())
}

#[test]
fn records_as_written_are_read_by_hand() {
    let records = real_records();
    let by_hand = records
        .iter()
        .filter(|line| same(line.as_bytes()).unwrap())
        .count();
    // The fixture's six were rewritten by jq: all but they are read by hand.
    assert_eq!(by_hand, records.len() - 6);
}

#[test]
fn mutated_records_parse_as_by_the_plain_parser() {
    let records = real_records();
    let mut random = SplitMix64(12);
    let (mut by_hand, mut valid) = (0, 0);
    for round in 0..20_000 {
        let line = mutate(&records[round % records.len()], &mut random);
        by_hand += usize::from(same(&line).unwrap_or_else(|why| panic!("{why}")));
        valid += usize::from(matches!(parse_record(&line), Ok(Record::Stats(_))));
    }
    // Enough of each kind that both paths were tried: records read by hand,
    // records only serde takes, and broken ones.
    assert!(by_hand > 2_000, "{by_hand} read by hand");
    assert!(valid > by_hand + 2_000, "{valid} valid, {by_hand} by hand");
    assert!(valid < 15_000, "{valid} valid");
}
