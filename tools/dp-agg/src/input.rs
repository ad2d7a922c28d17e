//! Reading the record streams dp-agg is given into runs, and checking each
//! record on the way in: nothing dp-agg skips goes uncounted.
//!
//! A line is one of three things. A record dp-agg uses. A record it refuses
//! (impossible, or not a valid record of its type) whose run is known: the
//! file it names counts as failed in that run, as if it had an `error`
//! record. Or a line that is not a record at all: it is counted in
//! [`Unread::skipped_lines`], which the report shows. Each is named on
//! stderr as it is met (up to [`SHOWN_PER_SOURCE`] per source) and fails
//! the run.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dp_core::cli;
use dp_core::io::parse_record;
use dp_core::lines::LineReader;
use dp_core::names::shown;
use dp_core::record::{ErrorRecord, Record, StatsRecord};

use crate::digests;
use crate::group::{Grouper, Outcome, Place, Run, shown_name};

/// How stdin is named in diagnostics.
const STDIN_NAME: &str = "<stdin>";

/// What dp-agg's input held that no run shows: the report counts it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unread {
    /// Lines that were not records (not JSON, not a record of a known run,
    /// too long or binary).
    pub skipped_lines: u64,
    /// Sources that could not be opened, or not read to their end.
    pub unread_sources: u64,
}

/// The runs read, and what was not.
#[derive(Debug)]
pub struct Input {
    pub runs: Vec<Run>,
    pub unread: Unread,
}

/// Reads every source (stdin when there are none, or for `-`) and groups its
/// `stats` and `error` records into runs. A source that cannot be opened or
/// a line that cannot be used is reported, counted and skipped, and fails
/// the run.
pub fn read_runs(sources: &[PathBuf]) -> Input {
    let mut grouper = Grouper::default();
    let mut unread = Unread::default();
    let stdin_only = [PathBuf::from("-")];
    let sources = if sources.is_empty() {
        &stdin_only[..]
    } else {
        sources
    };
    for source in sources {
        if source == Path::new("-") {
            read_source(io::stdin().lock(), STDIN_NAME, &mut grouper, &mut unread);
            continue;
        }
        let name = source.display().to_string();
        match File::open(source) {
            Ok(file) => {
                let reader = BufReader::with_capacity(1 << 16, file);
                read_source(reader, &name, &mut grouper, &mut unread);
            }
            Err(err) => {
                cli::fail_at(&name, None, err);
                unread.unread_sources += 1;
            }
        }
    }
    Input {
        runs: grouper.into_runs(),
        unread,
    }
}

/// Diagnostics shown per source before the rest are only counted: a data
/// file given by mistake should not print a thousand lines.
const SHOWN_PER_SOURCE: u64 = 10;

/// The diagnostics of one source, by kind: each kind shows its first
/// [`SHOWN_PER_SOURCE`], and the rest are counted and summed up at the end.
struct Told<'a> {
    name: &'a str,
    skipped: u64,
    refused: u64,
    duplicates: u64,
}

impl<'a> Told<'a> {
    fn new(name: &'a str) -> Self {
        Self {
            name,
            skipped: 0,
            refused: 0,
            duplicates: 0,
        }
    }

    /// A line that is not a record: `SOURCE:LINE: why; line skipped`.
    fn skipped(&mut self, line: u64, why: &str) {
        self.skipped += 1;
        cli::set_failed();
        if self.skipped <= SHOWN_PER_SOURCE {
            cli::fail_at(self.name, Some(line), format_args!("{why}; line skipped"));
        }
    }

    /// A record refused: `SOURCE:LINE: PATH: why; record skipped`.
    fn refused(&mut self, place: &Place, path: &str, why: &str) {
        self.refused += 1;
        cli::set_failed();
        if self.refused <= SHOWN_PER_SOURCE {
            cli::fail(format_args!(
                "{place}: {}: {why}; record skipped",
                shown(path)
            ));
        }
    }

    /// A file recorded twice in one run: a warning, not a failure.
    fn duplicate(&mut self, place: &Place, path: &str, label: Option<&str>, first: &Place) {
        self.duplicates += 1;
        if self.duplicates <= SHOWN_PER_SOURCE {
            cli::warn(format_args!(
                "{place}: {} recorded again in run {} (first at {first}); using the later record",
                shown(path),
                shown_name(label),
            ));
        }
    }

    /// What was not shown, a line per kind.
    fn sum_up(&self) {
        let name = shown(self.name);
        for (count, what, after) in [
            (self.skipped, "lines skipped", ""),
            (self.refused, "records refused", ""),
            (
                self.duplicates,
                "files recorded again",
                "; the later records used",
            ),
        ] {
            if count > SHOWN_PER_SOURCE {
                cli::warn(format_args!(
                    "{name}: {} more {what} ({count} in all){after}",
                    count - SHOWN_PER_SOURCE
                ));
            }
        }
    }
}

/// Reads one source's records into `grouper`.
fn read_source(input: impl BufRead, name: &str, grouper: &mut Grouper, unread: &mut Unread) {
    let source: Arc<str> = name.into();
    let mut told = Told::new(name);
    let mut lines = LineReader::new(input);
    while let Some(item) = lines.next_line() {
        let (line, text) = match item {
            Ok(Ok((line, text))) => (line, text.trim_ascii()),
            Ok(Err(problem)) => {
                // Too long or binary: the reader stops here.
                told.skipped(lines.line(), &problem.to_string());
                break;
            }
            Err(err) => {
                // A read error (not a bad line) ends this source only.
                cli::fail_at(name, None, err);
                unread.unread_sources += 1;
                break;
            }
        };
        if text.is_empty() {
            continue;
        }
        let place = Place {
            source: source.clone(),
            line,
        };
        let Some((label, entry)) = entry_of(text, &place, grouper, &mut told) else {
            continue;
        };
        if let Some(duplicate) = grouper.add(label.clone(), entry, place.clone()) {
            told.duplicate(&place, &duplicate.path, label.as_deref(), &duplicate.first);
        }
    }
    told.sum_up();
    unread.skipped_lines += told.skipped;
}

/// What the line `text` at `place` adds to a run, if anything: a file's
/// statistics, or its failure (an `error` record, or a record refused).
fn entry_of(
    text: &[u8],
    place: &Place,
    grouper: &Grouper,
    told: &mut Told,
) -> Option<(Option<String>, Outcome)> {
    match parse_record(text) {
        Ok(Record::Stats(stats)) => match check(&stats, grouper) {
            Ok(()) => Some((stats.run.clone(), Outcome::Stats(stats))),
            Err(why) => {
                told.refused(place, &stats.path, &why);
                let StatsRecord { run, path, .. } = *stats;
                Some((run.clone(), refused_entry(run, path, place, &why)))
            }
        },
        Ok(Record::Error(error)) => Some((error.run.clone(), Outcome::Failed(Box::new(error)))),
        Ok(_) => None,
        Err(why) => match run_and_path(text) {
            Some((run, path)) => {
                told.refused(place, &path, &why);
                Some((run.clone(), refused_entry(run, path, place, &why)))
            }
            None => {
                told.skipped(place.line, &why);
                None
            }
        },
    }
}

/// Whether a `stats` record can be used: possible ([`StatsRecord::check`]),
/// its digest fit for its count, and its run still countable.
fn check(stats: &StatsRecord, grouper: &Grouper) -> Result<(), String> {
    stats.check()?;
    if stats.count > 0 {
        digests::check(&stats.digest, stats.count).map_err(|why| format!("bad digest: {why}"))?;
    }
    if grouper
        .values(&stats.run)
        .checked_add(stats.count)
        .is_none()
    {
        return Err(format!(
            "its {} values would take run {} past 2^64 values",
            stats.count,
            shown_name(stats.run.as_deref())
        ));
    }
    Ok(())
}

/// The entry of a refused record: its file failed in its run.
fn refused_entry(run: Option<String>, path: String, place: &Place, why: &str) -> Outcome {
    Outcome::Failed(Box::new(ErrorRecord {
        path,
        run,
        error: format!("record refused at {place}: {why}"),
        line: None,
    }))
}

/// The run and path of a line that is a `stats` or `error` record in
/// shape but not valid: its run is known when `run` is a string, `null` or
/// absent, and its file when `path` is a string.
fn run_and_path(text: &[u8]) -> Option<(Option<String>, String)> {
    let value: serde_json::Value = serde_json::from_slice(text).ok()?;
    let object = value.as_object()?;
    match object.get("type")?.as_str()? {
        "stats" | "error" => {}
        _ => return None,
    }
    let path = object.get("path")?.as_str()?.to_owned();
    let run = match object.get("run") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(run)) => Some(run.clone()),
        Some(_) => return None,
    };
    Some((run, path))
}
