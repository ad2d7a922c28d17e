//! What dp-stats' tests share beyond dp-testkit: the fixtures by the path
//! records give them, and records without what differs between two runs.

#![allow(dead_code)] // each test file uses its own part of these helpers

use serde_json::Value;

/// A fixture under tests/data, as the path records name it.
pub fn fixture_str(name: &str) -> String {
    dp_testkit::fixture(env!("CARGO_MANIFEST_DIR"), name)
        .to_string_lossy()
        .into_owned()
}

/// The record without the fields that differ between two runs of the same
/// work: its timing, what it cost, the process id and the workers
/// (SPEC §8's list).
pub fn without_timing(record: &Value) -> Value {
    let mut record = record.clone();
    if let Some(fields) = record.as_object_mut() {
        for field in [
            "started_at",
            "finished_at",
            "elapsed_s",
            "cpu_s",
            "max_rss_kib",
            "pid",
            "workers",
        ] {
            fields.remove(field);
        }
    }
    record
}
