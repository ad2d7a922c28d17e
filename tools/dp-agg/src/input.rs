//! Reading the record streams dp-agg is given into runs.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use dp_core::cli::warn;
use dp_core::io::RecordReader;
use dp_core::record::Record;

use crate::group::{Entry, Grouper, Place, Run};

/// How stdin is named in diagnostics.
const STDIN_NAME: &str = "<stdin>";

/// Reads every source (stdin when there are none, or for `-`) and groups its
/// `stats` and `error` records into runs. A source that cannot be opened or a
/// line that is not a record is reported, skipped, and sets `failed`.
pub fn read_runs(sources: &[PathBuf], failed: &mut bool) -> Vec<Run> {
    let mut grouper = Grouper::default();
    let stdin_only = [PathBuf::from("-")];
    let sources = if sources.is_empty() {
        &stdin_only[..]
    } else {
        sources
    };
    for source in sources {
        if source == Path::new("-") {
            read_source(io::stdin().lock(), STDIN_NAME, &mut grouper, failed);
            continue;
        }
        let name = source.display().to_string();
        match File::open(source) {
            Ok(file) => {
                let reader = BufReader::with_capacity(1 << 16, file);
                read_source(reader, &name, &mut grouper, failed);
            }
            Err(err) => {
                warn(format!("{name}: {err}"));
                *failed = true;
            }
        }
    }
    grouper.into_runs()
}

/// Diagnostics shown per source before the rest are only counted: a data
/// file given by mistake should not print a thousand lines.
const SHOWN_PER_SOURCE: u64 = 10;

/// Reads one source's records into `grouper`.
fn read_source(input: impl BufRead, name: &str, grouper: &mut Grouper, failed: &mut bool) {
    let source: std::sync::Arc<str> = name.into();
    let (mut bad_lines, mut duplicates) = (0u64, 0u64);
    for item in RecordReader::new(input, name) {
        let (line, record) = match item {
            Ok(Ok(parsed)) => parsed,
            Ok(Err(bad_line)) => {
                bad_lines += 1;
                if bad_lines <= SHOWN_PER_SOURCE {
                    warn(format!("{bad_line}; line skipped"));
                }
                *failed = true;
                continue;
            }
            Err(err) => {
                // A read error (not a bad line) ends this source only.
                warn(format!("{name}: {err}"));
                *failed = true;
                break;
            }
        };
        let (label, entry) = match record {
            Record::Stats(stats) => (stats.run.clone(), Entry::Stats(stats)),
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
                warn(format!(
                    "{place}: {} recorded again in run {} (first at {}); using the later record",
                    duplicate.path,
                    crate::report::run_label(&label),
                    duplicate.first
                ));
            }
        }
    }
    if bad_lines > SHOWN_PER_SOURCE {
        warn(format!(
            "{name}: {} more lines skipped ({bad_lines} in all)",
            bad_lines - SHOWN_PER_SOURCE
        ));
    }
    if duplicates > SHOWN_PER_SOURCE {
        warn(format!(
            "{name}: {} more files recorded again ({duplicates} in all); the later records used",
            duplicates - SHOWN_PER_SOURCE
        ));
    }
}
