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

use std::convert::Infallible;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use dp_core::cli;
use dp_core::lines::LineReader;
use dp_core::names::shown;
use dp_core::pool::{self, Cancelled};
use dp_core::record::{ErrorRecord, Record, StatsRecord};

use crate::group::{Grouper, Outcome, Place, ReadStats, Run, shown_name};
use crate::{digests, records};

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
            let stdin = BufReader::with_capacity(1 << 16, io::stdin());
            read_source(stdin, STDIN_NAME, &mut grouper, &mut unread);
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

/// Lines parsed per batch, and batches parsed or waiting at once: what
/// the parsing threads may run ahead of the run they fill (a few hundred
/// records and their digests).
const BATCH_LINES: usize = 256;
const BATCHES_AHEAD: usize = 4;

/// Lines of a source, read together and parsed on one of the threads.
struct Batch {
    text: Vec<u8>,
    /// Each line's number and its end in `text` (it starts where the
    /// previous one ends).
    lines: Vec<(u64, usize)>,
    /// Why the source ends after these lines, if not at its end.
    end: Option<End>,
}

enum End {
    /// A line too long or binary: the reader stops there.
    Bad { line: u64, why: String },
    /// A read error (not a bad line) ends this source only.
    Unreadable(io::Error),
}

/// A line as parsed, checked as far as needs nothing of the runs read so
/// far.
enum Parsed {
    /// A `stats` record, and whether it is possible with a fit digest.
    Stats(Box<ReadStats>, Result<(), String>),
    Error(ErrorRecord),
    /// A record of another type.
    Other,
    /// Not a valid record; its run and path, if it has them.
    Bad {
        why: String,
        run_and_path: Option<(Option<String>, String)>,
    },
}

/// How many batches are read and not yet added to the runs.
#[derive(Default)]
struct Ahead {
    count: Mutex<usize>,
    room: Condvar,
}

impl Ahead {
    fn take(&self) {
        let mut count = self.count.lock().unwrap_or_else(PoisonError::into_inner);
        while *count >= BATCHES_AHEAD {
            count = self
                .room
                .wait(count)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *count += 1;
    }

    fn give_back(&self) {
        *self.count.lock().unwrap_or_else(PoisonError::into_inner) -= 1;
        self.room.notify_one();
    }
}

/// Reads one source's records into `grouper`: its lines parsed on every
/// core, in batches, and added to the runs in order on this thread.
fn read_source(input: impl BufRead + Send, name: &str, grouper: &mut Grouper, unread: &mut Unread) {
    let source: Arc<str> = name.into();
    let mut told = Told::new(name);
    let ahead = Ahead::default();
    let mut lines = LineReader::new(input);
    let mut done = false;
    // Each batch's text allocated once, as long as the last one's: grown
    // line by line, it was copied a dozen times over. The texts parsed are
    // kept for the batches after them: freed, their pages went back to the
    // kernel, and a quarter of the clearing of fresh pages over a million
    // records was theirs.
    let mut last_len = 0;
    let spare_texts = Mutex::new(Vec::new());
    let batches = std::iter::from_fn(|| {
        if done {
            return None;
        }
        ahead.take();
        let mut text: Vec<u8> = spare_texts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default();
        text.reserve(last_len + last_len / 4);
        let mut batch = Batch {
            text,
            lines: Vec::with_capacity(BATCH_LINES),
            end: None,
        };
        while batch.lines.len() < BATCH_LINES {
            match lines.next_line() {
                None => {
                    done = true;
                    break;
                }
                Some(Ok(Ok((line, text)))) => {
                    batch.text.extend_from_slice(text);
                    batch.lines.push((line, batch.text.len()));
                }
                Some(Ok(Err(problem))) => {
                    let line = lines.line();
                    batch.end = Some(End::Bad {
                        line,
                        why: problem.to_string(),
                    });
                    done = true;
                    break;
                }
                Some(Err(err)) => {
                    batch.end = Some(End::Unreadable(err));
                    done = true;
                    break;
                }
            }
        }
        last_len = batch.text.len();
        Some(batch)
    });
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let new_worker = || {
        |batch: Batch, _: &Cancelled| {
            let mut start = 0;
            let parsed: Vec<(u64, Option<Parsed>)> = batch
                .lines
                .iter()
                .map(|&(line, end)| {
                    let text = batch.text[start..end].trim_ascii();
                    start = end;
                    (line, (!text.is_empty()).then(|| parse(text)))
                })
                .collect();
            let mut text = batch.text;
            text.clear();
            spare_texts
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(text);
            (parsed, batch.end)
        }
    };
    let mut add = |(parsed, end): (Vec<(u64, Option<Parsed>)>, Option<End>)| {
        ahead.give_back();
        for (line, parsed) in parsed {
            let Some(parsed) = parsed else { continue };
            let place = Place {
                source: source.clone(),
                line,
            };
            let Some((label, outcome)) = outcome_of(parsed, &place, grouper, &mut told) else {
                continue;
            };
            if let Some(duplicate) = grouper.add(label, outcome, place.clone()) {
                let label = grouper.recent_label();
                told.duplicate(&place, &duplicate.path, label, &duplicate.first);
            }
        }
        match end {
            None => {}
            Some(End::Bad { line, why }) => told.skipped(line, &why),
            Some(End::Unreadable(err)) => {
                cli::fail_at(name, None, err);
                unread.unread_sources += 1;
            }
        }
        Ok::<_, Infallible>(())
    };
    let Ok(()) = pool::for_each_in_order(cores, batches, new_worker, &mut add);
    told.sum_up();
    unread.skipped_lines += told.skipped;
}

/// Parses one line and checks what can be checked alone: on the parsing
/// threads.
fn parse(text: &[u8]) -> Parsed {
    match records::parse(text) {
        Ok(Record::Stats(stats)) => {
            let checked = check_alone(&stats);
            Parsed::Stats(Box::new(ReadStats::of(*stats)), checked)
        }
        Ok(Record::Error(error)) => Parsed::Error(error),
        Ok(_) => Parsed::Other,
        Err(why) => Parsed::Bad {
            why,
            run_and_path: run_and_path(text),
        },
    }
}

/// What the line parsed at `place` adds to a run, if anything: a file's
/// statistics, or its failure (an `error` record, or a record refused).
fn outcome_of(
    parsed: Parsed,
    place: &Place,
    grouper: &Grouper,
    told: &mut Told,
) -> Option<(Option<String>, Outcome)> {
    match parsed {
        Parsed::Stats(mut read, checked) => {
            match checked.and_then(|()| check_countable(&read, grouper)) {
                // A run keeps its label once, not each record.
                Ok(()) => Some((read.run.take(), Outcome::Stats(read))),
                Err(why) => {
                    told.refused(place, &read.file.path, &why);
                    let ReadStats { run, file, .. } = *read;
                    Some((
                        run.clone(),
                        refused_entry(run, file.path.into(), place, &why),
                    ))
                }
            }
        }
        Parsed::Error(error) => Some((error.run.clone(), Outcome::Failed(Box::new(error)))),
        Parsed::Other => None,
        Parsed::Bad { why, run_and_path } => match run_and_path {
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

/// Whether a `stats` record can be used, as far as it alone says:
/// possible ([`StatsRecord::check`]) and its digest fit for its count.
fn check_alone(stats: &StatsRecord) -> Result<(), String> {
    stats.check()?;
    if stats.count > 0 {
        digests::check(&stats.digest, stats.count).map_err(|why| format!("bad digest: {why}"))?;
    }
    Ok(())
}

/// Whether a `stats` record's run stays countable with it.
fn check_countable(stats: &ReadStats, grouper: &Grouper) -> Result<(), String> {
    if grouper
        .values(&stats.run)
        .checked_add(stats.file.count)
        .is_none()
    {
        return Err(format!(
            "its {} values would take run {} past 2^64 values",
            stats.file.count,
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
        repeat: None,
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
