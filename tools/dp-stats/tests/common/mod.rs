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

/// A record compared as the JSON text it serialises to, not as a
/// `serde_json::Value` (whose numbers compare as floats, so −0 and 0, or
/// two points of a digest that differ only in sign, would pass as equal).
#[derive(Clone)]
pub struct Written(pub Value);

impl PartialEq for Written {
    fn eq(&self, other: &Self) -> bool {
        serde_json::to_string(&self.0).ok() == serde_json::to_string(&other.0).ok()
    }
}

impl std::fmt::Debug for Written {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::ops::Deref for Written {
    type Target = Value;
    fn deref(&self) -> &Value {
        &self.0
    }
}

impl std::ops::DerefMut for Written {
    fn deref_mut(&mut self) -> &mut Value {
        &mut self.0
    }
}

/// The record without the fields that differ between two runs of the same
/// work: its timing, what it cost, the process id and the workers
/// (SPEC §8's list).
pub fn without_timing(record: &Value) -> Written {
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
    Written(record)
}
