//! dp-plot's command line: its flags and what their values mean.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use dp_core::manual::Manual;

/// What `--help` and the man page say besides the flags.
pub const MANUAL: Manual = Manual {
    examples: "  # Sequential vs parallel: total time per run, with the speedup
  dp-plot -o compare.png results/sequential.jsonl results/parallel.jsonl

  # When each file was processed, coloured by the process that did it
  cat results/*.jsonl | dp-plot --kind timeline --color-by pid -o timeline.svg

  # Speedup against workers of `make scaling`'s runs (parallel-j1, -j2, ...)
  dp-plot --kind scaling -o scaling.png results/parallel-j*/*.jsonl

  # GNU parallel's own log of a run
  parallel --joblog gnu.log dp-stats --run gnu-parallel {} ::: data/*.txt > gnu.jsonl
  dp-plot --kind timeline --joblog gnu.log --run gnu-parallel -o gnu.png",
    notes: "\
The chart's format follows the output's extension (.png or .svg). PNG text
uses an embedded font (Noto Sans): no system fonts are needed. SVG text uses
the viewer's fonts, or with --embed-font the same Noto Sans, written into the
file. Besides records it reads GNU parallel's --joblog files; it writes
the chart, and with --manifest its record there.",
    reads: &["stats"],
    writes: &["written"],
    exit_status: "0 the chart was written; 1 some input failed; 2 usage error (a bad
flag or value, an output name with no known extension, an unknown --baseline).",
};

#[derive(Debug, Parser)]
#[command(
    name = "dp-plot",
    version,
    about = "Draw dp's timings as a chart: total time per run, a timeline of every file, or speedup by workers",
    after_help = MANUAL.after_help()
)]
pub struct Args {
    /// Files of `stats` records (JSON Lines), `-` for stdin; with no FILE and
    /// no --joblog, stdin is read. Records of other types are ignored.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The chart to write: FILE.png or FILE.svg
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,

    /// Also record the chart, once in place, in the manifest FILE
    /// (appended; what `make clean` removes, by identity)
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,

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

    /// The run the others are compared with [default: `sequential` if
    /// present, else the first run]; `--kind scaling` takes T_1 as dp-agg
    /// does (the one-worker run, else `sequential`).
    #[arg(long, value_name = "RUN")]
    pub baseline: Option<String>,

    /// The chart's title
    #[arg(long)]
    pub title: Option<String>,

    /// Timeline bar colours: by run, by process (pid), by worker slot, or by
    /// the host that did the job (records' `host`, a joblog's Host column),
    /// each panel naming its hosts
    #[arg(long, value_enum, default_value_t = ColorBy::Run)]
    pub color_by: ColorBy,

    /// Scaling: where the machine's cores are marked [default: the cores
    /// available to dp-plot]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub cores: Option<u64>,

    /// Timeline: shade each bar by what its job did (`cpu`: pale when it
    /// waited, full when on a CPU all along: its record's cpu_s / elapsed_s)
    #[arg(long, value_enum, default_value_t = Shade::None)]
    pub shade: Shade,

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// One bar per run: total time, labelled with the speedup over the
    /// baseline (--baseline, else the run `sequential`, else the first)
    Comparison,
    /// One bar per file from its start to its end, a panel per run
    Timeline,
    /// Speedup against workers (log₂) of runs labelled `<mode>-j<p>` (or
    /// whose records say their `workers`), ± σ over the repeats, with the
    /// ideal S = p, Amdahl's fit, the machine's cores, and the efficiency
    /// S/p below; T_1 is the one-worker run, else `sequential`
    Scaling,
}

/// What a timeline bar's shade tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shade {
    /// Every bar in its full colour.
    None,
    /// The share of the job's time on a CPU (cpu_s / elapsed_s): pale when
    /// it waited; bars whose record does not say stay in full colour.
    Cpu,
}

/// What a timeline bar's colour tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorBy {
    /// The run (one colour per panel).
    Run,
    /// The process that did the job (joblogs, which have no pid: the slot).
    Pid,
    /// The worker slot: the lane a job ran in, reconstructed from the times.
    Slot,
    /// The host that did the job: records' `host`, a joblog's Host column
    /// (`:`, GNU parallel's local machine, shown as `local`).
    Host,
}
