//! dp-gen's command line: its flags, their help and examples.

use std::num::NonZeroUsize;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use dp_core::manual::Manual;

use crate::compress::Compress;
use crate::decimal::MAX_DECIMALS;

/// What `--help` and the man page say besides the flags.
pub const MANUAL: Manual = Manual {
    examples: "  dp-gen                                      5 files of 1000 values in /tmp/data_processing
  dp-gen --files 20 --count 1000000 --seed 7  20 files of a million values, reproducible
  dp-gen --dist normal --mean 50 --stddev 10 --dir data
  dp-gen --dist exponential --mean 2 --decimals 3
  dp-gen --seed 42 --dir data | jq -r .path   the paths of the files written
  dp-gen --seed 42 --dir data --verify        check them: exit 1 if any differs
  dp-gen --clean data                         remove what dp wrote in data, nothing else",
    notes: "\
Without --seed a random seed is drawn and printed on stderr; give it back with
--seed to get the same bytes. File i depends only on the seed, i and the
distribution: --files and -j never change a file's content.

Every file dp-gen writes is recorded in DIR/.dp-manifest.jsonl by its identity
(device, inode, size, modification time) as soon as it is in place; a file of
that name that is not listed as it is now is not dp-gen's to replace.",
    reads: &["written"],
    writes: &["file", "verify", "error", "written"],
    exit_status: "0 all went well; 1 some file could not be written, or --verify
found a file that differs; 2 usage error, or a file in the way that dp-gen
did not write (nothing is written then).",
};

/// Writes N files of random numbers, one a line, and one JSON `file` record
/// per file on stdout.
#[derive(Debug, Parser)]
#[command(name = "dp-gen", version, after_help = MANUAL.after_help())]
pub struct Args {
    /// How many files to write
    #[arg(long, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub files: u64,

    /// How many values each file holds
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub count: u64,

    /// Directory for the files, created with its parents if missing
    #[arg(long, value_name = "DIR", default_value = "/tmp/data_processing")]
    pub dir: PathBuf,

    /// File names are PREFIX1.txt … PREFIXN.txt
    #[arg(long, value_name = "PREFIX", default_value = "data")]
    pub prefix: String,

    /// Seed of the random streams [default: drawn at random and reported]
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Digits after the decimal point
    #[arg(long, value_name = "N", default_value_t = 6,
          value_parser = clap::value_parser!(u32).range(0..=i64::from(MAX_DECIMALS)))]
    pub decimals: u32,

    /// Store each file's text compressed, under the same name (dp reads a
    /// file by its content, not its name); --verify checks the format too
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Compress::None)]
    pub compress: Compress,

    /// Threads writing files [default: the number of cores]
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<NonZeroUsize>,

    /// Write nothing: check that the files exist and hold --count numbers
    /// (with --seed: exactly the bytes dp-gen would write); exit 1 if not
    #[arg(long)]
    pub verify: bool,

    /// Replace files that dp-gen did not write, or that changed since it
    /// wrote them; without --force such a file stops the run (exit 2) before
    /// anything is written
    #[arg(long, conflicts_with = "verify")]
    pub force: bool,

    #[command(flatten)]
    pub distribution: DistArgs,

    /// Record in the manifest of each FILE's directory that dp wrote FILE,
    /// as it is now: for files the Makefile writes itself
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = WRITING,
          help_heading = "Manifests")]
    pub adopt: Vec<PathBuf>,

    /// Remove each file the manifests of the DIRs list while it is still the
    /// very file dp wrote (the others stay, and are named), then the DIRs
    /// dp wrote in, once empty: `make clean`
    #[arg(long, value_name = "DIR", num_args = 1.., conflicts_with_all = WRITING,
          conflicts_with = "adopt", help_heading = "Manifests")]
    pub clean: Vec<PathBuf>,

    /// Write nothing: exit 0 if dp may replace each FILE (it is missing, or
    /// still the very file dp wrote), else name the others and exit 2
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = WRITING,
          conflicts_with_all = ["adopt", "clean"], help_heading = "Manifests")]
    pub may_replace: Vec<PathBuf>,
}

/// The flags of writing and checking data files, which --adopt and --clean
/// do not take.
const WRITING: [&str; 15] = [
    "files", "count", "dir", "prefix", "seed", "decimals", "compress", "jobs", "verify", "force",
    "dist", "min", "max", "mean", "stddev",
];

/// The distribution flags, under their own heading in `--help`.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Distribution")]
pub struct DistArgs {
    /// Distribution of the values
    #[arg(long, value_enum, default_value_t = DistKind::Uniform)]
    pub dist: DistKind,

    /// Lower bound of uniform values [default: 0]
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub min: Option<f64>,

    /// Upper bound of uniform values, excluded [default: 100]
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub max: Option<f64>,

    /// Mean of normal values [default: 50] or of exponential ones [default: 1]
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub mean: Option<f64>,

    /// Standard deviation of normal values [default: 10]
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub stddev: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DistKind {
    /// Uniform on [--min, --max)
    Uniform,
    /// Normal (Gaussian) with --mean and --stddev
    Normal,
    /// Exponential with --mean (rate 1/mean), values ≥ 0
    Exponential,
}
