//! The record reader on any bytes: it never panics, ends (a line limit),
//! numbers lines in order, and the checks of what it read never panic.
#![no_main]

use dp_core::io::RecordReader;
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
                line
            }
            Err(bad) => bad.line,
        };
        assert!(line > last, "line {line} after {last}");
        last = line;
    }
});
