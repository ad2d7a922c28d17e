//! What a run writes or checks, from the flags: the directory, the file
//! names and the values of each file. Checked in full before the disk is
//! touched, so a bad invocation writes nothing.

use std::path::PathBuf;

use dp_core::cli::usage;

use crate::args::{Args, DistArgs, DistKind};
use crate::compress::Compress;
use crate::values::{Distribution, ValueStream};

/// What to write or check: everything but the seed and the threads.
#[derive(Debug, Clone)]
pub struct Plan {
    pub dir: PathBuf,
    pub prefix: String,
    pub files: u64,
    pub count: u64,
    pub distribution: Distribution,
    pub decimals: u32,
    pub compress: Compress,
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
            compress: args.compress,
        })
    }

    /// The path of file `index` (1-based).
    pub fn path(&self, index: u64) -> PathBuf {
        self.dir.join(format!("{}{index}.txt", self.prefix))
    }

    /// The path as records carry it ([`Plan::from_args`] ensured it is UTF-8).
    pub fn path_text(&self, index: u64) -> String {
        self.path(index).to_string_lossy().into_owned()
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
