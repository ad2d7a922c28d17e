//! dp-agg's command line: its flags, and the parsers of their values.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use dp_core::manual::Manual;

use crate::overall::QuantilePolicy;

/// What `--help` and the man page say besides the flags.
pub const MANUAL: Manual = Manual {
    examples: "  dp-stats --run sequential data/*.txt | dp-agg
  cat results/*.stats.json | dp-agg --format markdown > report.md
  dp-agg sequential.jsonl parallel.jsonl            # compare two runs
  dp-agg --format json runs.jsonl | jq 'select(.type == \"comparison\")'
  dp-agg --no-exact --files-limit 0 big-run.jsonl    # digests only, no file table
  dp-agg --format html -o report.html runs.jsonl     # one page for a browser, offline",
    notes: "\
Runs are the records' `run` labels, in order of first appearance; records
without one form the run `(no run)`. The baseline of the comparison is the run
named `sequential`, else the first (or --baseline). A file recorded twice in
one repeat of a run counts once, with its later record, and a warning says so.

Repeats: records carry `repeat`; a run's total time is measured per repeat and
given as mean ± σ (min–max), the speedup with its σ, and every repeat must
have computed the same statistics. Runs labelled `<mode>-j<p>` (two or more of
one mode), or every run with --scaling, get the scaling table: speedup,
efficiency, Karp–Flatt e_p and Amdahl's fitted serial fraction, against T_1,
the mode's one-worker run, else the run named `sequential`.

Quantiles (median, q1, q3) are exact when dp-agg can read the data files again
(by the paths in the records, relative to the current directory; each must
still be what its record describes: count, min, max, the sum bit for bit and
the checksum where the record has one) and the run has at most --exact-limit
values; otherwise they are estimated from the records' digests and the report
gives the bound on their rank error. Runs over the same files share one
reading. Count, sum, min, max, mean, variance and stddev are always exact:
combined from the per-file records, never a mean of means; what the records
do not say (a sum beyond f64's range) leaves the overall statistic unknown,
with a note that says why.

Every line dp-agg cannot use is named on stderr and counted in the report:
a record it refuses (impossible, such as min > max or a negative variance,
or not a valid record of its type) fails its file in its run; a line that is
not a record at all counts among the input's skipped lines.",
    reads: &["stats", "error"],
    writes: &["summary", "comparison", "scaling", "written"],
    exit_status: "0 all went well; 1 some input failed (an `error` record, a
refused record, a line that is not a record, runs or repeats whose statistics
differ, a scaling table without T_1, --exact not possible, a closed stdout), the report is still complete; 2
usage error.",
};

/// Combines dp-stats records into exact overall statistics per run, and
/// compares the runs' wall-clock times.
#[derive(Debug, Parser)]
#[command(name = "dp-agg", version, about, after_long_help = MANUAL.after_help())]
pub struct Args {
    /// Files of records (dp-stats output, JSON Lines); `-` or none for stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Always read the data files for exact quantiles, whatever
    /// --exact-limit; failing to is an error.
    #[arg(long, conflicts_with = "no_exact")]
    pub exact: bool,

    /// Never read the data files: quantiles from the digests.
    #[arg(long)]
    pub no_exact: bool,

    /// Most values a run may hold for its quantiles to be computed exactly
    /// (8 bytes of memory each).
    #[arg(long, value_name = "N", default_value_t = 100_000_000)]
    pub exact_limit: u64,

    /// Hold at most SIZE of values when reading the data files again
    /// (`64M`, `2G`; K, M, G are powers of 1024): a run whose values do not
    /// fit is read again as many times as its exact quantiles need.
    /// Default: half of the machine's memory.
    #[arg(long, value_name = "SIZE", value_parser = dp_core::memory::parse_size)]
    pub max_memory: Option<usize>,

    /// Rows of the per-file table shown per run in text, markdown and html: a
    /// number (0 hides the table) or `all`. CSV always has every file.
    #[arg(long, value_name = "N|all", default_value = "20", value_parser = parse_files_limit)]
    pub files_limit: FilesLimit,

    /// The run the others are compared with [default: `sequential` if
    /// present, else the first run].
    #[arg(long, value_name = "RUN")]
    pub baseline: Option<String>,

    /// Add the scaling table over every run, p from each run's records'
    /// `workers` [default: only for two runs or more labelled
    /// `<mode>-j<p>`].
    #[arg(long)]
    pub scaling: bool,

    /// Write the report to FILE (atomically: whole or not at all) instead of
    /// stdout; `-` is stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// With --output: also record the report, once in place, in the
    /// manifest FILE (appended; what `make clean` removes, by identity).
    #[arg(long, value_name = "FILE", requires = "output")]
    pub manifest: Option<PathBuf>,

    /// HTML: a setting of what made the records that they do not say
    /// themselves (`DELAY_MODE=sleep`), shown among the page's parameters
    /// (repeatable, in order).
    #[arg(long = "setting", value_name = "NAME=VALUE", value_parser = parse_setting)]
    pub settings: Vec<(String, String)>,

    /// HTML: the command that made the records, shown as how to reproduce
    /// the measurement (`make compare` gives its own).
    #[arg(long, value_name = "COMMAND")]
    pub command: Option<String>,
}

/// The faces of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned tables for a terminal, ending with the performance comparison.
    Text,
    /// The same as Markdown tables.
    Markdown,
    /// One `summary` record per run and one `comparison` record (JSON Lines).
    Json,
    /// The per-file table of every run.
    Csv,
    /// One self-contained page (no network): the comparison, dp-plot's
    /// charts as inline SVG, the statistics, a sortable per-file table.
    Html,
}

/// How many per-file rows to show per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilesLimit {
    All,
    First(usize),
}

/// Parses --setting: `NAME=VALUE`, NAME not empty.
pub fn parse_setting(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("'{text}' is not NAME=VALUE")),
    }
}

/// Parses --files-limit: a number, or `all`.
pub fn parse_files_limit(text: &str) -> Result<FilesLimit, String> {
    if text == "all" {
        return Ok(FilesLimit::All);
    }
    text.parse()
        .map(FilesLimit::First)
        .map_err(|_| format!("'{text}' is neither a number nor `all`"))
}

impl Args {
    /// When to read the data files again, from --exact, --no-exact and
    /// --exact-limit.
    pub fn quantile_policy(&self) -> QuantilePolicy {
        if self.no_exact {
            QuantilePolicy::Digest
        } else if self.exact {
            QuantilePolicy::Exact
        } else {
            QuantilePolicy::Auto {
                limit: self.exact_limit,
            }
        }
    }
}
