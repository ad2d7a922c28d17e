//! dp-stats: the statistics of numeric data files, one record per file
//! (docs/reference.md, "Values and statistics" and "Records"), several files
//! at once with `-j`.

pub mod args;
pub mod delay;
pub mod input;
pub mod output;
pub mod process;
pub mod progress;

use std::io::{self, IsTerminal};
use std::path::Path;

use anyhow::Context;
use dp_core::cli::{self, usage};
use dp_core::pool::{self, Cancelled, Consumer};
use dp_core::record::Record;

pub use crate::args::Args;
use crate::input::{Input, Inputs};
use crate::output::{OutDir, Output};
use crate::process::{Done, Settings, Worker};
use crate::progress::Progress;

/// Runs dp-stats: every input is processed (a failed one leaves an `error`
/// record and a message), and the run says whether any failed.
pub fn run(args: Args) -> anyhow::Result<()> {
    if args.files.is_empty() && std::io::stdin().is_terminal() {
        return Err(usage(
            "no FILE given: name data files, use '-' for numbers on stdin, \
             or pipe in a list of files (see --help)",
        ));
    }
    let settings = Settings::from_args(&args);
    let out_dir = match &args.out_dir {
        Some(dir) => Some(OutDir::create(Path::new(dir))?),
        None => None,
    };
    let inputs = Inputs::new(args.files);
    let mut delivery = Delivery {
        progress: Progress::new(inputs.known_count()),
        output: Output::new(args.format, &settings.percentiles)?,
        out_dir,
    };
    let new_worker = || {
        let mut worker = Worker::new(&settings);
        move |input: io::Result<Input>, cancelled: &Cancelled| {
            input.map(|input| worker.process(&input, cancelled))
        }
    };
    let processed =
        pool::for_each_in_order(usize::from(args.jobs), inputs, new_worker, &mut delivery);
    delivery.progress.finish();
    processed?;
    delivery.output.finish()
}

/// Takes each file's record, in input order, to the user: stdout, the
/// `--out-dir` copy, the messages on stderr, the progress bar.
struct Delivery {
    progress: Progress,
    output: Output,
    out_dir: Option<OutDir>,
}

impl Consumer<io::Result<Done>> for Delivery {
    type Error = anyhow::Error;

    fn consume(&mut self, done: io::Result<Done>) -> anyhow::Result<()> {
        let done = done.context("cannot read the list of files on stdin")?;
        if let Some(warning) = &done.warning {
            cli::warn(warning);
        }
        let path = match &done.record {
            Record::Stats(stats) => {
                self.copy_to_out_dir(&done.record, &stats.path);
                &stats.path
            }
            Record::Error(error) => {
                cli::fail_at(&error.path, error.line, &error.error);
                &error.path
            }
            _ => "",
        };
        self.output.write(&done.record)?;
        self.progress.file_done(path);
        Ok(())
    }

    fn idle(&mut self) {
        self.progress.tick();
    }
}

impl Delivery {
    /// A result file that cannot be written fails that file, not the run.
    fn copy_to_out_dir(&mut self, record: &Record, path: &str) {
        let Some(out_dir) = &mut self.out_dir else {
            return;
        };
        match out_dir.write(record) {
            Ok(None) => {}
            Ok(Some(warning)) => cli::warn(warning),
            Err(err) => cli::fail_at(path, None, format_args!("{err:#}")),
        }
    }
}
