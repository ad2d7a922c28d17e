//! dp-core: what every dp tool shares.
//!
//! - [`record`]: the JSON Lines contract between the tools (SPEC §3): `file`,
//!   `stats`, `error`, `summary` and `comparison` records, tagged by `type`.
//! - [`io`]: reading records (blank lines skipped, unknown fields and types
//!   ignored, a bad line named by its number), writing each record whole in one
//!   `write(2)`, and writing files atomically (temp file beside it, then rename).
//! - [`cli`]: the process envelope: `dp-x: message` on stderr, the exit codes
//!   of SPEC §1, a closed stdout treated as a quiet success.
//! - [`pool`]: worker threads taking items one at a time, their results handed
//!   back in input order on the calling thread (dp-gen's files, dp-stats' `-j`).

pub mod cli;
pub mod digest;
pub mod io;
pub mod parse;
pub mod pool;
pub mod record;
pub mod stats;
