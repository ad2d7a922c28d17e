//! dp-agg: exact overall statistics, a report and a comparison of runs from dp-stats records.

use std::process::ExitCode;

/// mimalloc, not the system's: measured, in the workspace's Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    dp_core::manual::main::<dp_agg::Args>("dp-agg", &dp_agg::args::MANUAL, |args| {
        dp_agg::run(&args)
    })
}
