//! dp-core: what every dp tool shares.
//!
//! - [`record`]: the JSON Lines contract between the tools (SPEC §3): `file`,
//!   `stats`, `error`, `summary` and `comparison` records, tagged by `type`.
//! - [`io`]: reading records (blank lines skipped, unknown fields and types
//!   ignored, a bad line named by its number), writing each record whole in one
//!   `write(2)`, and writing files atomically (temp file beside it, then rename).
//! - [`cli`]: the process envelope: the tool's name given once, diagnostics
//!   on stderr that never abort, the sticky "some input failed" flag, the
//!   exit codes, a closed stdout treated as a quiet success.
//! - [`run`]: what a run is called, its span (total time), the baseline and
//!   the speedup: the rules dp-agg and dp-plot share.
//! - [`pool`]: worker threads taking items one at a time, their results handed
//!   back in input order on the calling thread (dp-gen's files, dp-stats' `-j`).

pub mod atomic;
pub mod checksum;
pub mod cli;
pub mod digest;
pub mod io;
pub mod lines;
pub mod manifest;
pub mod names;
pub mod parse;
pub mod pool;
pub mod record;
pub mod run;
pub mod splitmix;
pub mod stats;
