//! dp-gen: writes reproducible sample data files (`DIR/data1.txt` …), one
//! number a line, and reports each as a `file` record; `--verify` checks them.
//!
//! [`Args`] are the flags, [`run`] validates all of them before touching the
//! disk, then hands over to [`generate`] or [`verify`].

pub mod decimal;
pub mod generate;
pub mod values;
pub mod verify;

use std::io;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};

use clap::{Parser, ValueEnum};
use dp_core::cli::usage;

use crate::decimal::MAX_DECIMALS;
use crate::values::{Distribution, ValueStream};

const EXAMPLES: &str = "\
Examples:
  dp-gen                                      5 files of 1000 values in /tmp/data_processing
  dp-gen --files 20 --count 1000000 --seed 7  20 files of a million values, reproducible
  dp-gen --dist normal --mean 50 --stddev 10 --dir data
  dp-gen --dist exponential --mean 2 --decimals 3
  dp-gen --seed 42 --dir data | jq -r .path   the paths of the files written
  dp-gen --seed 42 --dir data --verify        check them: exit 1 if any differs

Without --seed a random seed is drawn and printed on stderr; give it back with
--seed to get the same bytes. File i depends only on the seed, i and the
distribution: --files and -j never change a file's content.";

/// Writes N files of random numbers, one a line, and one JSON `file` record
/// per file on stdout.
#[derive(Debug, Parser)]
#[command(name = "dp-gen", version, after_help = EXAMPLES)]
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

    /// Threads writing files [default: the number of cores]
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<NonZeroUsize>,

    /// Write nothing: check that the files exist and hold --count numbers
    /// (with --seed: exactly the bytes dp-gen would write); exit 1 if not
    #[arg(long)]
    pub verify: bool,

    #[command(flatten)]
    pub distribution: DistArgs,
}

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

/// What to write or check: everything but the seed and the threads.
#[derive(Debug, Clone)]
pub struct Plan {
    pub dir: PathBuf,
    pub prefix: String,
    pub files: u64,
    pub count: u64,
    pub distribution: Distribution,
    pub decimals: u32,
}

impl Plan {
    /// Checks the flags clap cannot: each problem is a usage error (exit 2).
    pub fn from_args(args: &Args) -> anyhow::Result<Self> {
        if args.dir.to_str().is_none() {
            return Err(usage(format!(
                "--dir {} is not valid UTF-8 (records carry paths as JSON text)",
                args.dir.display()
            )));
        }
        if args.dir.as_os_str().is_empty() {
            return Err(usage("--dir must not be empty"));
        }
        if args.prefix.contains('/') || args.prefix.contains('\0') {
            return Err(usage(format!(
                "--prefix '{}' must be a file name, without '/'",
                args.prefix
            )));
        }
        Ok(Self {
            dir: args.dir.clone(),
            prefix: args.prefix.clone(),
            files: args.files,
            count: args.count,
            distribution: distribution_from(&args.distribution).map_err(usage)?,
            decimals: args.decimals,
        })
    }

    /// The path of file `index` (1-based).
    pub fn path(&self, index: u64) -> PathBuf {
        self.dir.join(format!("{}{index}.txt", self.prefix))
    }

    /// The values of file `index` under `seed`.
    pub fn values(&self, seed: u64, index: u64) -> ValueStream {
        ValueStream::new(self.distribution, self.decimals, seed, index)
    }
}

/// The distribution and its parameters; a parameter that the chosen
/// distribution does not take is an error rather than silently ignored.
fn distribution_from(args: &DistArgs) -> Result<Distribution, String> {
    let reject = |flag: &str, value: Option<f64>, applies_to: &str| match value {
        Some(_) => Err(format!("{flag} applies to {applies_to} only")),
        None => Ok(()),
    };
    let distribution = match args.dist {
        DistKind::Uniform => {
            reject("--mean", args.mean, "--dist normal and --dist exponential")?;
            reject("--stddev", args.stddev, "--dist normal")?;
            Distribution::Uniform {
                min: args.min.unwrap_or(0.0),
                max: args.max.unwrap_or(100.0),
            }
        }
        DistKind::Normal => {
            reject("--min", args.min, "--dist uniform")?;
            reject("--max", args.max, "--dist uniform")?;
            Distribution::Normal {
                mean: args.mean.unwrap_or(50.0),
                stddev: args.stddev.unwrap_or(10.0),
            }
        }
        DistKind::Exponential => {
            reject("--min", args.min, "--dist uniform")?;
            reject("--max", args.max, "--dist uniform")?;
            reject("--stddev", args.stddev, "--dist normal")?;
            Distribution::Exponential {
                mean: args.mean.unwrap_or(1.0),
            }
        }
    };
    distribution.validated()
}

/// Runs dp-gen: validates everything, then writes (or verifies) the files.
pub fn run(args: Args) -> anyhow::Result<()> {
    let plan = Plan::from_args(&args)?;
    let jobs = args.jobs.map_or_else(default_jobs, NonZeroUsize::get);
    if args.verify {
        return verify::verify(&plan, args.seed, jobs);
    }
    check_dir_can_be_made(&plan.dir)?;
    let seed = match args.seed {
        Some(seed) => seed,
        None => {
            let seed = random_seed();
            dp_core::cli::warn(format_args!("seed {seed} (use --seed {seed} to reproduce)"));
            seed
        }
    };
    dp_core::io::create_dir_all(&plan.dir)
        .map_err(|err| usage(format!("cannot create --dir {}: {err}", plan.dir.display())))?;
    generate::generate(&plan, seed, jobs)
}

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// A random seed below 2^53, so that tools reading records as JSON numbers
/// (jq, JavaScript) keep it exact.
fn random_seed() -> u64 {
    rand::random::<u64>() >> 11
}

/// Fails, before anything is written, when `dir` is not a directory or
/// cannot be created: its nearest existing ancestor must be a directory we
/// may write to.
fn check_dir_can_be_made(dir: &Path) -> anyhow::Result<()> {
    let mut probe = dir;
    loop {
        match std::fs::metadata(probe) {
            Ok(meta) if meta.is_dir() => {
                return rustix::fs::access(
                    probe,
                    rustix::fs::Access::WRITE_OK | rustix::fs::Access::EXEC_OK,
                )
                .map_err(|err| {
                    usage(format!(
                        "cannot create files in --dir {}: {}",
                        dir.display(),
                        io::Error::from(err)
                    ))
                });
            }
            Ok(_) if probe == dir => {
                return Err(usage(format!("--dir {} is not a directory", dir.display())));
            }
            Ok(_) => {
                return Err(usage(format!(
                    "cannot create --dir {}: {} is not a directory",
                    dir.display(),
                    probe.display()
                )));
            }
            // Missing, or below a file: look at the parent.
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) && probe != Path::new(".") =>
            {
                probe = match probe.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
            }
            Err(err) => {
                return Err(usage(format!(
                    "cannot create --dir {}: {err}",
                    dir.display()
                )));
            }
        }
    }
}
