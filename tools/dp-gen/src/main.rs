//! dp-gen: sample data files for dp. The work is in the library (`lib.rs`).

use std::process::ExitCode;

fn main() -> ExitCode {
    dp_core::manual::main::<dp_gen::Args>("dp-gen", &dp_gen::args::MANUAL, dp_gen::run)
}
