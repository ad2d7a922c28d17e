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

/// An estimated quantile and how far its rank may be from the true one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    /// Bound on the rank error as a fraction of the total count (0 = exact).
    pub rank_err: f64,
}

/// API CONTRACT (stub; the stats helper replaces every `todo!`).
impl Digest {
    /// A coarser digest of the same values (about half the points), for
    /// records that must fit in one pipe write; `None` when it cannot shrink.
    pub fn thinned(&self) -> Option<Digest> {
        todo!()
    }

    /// Checks the kind, version and shape of a digest read from a record.
    pub fn validate(&self) -> Result<(), String> {
        todo!()
    }

    /// Estimates quantile `p` (0..=1, inclusive method) of all the values the
    /// digests summarise together, with its rank error bound.
    pub fn quantile(digests: &[&Digest], p: f64) -> Option<Estimate> {
        let _ = (digests, p);
        todo!()
    }

    /// One digest of at most `points` points summarising all of `digests`.
    pub fn merge(digests: &[&Digest], points: usize) -> Digest {
        let _ = (digests, points);
        todo!()
    }
}
