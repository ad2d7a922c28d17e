//! dp-agg: exact overall statistics, a report and a comparison of runs from dp-stats records.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = dp_agg::Args::parse();
    dp_core::cli::main("dp-agg", || dp_agg::run(&args))
}
