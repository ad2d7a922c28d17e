//! dp-stats: the statistics of numeric data files, one record per file
//! (docs/reference.md, "Values and statistics" and "Records"), several files
//! at once with `-j`.

pub mod args;
pub mod delay;
pub mod input;
pub mod output;
pub mod process;
pub mod progress;
pub mod usage;

use std::io::{self, IsTerminal};
use std::path::Path;

use anyhow::Context;
use dp_core::cli::{self, usage};
use dp_core::io::RECORDS_TO_STDOUT;
use dp_core::memory::Budget;
use dp_core::names;
use dp_core::pool::{self, Cancelled, Consumer, Helpers};
use dp_core::record::{ErrorRecord, Record};

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
    let inputs = Inputs::new(args.files, args.stdin_name);
    let mut delivery = Delivery {
        progress: Progress::new(inputs.known_count()),
        output: Output::new(args.format, &settings.percentiles).context(RECORDS_TO_STDOUT)?,
        out_dir,
    };
    let jobs = usize::from(args.jobs);
    // Files go to the pool's threads, and the blocks of a big file to
    // whichever thread is free: a few blocks in flight a thread.
    let slots = if jobs > 1 { 2 * jobs } else { 0 };
    let helpers = Helpers::new(slots);
    // The reading buffers come out of --max-memory first: a block in
    // flight per slot and one being read per thread (and the spill's), each
    // with its values, and per thread the values of the half block that the
    // second of two cursors reads ahead (dp_core::parse::text).
    let reading = (slots + jobs + 1) * settings.block_size * 2 + jobs * settings.block_size / 2;
    let budget = Budget::new(settings.max_memory, reading);
    let new_worker = || {
        let mut worker = Worker::new(&settings, &helpers, &budget);
        move |input: io::Result<Input>, cancelled: &Cancelled| {
            input.map(|input| worker.process(&input, cancelled))
        }
    };
    let processed =
        pool::for_each_in_order_helped(jobs, inputs, &helpers, new_worker, &mut delivery);
    delivery.progress.finish();
    processed?;
    delivery.output.finish().context(RECORDS_TO_STDOUT)
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
        let Done {
            mut record,
            warning,
            mut line,
        } = done.context("cannot read the list of files on stdin")?;
        // Messages may hold names (a result file's): shown escaped, like
        // the input's own, so that none can split a diagnostic.
        if let Some(warning) = &warning {
            cli::warn_at(record_path(&record), None, names::shown(warning));
        }
        if let Record::Stats(stats) = &record {
            for note in &stats.notes {
                cli::warn_at(&stats.path, None, note);
            }
        }
        if let Some(failed) = self.copy_to_out_dir(&record, line.as_deref()) {
            record = Record::Error(failed);
            line = None;
        }
        if let Record::Error(error) = &record {
            cli::fail_at(&error.path, error.line, names::shown(&error.error));
        }
        self.output
            .write(&record, line.as_deref())
            .context(RECORDS_TO_STDOUT)?;
        self.progress.file_done(record_path(&record));
        Ok(())
    }

    fn idle(&mut self) {
        self.progress.tick();
    }
}

impl Delivery {
    /// Writes the record's `--out-dir` copy. A result that cannot be written
    /// fails that file, not the run: the error record that takes the stats
    /// record's place on stdout, so that stdout and the directory agree.
    fn copy_to_out_dir(&mut self, record: &Record, line: Option<&[u8]>) -> Option<ErrorRecord> {
        let (Some(out_dir), Record::Stats(stats)) = (&mut self.out_dir, record) else {
            return None;
        };
        match out_dir.write(record, line) {
            Ok(None) => None,
            Ok(Some(warning)) => {
                cli::warn_at(&stats.path, None, names::shown(&warning));
                None
            }
            Err(message) => Some(ErrorRecord {
                path: stats.path.clone(),
                run: stats.run.clone(),
                error: message,
                line: None,
                repeat: stats.repeat,
            }),
        }
    }
}

/// The input a `stats` or `error` record is about.
fn record_path(record: &Record) -> &str {
    match record {
        Record::Stats(stats) => &stats.path,
        Record::Error(error) => &error.path,
        _ => "",
    }
}
