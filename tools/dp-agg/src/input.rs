//! Reading the record streams dp-agg is given into runs.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dp_core::cli;
use dp_core::io::RecordReader;
use dp_core::record::Record;

use crate::group::{Entry, Grouper, Place, Run};

/// How stdin is named in diagnostics.
const STDIN_NAME: &str = "<stdin>";

/// Reads every source (stdin when there are none, or for `-`) and groups its
/// `stats` and `error` records into runs. A source that cannot be opened or
/// a line that cannot be used is reported and skipped, and fails the run.
pub fn read_runs(sources: &[PathBuf]) -> Vec<Run> {
    let mut grouper = Grouper::default();
    let stdin_only = [PathBuf::from("-")];
    let sources = if sources.is_empty() {
        &stdin_only[..]
    } else {
        sources
    };
    for source in sources {
        if source == Path::new("-") {
            read_source(io::stdin().lock(), STDIN_NAME, &mut grouper);
            continue;
        }
        let name = source.display().to_string();
        match File::open(source) {
            Ok(file) => {
                let reader = BufReader::with_capacity(1 << 16, file);
                read_source(reader, &name, &mut grouper);
            }
            Err(err) => cli::fail_at(&name, None, err),
        }
    }
    grouper.into_runs()
}

/// Diagnostics shown per source before the rest are only counted: a data
/// file given by mistake should not print a thousand lines.
const SHOWN_PER_SOURCE: u64 = 10;

/// Reads one source's records into `grouper`.
fn read_source(input: impl BufRead, name: &str, grouper: &mut Grouper) {
    let source: Arc<str> = name.into();
    let (mut skipped, mut duplicates) = (0u64, 0u64);
    let mut skip = |line: u64, message: String| {
        skipped += 1;
        if skipped <= SHOWN_PER_SOURCE {
            cli::fail_at(name, Some(line), format_args!("{message}; line skipped"));
        } else {
            cli::set_failed();
        }
    };
    for item in RecordReader::new(input, name) {
        let (line, record) = match item {
            Ok(Ok(parsed)) => parsed,
            Ok(Err(bad)) => {
                skip(bad.line, bad.message);
                continue;
            }
            Err(err) => {
                // A read error (not a bad line) ends this source only.
                cli::fail_at(name, None, err);
                break;
            }
        };
        let (label, entry) = match record {
            Record::Stats(stats) => {
                // A span is made of times that can be one (dp-plot refuses
                // the same records).
                if let Err(why) = dp_core::run::check_times(stats.started_at, stats.finished_at) {
                    skip(line, format!("{}: {why}", stats.path));
                    continue;
                }
                (stats.run.clone(), Entry::Stats(stats))
            }
            Record::Error(error) => (error.run.clone(), Entry::Failed(Box::new(error))),
            _ => continue,
        };
        let place = Place {
            source: source.clone(),
            line,
        };
        if let Some(duplicate) = grouper.add(label.clone(), entry, place.clone()) {
            duplicates += 1;
            if duplicates <= SHOWN_PER_SOURCE {
                cli::warn(format_args!(
                    "{place}: {} recorded again in run {} (first at {}); using the later record",
                    duplicate.path,
                    dp_core::run::name(label.as_deref()),
                    duplicate.first
                ));
            }
        }
    }
    if skipped > SHOWN_PER_SOURCE {
        cli::warn(format_args!(
            "{name}: {} more lines skipped ({skipped} in all)",
            skipped - SHOWN_PER_SOURCE
        ));
    }
    if duplicates > SHOWN_PER_SOURCE {
        cli::warn(format_args!(
            "{name}: {} more files recorded again ({duplicates} in all); the later records used",
            duplicates - SHOWN_PER_SOURCE
        ));
    }
}
