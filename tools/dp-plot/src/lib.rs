//! dp-plot: draws dp's timings as charts (PNG or SVG), from `stats` records
//! or GNU parallel joblogs: total time per run, or a timeline of every file.

pub mod base64;
pub mod comparison;
pub mod font;
pub mod input;
pub mod joblog;
pub mod labels;
pub mod raster;
pub mod render;
pub mod theme;
pub mod timeline;

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Parser;
use dp_core::cli::usage;

use crate::comparison::Comparison;
use crate::input::{Run, Runs};
use crate::render::Format;
use crate::timeline::{ColorBy, Timeline};

/// The name diagnostics start with.
pub const NAME: &str = "dp-plot";

const EXAMPLES: &str = "\
Examples:
  # Sequential vs parallel: total time per run, with the speedup
  dp-plot -o compare.png results/sequential.jsonl results/parallel.jsonl

  # When each file was processed, coloured by the process that did it
  cat results/*.jsonl | dp-plot --kind timeline --color-by pid -o timeline.svg

  # GNU parallel's own log of a run
  parallel --joblog gnu.log dp-stats --run gnu-parallel {} ::: data/*.txt > gnu.jsonl
  dp-plot --kind timeline --joblog gnu.log --run gnu-parallel -o gnu.png

The chart's format follows the output's extension (.png or .svg). PNG text
uses an embedded font (Noto Sans): no system fonts are needed. SVG text uses
the viewer's fonts, or with --embed-font the same Noto Sans, written into the
file.";

#[derive(Debug, Parser)]
#[command(
    name = NAME,
    version,
    about = "Draw dp's timings as a chart: total time per run, or a timeline of every file",
    after_help = EXAMPLES
)]
pub struct Args {
    /// Files of `stats` records (JSON Lines), `-` for stdin; with no FILE and
    /// no --joblog, stdin is read. Records of other types are ignored.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The chart to write: FILE.png or FILE.svg
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,

    /// What to draw
    #[arg(short, long, value_enum, default_value_t = Kind::Comparison)]
    pub kind: Kind,

    /// A GNU parallel --joblog file: one run (repeatable)
    #[arg(long = "joblog", value_name = "FILE")]
    pub joblogs: Vec<PathBuf>,

    /// Name of the run of the matching --joblog, in the same order
    /// (default: the joblog's file name without its extension)
    #[arg(long = "run", value_name = "NAME")]
    pub runs: Vec<String>,

    /// The chart's title
    #[arg(long)]
    pub title: Option<String>,

    /// Timeline bar colours: by run, by process (pid), or by worker slot
    #[arg(long, value_enum, default_value_t = ColorBy::Run)]
    pub color_by: ColorBy,

    /// Width of the picture in pixels
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(200..=8000))]
    pub width: u32,

    /// Height of the picture in pixels
    #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u32).range(150..=8000))]
    pub height: u32,

    /// SVG: embed the Noto Sans the layout was measured with (about 530 KB),
    /// so every viewer draws the same text; without it SVG text uses the
    /// viewer's fonts, with room to spare
    #[arg(long)]
    pub embed_font: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// One bar per run: total time, labelled with the speedup over the
    /// baseline (the run `sequential`, else the first)
    Comparison,
    /// One bar per file from its start to its end, a panel per run
    Timeline,
}

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

    let (runs, failed) = read_runs(&args)?;
    if runs.is_empty() {
        let what = if args.joblogs.is_empty() {
            "no stats records in the input"
        } else {
            "no stats records or joblog jobs in the input"
        };
        anyhow::bail!("nothing to plot: {what}");
    }

    let size = (args.width, args.height);
    match args.kind {
        Kind::Comparison => {
            let title = args
                .title
                .unwrap_or_else(|| comparison::default_title(&runs));
            let chart = Comparison { runs: &runs, title };
            render::write(&chart, format, size, &args.output)?;
        }
        Kind::Timeline => {
            let title = args.title.unwrap_or_else(|| timeline::DEFAULT_TITLE.into());
            let chart = Timeline {
                runs: &runs,
                title,
                color_by: args.color_by,
            };
            render::write(&chart, format, size, &args.output)?;
        }
    }
    {
        if failed {
            dp_core::cli::set_failed();
        }
        Ok(())
    }
}

/// Every run of the input: stats records first (in order of appearance),
/// then one per joblog. Bad input is reported as it is met; the flag says
/// whether there was any.
fn read_runs(args: &Args) -> anyhow::Result<(Vec<Run>, bool)> {
    let mut runs = Runs::default();
    let mut failed = false;
    let stdin = [PathBuf::from("-")];
    let sources: &[PathBuf] = match (args.files.is_empty(), args.joblogs.is_empty()) {
        (true, true) => &stdin,
        _ => &args.files,
    };
    for source in sources {
        failed |= input::read_stats(source, &mut runs);
    }

    for (i, path) in args.joblogs.iter().enumerate() {
        let name = args
            .runs
            .get(i)
            .cloned()
            .unwrap_or_else(|| joblog::run_name(path));
        if runs.contains(&name) {
            return Err(usage(format!(
                "two runs are named '{name}' (joblog {}): name them apart with --run",
                path.display()
            )));
        }
        match read_joblog(path, &name) {
            Ok((run, bad_lines)) => {
                failed |= bad_lines;
                if !run.jobs.is_empty() {
                    runs.push(run);
                }
            }
            Err(err) => {
                dp_core::cli::warn(format_args!("{err:#}"));
                failed = true;
            }
        }
    }
    Ok((runs.into_vec(), failed))
}

/// One joblog as a run; bad lines are reported (`FILE:LINE: ...`) and
/// skipped, and the flag says whether there were any.
fn read_joblog(path: &Path, name: &str) -> anyhow::Result<(Run, bool)> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let (run, errors) =
        joblog::parse(&text, name).map_err(|err| anyhow::anyhow!("{}:{err}", path.display()))?;
    for err in &errors {
        dp_core::cli::warn(format_args!("{}:{err}", path.display()));
    }
    Ok((run, !errors.is_empty()))
}
