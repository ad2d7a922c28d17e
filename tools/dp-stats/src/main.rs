//! The dp-stats binary: parse the command line, run, exit with its status.

use std::process::ExitCode;

use clap::Parser;
use dp_stats::{Args, run};

fn main() -> ExitCode {
    let args = Args::parse();
    dp_core::cli::main("dp-stats", || run(args))
}
