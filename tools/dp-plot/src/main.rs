//! dp-plot's entry point; the tool itself is in lib.rs.

use std::process::ExitCode;

use clap::Parser;
use dp_plot::{Args, run};

fn main() -> ExitCode {
    let args = Args::parse();
    dp_core::cli::main("dp-plot", || run(args))
}
