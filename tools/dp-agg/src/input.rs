//! Reading the record streams dp-agg is given into runs.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use dp_core::cli::warn;
use dp_core::io::RecordReader;
use dp_core::record::Record;

use crate::NAME;
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
                warn(NAME, format!("{name}: {err}"));
                *failed = true;
            }
        }
    }
    grouper.into_runs()
}

/// Reads one source's records into `grouper`.
fn read_source(input: impl BufRead, name: &str, grouper: &mut Grouper, failed: &mut bool) {
    let source: std::sync::Arc<str> = name.into();
    for item in RecordReader::new(input, name) {
        let (line, record) = match item {
            Ok(Ok(parsed)) => parsed,
            Ok(Err(bad_line)) => {
                warn(NAME, format!("{bad_line}; line skipped"));
                *failed = true;
                continue;
            }
            Err(err) => {
                // A read error (not a bad line) ends this source only.
                warn(NAME, format!("{name}: {err}"));
                *failed = true;
                return;
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
            warn(
                NAME,
                format!(
                    "{place}: {} recorded again in run {} (first at {}); using the later record",
                    duplicate.path,
                    crate::report::run_label(&label),
                    duplicate.first
                ),
            );
        }
    }
}
