//! dp-plot: draws dp's timings as charts (PNG or SVG), from `stats` records
//! or GNU parallel joblogs: total time per run, a timeline of every file, or
//! the speedup by workers of a scaling run.

pub mod args;
pub mod base64;
pub mod comparison;
pub mod font;
pub mod joblog;
pub mod labels;
pub mod plain_text;
pub mod raster;
pub mod records;
pub mod render;
pub mod runs;
pub mod scaling;
pub mod theme;
pub mod timeline;

use std::path::PathBuf;

use dp_core::cli::{self, usage};
use dp_core::names;

pub use crate::args::Args;
use crate::args::Kind;
use crate::comparison::Comparison;
use crate::render::Format;
use crate::runs::{Run, Runs};
use crate::timeline::Timeline;

/// Runs dp-plot: reads every run (bad input is reported and the rest
/// drawn), then writes the chart.
pub fn run(args: Args) -> anyhow::Result<()> {
    let format = Format::from_path(&args.output, args.embed_font)?;
    if args.runs.len() > args.joblogs.len() {
        return Err(usage(format!(
            "{} --run names for {} --joblog files: --run names the runs of joblogs \
             (stats records carry their own run)",
            args.runs.len(),
            args.joblogs.len()
        )));
    }

    let runs = read_runs(&args)?;
    if runs.is_empty() {
        let what = if args.joblogs.is_empty() {
            "no stats records in the input"
        } else {
            "no stats records or joblog jobs in the input"
        };
        anyhow::bail!("nothing to plot: {what}");
    }
    let labels: Vec<Option<&str>> = runs.iter().map(|r| r.label.as_deref()).collect();
    let baseline = dp_core::run::baseline(&labels, args.baseline.as_deref()).map_err(usage)?;

    let size = (args.width, args.height);
    let identity = match args.kind {
        Kind::Comparison => {
            let title = args
                .title
                .unwrap_or_else(|| comparison::default_title(&runs));
            let chart = Comparison {
                runs: &runs,
                baseline,
                title,
            };
            render::write(&chart, format, size, &args.output)?
        }
        Kind::Timeline => {
            let title = args.title.unwrap_or_else(|| timeline::DEFAULT_TITLE.into());
            let chart = Timeline {
                runs: &runs,
                title,
                color_by: args.color_by,
                shade: args.shade,
            };
            render::write(&chart, format, size, &args.output)?
        }
        Kind::Scaling => {
            let series = scaling::series(&runs)?;
            let title = args
                .title
                .unwrap_or_else(|| scaling::default_title(&series));
            let chart = scaling::Scaling {
                series: &series,
                cores: args.cores.unwrap_or_else(scaling::available_cores),
                title,
            };
            render::write(&chart, format, size, &args.output)?
        }
    };
    match &args.manifest {
        Some(manifest) => dp_core::manifest::append(manifest, &args.output, identity),
        None => Ok(()),
    }
}

/// Every run of the input: stats records first (in order of appearance),
/// then one per joblog.
fn read_runs(args: &Args) -> anyhow::Result<Vec<Run>> {
    let mut runs = Runs::default();
    let stdin = [PathBuf::from("-")];
    let sources: &[PathBuf] = match (args.files.is_empty(), args.joblogs.is_empty()) {
        (true, true) => &stdin,
        _ => &args.files,
    };
    for source in sources {
        records::read(source, &mut runs);
    }

    for (i, path) in args.joblogs.iter().enumerate() {
        let name = args
            .runs
            .get(i)
            .cloned()
            .unwrap_or_else(|| joblog::run_name(path));
        if runs.contains(&name) {
            return Err(usage(format!(
                "two runs are named '{}' (joblog {}): name them apart with --run",
                names::shown(&name),
                names::shown(&path.display().to_string())
            )));
        }
        if let Some(run) = joblog::read(path, &name)
            && !run.jobs.is_empty()
        {
            runs.push(run);
        }
    }
    let (drawable, refused): (Vec<Run>, Vec<Run>) = runs
        .into_vec()
        .into_iter()
        .partition(|run| run.check_span().is_ok());
    for run in refused {
        if let Err(why) = run.check_span() {
            cli::fail(why);
        }
    }
    Ok(drawable)
}
