//! dp-agg: reads `stats` and `error` records, groups them by run, combines
//! each run's statistics exactly, and compares the runs' timings.
//!
//! The flow is one pass each: [`input`] reads the records into [`group`]'s
//! runs, [`overall`] and [`timing`] summarise each run, [`compare`] sets the
//! runs against the baseline, and one of [`report`]'s faces prints it all.
//! The flags are in [`args`]; this file only orchestrates.

pub mod args;
pub mod compare;
pub mod digests;
pub mod group;
pub mod input;
pub mod overall;
pub mod report;
pub mod reread;
pub mod timing;

use std::io::{self, IsTerminal, Write};

use dp_core::cli::{self, usage};

pub use crate::args::Args;
use crate::args::Format;
use crate::group::Run;
use crate::report::Report;

/// Runs dp-agg: reads, summarises, compares and prints.
pub fn run(args: &Args) -> anyhow::Result<()> {
    if args.files.is_empty() && io::stdin().is_terminal() {
        return Err(usage(
            "no input: give files of records, or pipe dp-stats into dp-agg (see --help)",
        ));
    }
    let runs = input::read_runs(&args.files);
    if runs.is_empty() {
        cli::fail("no stats or error records in the input");
        return Ok(());
    }
    let labels: Vec<Option<&str>> = runs.iter().map(|run| run.label.as_deref()).collect();
    let baseline = dp_core::run::baseline(&labels, args.baseline.as_deref()).map_err(usage)?;
    let report = Report::build(&runs, args.quantile_policy(), baseline);
    fail_on_what_the_report_shows(&runs, &report);
    write(&report, args)
}

/// Files that failed and runs that differ are in the report; stderr says
/// so in a line, and the exit status is 1.
fn fail_on_what_the_report_shows(runs: &[Run], report: &Report) {
    for run in runs {
        let failed = run.errors().len();
        if failed > 0 {
            cli::fail(format_args!(
                "run {}: {failed} of {} files failed",
                dp_core::run::name(run.label.as_deref()),
                run.len()
            ));
        }
    }
    if report
        .comparison
        .as_ref()
        .is_some_and(|comparison| !comparison.differences.is_empty())
    {
        cli::fail("the runs' results differ (see the report)");
    }
}

/// Writes the report in the chosen format to stdout or to `--output`.
fn write(report: &Report, args: &Args) -> anyhow::Result<()> {
    let write = |out: &mut dyn Write| -> anyhow::Result<()> {
        match args.format {
            Format::Text => report::text::write(report, args.files_limit, out)?,
            Format::Markdown => report::markdown::write(report, args.files_limit, out)?,
            Format::Json => report::json::write(report, out)?,
            Format::Csv => report::csv::write(report, out)?,
        }
        Ok(())
    };
    match &args.output {
        Some(path) => {
            let identity = dp_core::atomic::write_atomic(path, |out| write(out))?;
            match &args.manifest {
                Some(manifest) => dp_core::manifest::append(manifest, path, identity),
                None => Ok(()),
            }
        }
        None => {
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            write(&mut out)?;
            out.flush()?;
            Ok(())
        }
    }
}
