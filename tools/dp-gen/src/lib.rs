//! dp-gen: writes reproducible sample data files (`DIR/data1.txt` …), one
//! number a line, and reports each as a `file` record; `--verify` checks them.
//!
//! [`run`] turns the flags ([`args`]) into a [`plan::Plan`], validated in
//! full before the disk is touched (including that no file in the way is
//! someone else's, [`ownership`]), then hands over to [`generate`] or
//! [`verify`]. `--adopt` and `--clean` are the manifests' bookkeeping for
//! the Makefile ([`bookkeeping`]).

pub mod args;
pub mod bookkeeping;
pub mod compress;
pub mod decimal;
pub mod generate;
pub mod ownership;
pub mod plan;
pub mod values;
pub mod verify;

use std::num::NonZeroUsize;

use dp_core::cli;

pub use crate::args::Args;
use crate::plan::Plan;

/// Runs dp-gen: validates everything, then writes (or verifies) the files.
pub fn run(args: Args) -> anyhow::Result<()> {
    if !args.adopt.is_empty() {
        return bookkeeping::adopt(&args.adopt);
    }
    if !args.clean.is_empty() {
        return bookkeeping::clean(&args.clean);
    }
    if !args.may_replace.is_empty() {
        let paths = args.may_replace.iter().cloned();
        return ownership::refuse_to_replace_others(
            paths,
            "move what is in the way, or choose another place",
        );
    }
    let plan = Plan::from_args(&args)?;
    let jobs = args.jobs.map_or_else(default_jobs, NonZeroUsize::get);
    if args.verify {
        return verify::verify(&plan, args.seed, jobs);
    }
    generate::check_dir_can_be_made(&plan.dir)?;
    if !args.force {
        let targets = (1..=plan.files).map(|index| plan.path(index));
        ownership::refuse_to_replace_others(targets, "remove what is in the way, or use --force")?;
    }
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
