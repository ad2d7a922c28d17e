//! dp-plot's entry point; the tool itself is in lib.rs.

use std::process::ExitCode;

use dp_plot::{Args, args::MANUAL, run};

fn main() -> ExitCode {
    dp_core::manual::main::<Args>("dp-plot", &MANUAL, run)
}
