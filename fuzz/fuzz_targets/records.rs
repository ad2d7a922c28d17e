//! The record reader on any bytes: it never panics, ends (a line limit),
//! numbers lines in order, and the checks of what it read never panic.
//! Every record it reads, written again as dp writes records, reads back
//! the same: writer and reader agree on every value.
#![no_main]

use dp_core::io::{RecordReader, parse_record, to_json_line};
use dp_core::record::Record;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut last = 0;
    for item in RecordReader::new(data, "fuzz") {
        let Ok(item) = item else { break };
        let line = match item {
            Ok((line, record)) => {
                if let Record::Stats(stats) = &record {
                    let _ = stats.check();
                    let _ = stats.digest.validate();
                }
                if !matches!(record, Record::Unknown) {
                    let mut written = Vec::new();
                    to_json_line(&record, &mut written).expect("a record read can be written");
                    let again = parse_record(written.trim_ascii_end());
                    assert_eq!(again.as_ref(), Ok(&record), "{}", String::from_utf8_lossy(&written));
                }
                line
            }
            Err(bad) => bad.line,
        };
        assert!(line > last, "line {line} after {last}");
        last = line;
    }
});
