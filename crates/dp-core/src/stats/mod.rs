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
//! [`Moments`] combines files exactly (Chan, Golub and LeVeque), never as a
//! mean of means, and says which statistic its parts leave unknown;
//! [`sum_of`] is a part's sum as [`summarize`] gives it, for checking a file
//! read again against its record.
//!
//! One idea a file: `sum` (compensated sums and the linear passes),
//! `summarize`, `histogram` (the histogram selection and what it buys),
//! `select` (multi-selection in place) and `moments`.

mod histogram;
mod moments;
mod select;
mod sum;
mod summarize;

pub use moments::{Moments, Part, Unknown, sum_of};
pub use sum::CompensatedSum;
pub use summarize::{Selection, Summary, summarize, summarize_with};
