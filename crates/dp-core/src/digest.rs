//! A small mergeable quantile summary carried in every `stats` record, so
//! dp-agg can estimate overall quantiles without the data.

use serde::{Deserialize, Serialize};

/// The digest's `kind` tag.
pub const KIND: &str = "quantiles";
/// The digest's format version.
pub const VERSION: u32 = 1;

/// Values at evenly spaced ranks of the sorted data (an equi-depth summary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    pub kind: String,
    pub version: u32,
    /// How many values the digest summarises.
    pub count: u64,
    /// Bound on the rank error of any quantile read from this digest, in values.
    pub rank_err: u64,
    /// `q[j]` is the value of rank `round(j * (count - 1) / (q.len() - 1))`.
    pub q: Vec<f64>,
}
