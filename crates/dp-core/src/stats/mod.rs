//! The statistics of docs/reference.md ("Values and statistics"): per-file
//! summaries computed exactly, and their exact combination across files.
//!
//! [`summarize`] computes everything in two linear passes plus a selection
//! among few values: the sum is compensated (Neumaier), the variance is a
//! corrected two-pass computation, and the median, quartiles, percentiles
//! and the [`Digest`](crate::digest::Digest) points are exact order
//! statistics. The first pass counts the values in a histogram, the second
//! sets aside those of the buckets that hold a wanted rank, and a
//! multi-selection among them finds the ranks; the data are never sorted.
//! Both passes go over fixed spans of 2^16 values, summed apart and
//! combined in span order, so a big file's passes run on every idle thread
//! of the pool ([`crate::pool::share`]) and every path (one thread or
//! several, held or fed a block at a time, read again) gives the same bits.
//! [`Moments`] combines files exactly (Chan, Golub and LeVeque), never as a
//! mean of means, and says which statistic its parts leave unknown;
//! [`sum_of`] is a part's sum as [`summarize`] gives it, for checking a file
//! read again against its record.
//!
//! Values so large that their sum or squares overflow (`1e308 1e308`,
//! `1e200 -1e200`) are summed scaled by a power of two, exactly; a
//! statistic that is itself beyond f64's range is `None`, with a note
//! saying so (docs/reference.md, "Values and statistics").
//!
//! One idea a file: `sum` (compensated sums and the linear passes),
//! `summarize`, `scaled` (the overflow path), `histogram` (the histogram
//! selection and what it buys), `select` (multi-selection in place),
//! `moments`, and for values too many to hold, `bounded` (the statistics in
//! passes over values read again), `stream` (the linear passes a block at a
//! time) and `brackets` (exact ranks by narrowing brackets).

mod bounded;
mod brackets;
mod histogram;
mod moments;
mod scaled;
mod select;
mod stream;
mod sum;
mod summarize;

pub use bounded::{BoundedSummary, Changed, MIN_BUDGET};
pub use moments::{Moments, Part, Unknown};
pub use stream::{Tallied, Tally};
pub use sum::CompensatedSum;
pub use summarize::{Selection, Summary, sum_of, summarize, summarize_with};
