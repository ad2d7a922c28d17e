//! dp-stats: the statistics of numeric data files, one record per file
//! (SPEC §2–§4), several files at once with `-j`.

pub mod args;
pub mod delay;
pub mod input;
pub mod output;
pub mod pool;
pub mod process;
pub mod progress;

use std::io::IsTerminal;
use std::path::Path;

use dp_core::cli::{Outcome, usage};
use dp_core::record::Record;

pub use crate::args::Args;
use crate::input::Inputs;
use crate::output::{OutDir, Output};
use crate::process::Settings;
use crate::progress::Progress;

/// Runs dp-stats: every input is processed (a failed one leaves an `error`
/// record and a message), and the run says whether any failed.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    if args.files.is_empty() && std::io::stdin().is_terminal() {
        return Err(usage(
            "no FILE given: name data files, use '-' for numbers on stdin, \
             or pipe in a list of files (see --help)",
        ));
    }
    let settings = Settings {
        run: args.run.filter(|label| !label.is_empty()),
        delay: args.delay.unwrap_or_default(),
        delay_mode: args.delay_mode,
        csv_column: args.csv.then_some(args.column).flatten(),
        skip_invalid: args.skip_invalid,
        percentiles: args.percentiles,
        host: hostname(),
        pid: std::process::id(),
    };
    let mut out_dir = match &args.out_dir {
        Some(dir) => Some(OutDir::create(Path::new(dir))?),
        None => None,
    };
    let inputs = Inputs::new(args.files);
    let progress = Progress::new(inputs.known_count());
    let mut output = Output::new(args.format, &settings.percentiles)?;
    let mut failed = false;

    let result = pool::process_in_order(
        usize::from(args.jobs),
        inputs,
        &settings,
        |done| {
            if let Some(warning) = &done.warning {
                progress.warn(warning);
            }
            match &done.record {
                Record::Error(error) => {
                    failed = true;
                    match error.line {
                        Some(line) => {
                            progress.warn(format_args!("{}:{line}: {}", error.path, error.error))
                        }
                        None => progress.warn(format_args!("{}: {}", error.path, error.error)),
                    }
                }
                Record::Stats(stats) => {
                    if let Some(out_dir) = &mut out_dir {
                        match out_dir.write(&done.record) {
                            Ok(None) => {}
                            Ok(Some(warning)) => progress.warn(warning),
                            Err(err) => {
                                failed = true;
                                progress.warn(format_args!("{}: {err:#}", stats.path));
                            }
                        }
                    }
                }
                _ => {}
            }
            output.write(&done.record)?;
            progress.file_done(&record_path(&done.record));
            Ok(())
        },
        || progress.tick(),
    );
    progress.finish();
    result?;
    output.finish()?;
    Ok(Outcome::from_failed(failed))
}

fn record_path(record: &Record) -> String {
    match record {
        Record::Stats(stats) => stats.path.clone(),
        Record::Error(error) => error.path.clone(),
        _ => String::new(),
    }
}

/// This machine's name, for the `host` field.
fn hostname() -> String {
    let uname = rustix::system::uname();
    let name = uname.nodename().to_string_lossy();
    if name.is_empty() {
        "localhost".to_owned()
    } else {
        name.into_owned()
    }
}
