//! dp-agg: reads `stats` and `error` records, groups them by run, combines
//! each run's statistics exactly, and compares the runs' timings.
//!
//! The flow is one pass each: [`input`] reads the records into [`group`]'s
//! runs (and each run's repeats), [`overall`] and [`timing`] summarise each
//! run, [`compare`] sets the runs against the baseline and each run's
//! repeats against its first, [`scaling`] adds the scaling table, and one
//! of [`report`]'s faces prints it all.
//! The flags are in [`args`]; this file only orchestrates.

pub mod args;
pub mod compare;
pub mod digests;
pub mod group;
pub mod input;
pub mod overall;
pub mod records;
pub mod report;
pub mod reread;
pub mod scaling;
pub mod timing;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use dp_core::cli::{self, usage};

pub use crate::args::Args;
use crate::args::Format;
use crate::group::Run;
use crate::report::Report;
use crate::scaling::ScalingReport;

/// Runs dp-agg: reads, summarises, compares and prints.
pub fn run(args: &Args) -> anyhow::Result<()> {
    if args.files.is_empty() && io::stdin().is_terminal() {
        return Err(usage(
            "no input: give files of records, or pipe dp-stats into dp-agg (see --help)",
        ));
    }
    // Before any file is opened: one opened now could take the closed
    // stdout's place.
    let output = Output::of(args)?;
    let input = input::read_runs(&args.files);
    let runs = input.runs;
    if runs.is_empty() {
        cli::fail("no stats or error records in the input");
        return Ok(());
    }
    let labels: Vec<Option<&str>> = runs.iter().map(|run| run.label.as_deref()).collect();
    let baseline = dp_core::run::baseline(&labels, args.baseline.as_deref()).map_err(usage)?;
    let report = Report::build(
        &runs,
        input.unread,
        args.quantile_policy(),
        baseline,
        args.scaling,
        args.max_memory
            .unwrap_or_else(dp_core::memory::Budget::default_limit),
    );
    fail_on_what_the_report_shows(&runs, &report);
    let written = output.write(|out| write(&report, args, out));
    // The process ends here: the runs' millions of allocations are left to
    // it, not freed one by one (1.5% of dp-agg's instructions).
    std::mem::forget(report);
    std::mem::forget(runs);
    written
}

/// Files that failed and runs that differ are in the report; stderr says
/// so in a line, and the exit status is 1.
fn fail_on_what_the_report_shows(runs: &[Run], report: &Report) {
    for run in runs {
        let failed = run.errors().len();
        if failed > 0 {
            cli::fail(format_args!(
                "run {}: {failed} of {} files failed",
                run.shown_name(),
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
    if !report.repeat_differences.is_empty() {
        cli::fail("the repeats' results differ (see the report)");
    }
    for scaling in &report.scaling {
        if let ScalingReport::Refused(why) = scaling {
            cli::fail(why);
        }
    }
}

/// Writes the report in the chosen format.
fn write(report: &Report, args: &Args, out: &mut dyn Write) -> anyhow::Result<()> {
    match args.format {
        Format::Text => report::text::write(report, args.files_limit, out)?,
        Format::Markdown => report::markdown::write(report, args.files_limit, out)?,
        Format::Json => report::json::write(report, out)?,
        Format::Csv => report::csv::write(report, out)?,
        Format::Html => report::html::write(report, &report::html::Page::of(args), out)?,
    }
    Ok(())
}

/// Where the report goes.
enum Output<'a> {
    /// stdout: no `--output`, or `-o -`.
    Stdout,
    /// A file, written atomically, and recorded in the manifest if given.
    File {
        path: &'a Path,
        manifest: Option<&'a PathBuf>,
    },
}

impl<'a> Output<'a> {
    /// The output `args` ask for. A closed stdout is an error: Rust's
    /// stdout takes writes to a closed descriptor as done, so the report
    /// would be lost with exit 0.
    fn of(args: &'a Args) -> anyhow::Result<Self> {
        let output = match args.output.as_deref() {
            None => Output::Stdout,
            Some(path) if path == Path::new("-") => Output::Stdout,
            Some(path) => Output::File {
                path,
                manifest: args.manifest.as_ref(),
            },
        };
        match output {
            Output::Stdout if args.manifest.is_some() => {
                return Err(usage(format!(
                    "--manifest records files dp writes; -o {} is not one",
                    args.output.as_deref().unwrap_or(Path::new("-")).display()
                )));
            }
            Output::Stdout if !cli::stdout_is_open() => {
                anyhow::bail!("stdout is closed: the report would be lost (give -o FILE)");
            }
            _ => {}
        }
        Ok(output)
    }

    /// Writes the report with `fill`.
    fn write(&self, fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>) -> anyhow::Result<()> {
        match self {
            Output::Stdout => {
                let stdout = io::stdout();
                let mut out = io::BufWriter::new(stdout.lock());
                fill(&mut out)
                    .and_then(|()| Ok(out.flush()?))
                    .context("cannot write the report to stdout")
            }
            Output::File { path, manifest } => {
                let identity = dp_core::atomic::write_atomic(path, |out| fill(out))?;
                match manifest {
                    Some(manifest) => dp_core::manifest::append(manifest, path, identity),
                    None => Ok(()),
                }
            }
        }
    }
}
