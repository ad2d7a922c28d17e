//! The dp-stats binary: parse the command line, run, exit with its status.

use std::process::ExitCode;

use dp_stats::{Args, args::MANUAL, run};

fn main() -> ExitCode {
    dp_core::manual::main::<Args>("dp-stats", &MANUAL, run)
}
