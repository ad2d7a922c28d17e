//! dp-gen: writes reproducible sample data files (`DIR/data1.txt` …), one
//! number a line, and reports each as a `file` record; `--verify` checks them.
//!
//! [`run`] turns the flags ([`args`]) into a [`plan::Plan`], validated in
//! full before the disk is touched, then hands over to [`generate`] or
//! [`verify`].

pub mod args;
pub mod decimal;
pub mod generate;
pub mod plan;
pub mod values;
pub mod verify;

use std::num::NonZeroUsize;

use dp_core::cli;

pub use crate::args::Args;
use crate::plan::Plan;

/// Runs dp-gen: validates everything, then writes (or verifies) the files.
pub fn run(args: Args) -> anyhow::Result<()> {
    let plan = Plan::from_args(&args)?;
    let jobs = args.jobs.map_or_else(default_jobs, NonZeroUsize::get);
    if args.verify {
        return verify::verify(&plan, args.seed, jobs);
    }
    generate::check_dir_can_be_made(&plan.dir)?;
    let seed = args.seed.unwrap_or_else(drawn_seed);
    generate::create_dir(&plan.dir)?;
    generate::generate(&plan, seed, jobs)
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// A random seed below 2^53, so that tools reading records as JSON numbers
/// (jq, JavaScript) keep it exact; reported, so the data can be made again.
fn drawn_seed() -> u64 {
    let seed = rand::random::<u64>() >> 11;
    cli::warn(format_args!("seed {seed} (use --seed {seed} to reproduce)"));
    seed
}
