//! dp-plot's entry point; the tool itself is in lib.rs.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = dp_plot::Args::parse();
    dp_core::cli::main(dp_plot::NAME, || dp_plot::run(args))
}
