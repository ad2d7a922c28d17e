//! dp-core: what every dp tool shares.
//!
//! - [`record`]: the JSON Lines contract between the tools
//!   (docs/reference.md, "Records"): `file`, `stats`, `error`, `summary`
//!   and `comparison` records, tagged by `type`.
//! - [`io`]: reading records (blank lines skipped, unknown fields and types
//!   ignored, a bad line named by its number), writing each record whole in one
//!   `write(2)`, and writing files atomically (temp file beside it, then rename).
//! - [`cli`]: the process envelope: the tool's name given once, diagnostics
//!   on stderr that never abort, the sticky "some input failed" flag, the
//!   exit codes, a closed stdout treated as a quiet success.
//! - [`manual`]: each tool's examples, records and exit status, for
//!   `--help` and the man page, and the hidden `--generate` that writes the
//!   man page and shell completions `make install` installs.
//! - [`run`]: what a run is called, its span (total time), the baseline and
//!   the speedup: the rules dp-agg and dp-plot share.
//! - [`scaling`]: speedup against workers, efficiency, Karp–Flatt and the
//!   Amdahl fit, for dp-agg's scaling table and dp-plot's scaling chart.
//! - [`pool`]: worker threads taking items one at a time, their results handed
//!   back in input order on the calling thread (dp-gen's files, dp-stats' `-j`).
//! - [`parse`]: the values of a data file, whitespace-separated text or one
//!   CSV column, each number correctly rounded.
//! - [`stats`]: a file's statistics, computed exactly, and their exact
//!   combination across files.
//! - [`memory`]: the `--max-memory` budget, and the values of an input held
//!   under it or summarised exactly in several passes when they do not fit.
//! - [`digest`]: the small mergeable quantile summary every `stats` record
//!   carries, and its proven rank error bound.
//! - [`source`]: a data file's text, read through gzip, zstd or xz when
//!   its magic bytes say it is compressed.
//! - [`splitmix`]: the one SplitMix64, for reproducible bits.
//!
//! `float` (private) holds what `stats` and `digest` both need of floats.

pub mod atomic;
pub mod checksum;
pub mod cli;
pub mod digest;
mod float;
pub mod io;
pub mod lines;
pub mod manifest;
pub mod manual;
pub mod memory;
pub mod names;
pub mod parse;
pub mod pool;
pub mod record;
pub mod run;
pub mod scaling;
pub mod source;
pub mod splitmix;
pub mod stats;
