//! dp-gen: sample data files for dp. The work is in the library (`lib.rs`).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = dp_gen::Args::parse();
    dp_core::cli::main("dp-gen", || dp_gen::run(args))
}
