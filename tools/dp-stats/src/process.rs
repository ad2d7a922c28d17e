//! The work on one input: read its values, summarise them, spend the
//! artificial delay, and turn the outcome into a `stats` or `error` record.

use std::io;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use dp_core::checksum::Checksummed;
use dp_core::io::{PIPE_BUF, to_json_line};
use dp_core::memory::{Again, Budget, Held, Values};
use dp_core::parse::{Column, ReadError, read_csv_column, read_values_in_blocks};
use dp_core::pool::{self, Cancelled, Helpers};
use dp_core::record::{ErrorRecord, Record, StatsRecord};
use dp_core::source;
use dp_core::stats::{Summary, summarize};

use crate::args::{Args, DelayMode};
use crate::delay;
use crate::input::Input;
use crate::usage;

/// What every file of a run is processed with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub run: Option<String>,
    pub delay: Duration,
    pub delay_mode: DelayMode,
    pub csv_column: Option<Column>,
    pub skip_invalid: bool,
    pub percentiles: Vec<f64>,
    /// How many files the run could process at once (`workers`).
    pub workers: u64,
    /// Which repetition of its run this is; `None` when made once.
    pub repeat: Option<u64>,
    pub host: String,
    pub pid: u32,
    /// The size of the blocks a file is parsed in ([`dp_core::parse::block_size`]).
    pub block_size: usize,
    /// `--max-memory`: bytes of values the process may hold.
    pub max_memory: usize,
}

impl Settings {
    /// The flags that shape each file's record, and this process's name for
    /// itself (`host`, `pid`).
    pub fn from_args(args: &Args) -> Self {
        Self {
            run: args.run.clone().filter(|label| !label.is_empty()),
            delay: args.delay.unwrap_or_default(),
            delay_mode: args.delay_mode,
            csv_column: args.csv.then(|| args.column.clone()).flatten(),
            skip_invalid: args.skip_invalid,
            percentiles: args.percentiles.clone(),
            workers: args.workers.unwrap_or(u64::from(args.jobs)),
            repeat: args.repeat,
            host: hostname(args.host.as_deref()),
            pid: std::process::id(),
            block_size: dp_core::parse::block_size(),
            max_memory: args.max_memory.unwrap_or_else(Budget::default_limit),
        }
    }
}

/// The `host` field: the name given (`--host`, `DP_HOST`) unless empty,
/// else this machine's name.
fn hostname(given: Option<&str>) -> String {
    if let Some(given) = given.filter(|name| !name.is_empty()) {
        return given.to_owned();
    }
    let uname = rustix::system::uname();
    let name = uname.nodename().to_string_lossy();
    if name.is_empty() {
        "localhost".to_owned()
    } else {
        name.into_owned()
    }
}

/// The record for one input, and anything the user should be told about
/// it (a message without the input's name, which the record holds).
#[derive(Debug)]
pub struct Done {
    pub record: Record,
    pub warning: Option<String>,
    /// The record as one JSON line, made here (on the worker's thread) to
    /// measure it: written as it is rather than serialized again on the
    /// thread that delivers every record.
    pub line: Option<Vec<u8>>,
}

/// Processes inputs one after the other, reusing one buffer of values so a
/// worker's memory stays that of its largest file (within the budget).
pub struct Worker<'a> {
    settings: &'a Settings,
    /// The pool's threads, which parse the blocks of big files.
    helpers: &'a Helpers,
    /// The process's `--max-memory`, shared with the other workers.
    budget: &'a Budget,
    held: Held,
    json: Vec<u8>,
}

impl<'a> Worker<'a> {
    pub fn new(settings: &'a Settings, helpers: &'a Helpers, budget: &'a Budget) -> Self {
        Self {
            settings,
            helpers,
            budget,
            held: Held::default(),
            json: Vec::with_capacity(PIPE_BUF),
        }
    }

    pub fn process(&mut self, input: &Input, cancelled: &Cancelled) -> Done {
        let settings = self.settings;
        let clock = Clock::start();
        pool::take_cpu_elsewhere();
        let summary = self.read(input);
        // A file that failed has nothing to simulate work for.
        if summary.is_ok() && !settings.delay.is_zero() {
            delay::spend(settings.delay, settings.delay_mode, cancelled);
        }
        // Parsing its blocks and its statistics' spans on other threads.
        let elsewhere = summary
            .as_ref()
            .map_or(Duration::ZERO, |(read, _)| read.cpu_elsewhere)
            + pool::take_cpu_elsewhere();
        let (started_at, finished_at, elapsed_s, cpu_s) = clock.stop(elsewhere);
        let path = input.name().to_owned();
        let mut record = match summary {
            Ok((
                Read {
                    invalid,
                    checksum,
                    passes,
                    ..
                },
                summary,
            )) => Record::Stats(Box::new(StatsRecord {
                run: settings.run.clone(),
                invalid,
                checksum: Some(checksum),
                passes: Some(passes),
                started_at,
                finished_at,
                elapsed_s,
                delay_s: settings.delay.as_secs_f64(),
                host: settings.host.clone(),
                pid: settings.pid,
                cpu_s: Some(cpu_s),
                max_rss_kib: usage::max_rss_kib(),
                workers: Some(settings.workers),
                repeat: settings.repeat,
                ..StatsRecord::from_summary(path, summary)
            })),
            Err(failure) => Record::Error(ErrorRecord {
                path,
                run: settings.run.clone(),
                error: failure.message,
                line: failure.line,
                repeat: settings.repeat,
            }),
        };
        let (warning, line) = self.fit_in_one_pipe_write(&mut record);
        Done {
            record,
            warning,
            line,
        }
    }

    /// Reads the input's values and summarises them, hashing the text as
    /// it goes.
    fn read(&mut self, input: &Input) -> Result<(Read, Summary), Failure> {
        match input {
            Input::Stdin { .. } => {
                let mut text =
                    source::stdin_within(self.budget).map_err(|err| Failure::from_io(&err))?;
                self.read_from(&mut text, None)
            }
            Input::File {
                path,
                listed_number,
                ..
            } => {
                let mut file = open(path, *listed_number, self.budget)?;
                self.read_from(&mut file, Some(path))
            }
            Input::Refused { line, message, .. } => Err(Failure {
                message: message.clone(),
                line: *line,
            }),
        }
    }

    /// The values of `source` (the file at `path`, which can be read again
    /// if they do not fit the budget, or stdin, which is spilled).
    fn read_from(
        &mut self,
        source: &mut dyn io::Read,
        path: Option<&Path>,
    ) -> Result<(Read, Summary), Failure> {
        let settings = self.settings;
        let mut source = Checksummed::new(source);
        if let Some(column) = &settings.csv_column {
            // CSV is read whole, on one thread: a quoted field may hold line
            // ends, so the text cannot be cut at any of them.
            let mut values = Vec::new();
            let invalid = read_csv_column(&mut source, column, &mut values, settings.skip_invalid)?;
            let read = Read {
                invalid,
                checksum: source.checksum(),
                passes: 1,
                cpu_elsewhere: Duration::ZERO,
            };
            return Ok((read, summarize(&mut values, &settings.percentiles)));
        }
        let again = match path {
            Some(_) => Again::Caller,
            None => Again::spill_to_tmpdir(),
        };
        let (helpers, block_size, skip_invalid) =
            (self.helpers, settings.block_size, settings.skip_invalid);
        let mut values = Values::new(self.budget, &mut self.held, &settings.percentiles, again);
        // Parsed in blocks on the pool's threads, the values taken in order.
        let first =
            read_values_in_blocks(&mut source, skip_invalid, block_size, helpers, |block| {
                values.take(block)
            })?;
        let checksum = source.checksum();
        let mut cpu_elsewhere = first.cpu_elsewhere;
        let (summary, passes) = values.summarize(|take| {
            let path = path.expect("only a file is read again");
            let mut text = Checksummed::new(source::open_within(path, self.budget)?);
            let again =
                read_values_in_blocks(&mut text, skip_invalid, block_size, helpers, |block| {
                    take(block);
                    Ok(())
                })?;
            cpu_elsewhere += again.cpu_elsewhere;
            if text.checksum() != checksum {
                return Err(ReadError::Io(io::Error::other(
                    "its text changed while it was being read again",
                )));
            }
            Ok(())
        })?;
        let read = Read {
            invalid: first.invalid,
            checksum,
            passes,
            cpu_elsewhere,
        };
        Ok((read, summary))
    }

    /// Keeps the record within one pipe write (docs/reference.md, "Records"),
    /// thinning a `stats` record's digest as needed: a warning when it cannot
    /// be made to fit, and the record's JSON line.
    fn fit_in_one_pipe_write(&mut self, record: &mut Record) -> (Option<String>, Option<Vec<u8>>) {
        let warning = loop {
            self.json.clear();
            if to_json_line(&*record, &mut self.json).is_err() {
                return (None, None);
            }
            let size = self.json.len();
            if size <= PIPE_BUF {
                break None;
            }
            match record {
                Record::Stats(stats) => match stats.digest.thinned() {
                    Some(thinner) => stats.digest = thinner,
                    None => break Some(too_big(size)),
                },
                Record::Error(_) => break Some(too_big(size)),
                _ => break None,
            }
        };
        let line = std::mem::replace(&mut self.json, Vec::with_capacity(PIPE_BUF));
        (warning, Some(line))
    }
}

fn too_big(size: usize) -> String {
    format!(
        "record is {size} bytes, more than one pipe write ({PIPE_BUF}): \
         it may tear if several processes share the pipe"
    )
}

/// Opens a data file for its text (decompressed, when it is compressed);
/// a directory fails as its first bytes are read: `Is a directory`.
fn open(path: &Path, listed_number: bool, budget: &Budget) -> Result<source::Text, Failure> {
    source::open_within(path, budget).map_err(|err| {
        let mut failure = Failure::from_io(&err);
        if listed_number && err.kind() == io::ErrorKind::NotFound {
            failure
                .message
                .push_str(" (stdin lists files to read; for numbers on stdin use 'dp-stats -')");
        }
        failure
    })
}

/// What reading an input gave besides its values.
struct Read {
    /// Tokens skipped by `--skip-invalid`.
    invalid: u64,
    /// The checksum of the text as read ([`dp_core::checksum`]).
    checksum: String,
    /// How many times it was read (`passes`).
    passes: u32,
    /// CPU time other threads spent parsing its blocks (in `cpu_s`).
    cpu_elsewhere: Duration,
}

/// Why an input gave no statistics: a message without the path, and the
/// line it is on where one applies.
#[derive(Debug)]
struct Failure {
    message: String,
    line: Option<u64>,
}

impl Failure {
    fn new(message: &str) -> Self {
        Self {
            message: message.to_owned(),
            line: None,
        }
    }

    fn from_io(err: &io::Error) -> Self {
        Self::new(&io_message(err))
    }
}

impl From<ReadError> for Failure {
    fn from(err: ReadError) -> Self {
        let line = err.line();
        let message = match &err {
            ReadError::Io(io_err) => io_message(io_err),
            other => other.to_string(),
        };
        Self { message, line }
    }
}

/// An I/O error as coreutils print it: `No such file or directory`, without
/// Rust's `(os error 2)`.
pub fn io_message(err: &io::Error) -> String {
    let message = err.to_string();
    match message.rfind(" (os error ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}

/// Wall-clock times of one file's work, in Unix seconds to the microsecond,
/// and the CPU time it took on this thread (the work stays on the thread
/// that started it). The interval is measured on the monotonic clock, so
/// `elapsed_s` is never shortened by a clock step and equals
/// `finished_at - started_at`.
struct Clock {
    wall: SystemTime,
    monotonic: Instant,
    cpu: Duration,
}

impl Clock {
    fn start() -> Self {
        Self {
            wall: SystemTime::now(),
            monotonic: Instant::now(),
            cpu: usage::thread_cpu_time(),
        }
    }

    /// `(started_at, finished_at, elapsed_s, cpu_s)`, `cpu_s` with the
    /// CPU time other threads spent on this work (`elsewhere`).
    fn stop(self, elsewhere: Duration) -> (f64, f64, f64, f64) {
        let cpu = usage::thread_cpu_time().saturating_sub(self.cpu) + elsewhere;
        let elapsed_us = self.monotonic.elapsed().as_micros();
        let started_us = self
            .wall
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_micros());
        let seconds = |us: u128| us as f64 / 1e6;
        (
            seconds(started_us),
            seconds(started_us + elapsed_us),
            seconds(elapsed_us),
            usage::seconds(cpu),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_messages_drop_the_os_error_number() {
        let err = io::Error::from_raw_os_error(2);
        assert_eq!(io_message(&err), "No such file or directory");
        let custom = io::Error::other("odd");
        assert_eq!(io_message(&custom), "odd");
    }

    #[test]
    fn the_clock_reports_microseconds_and_a_consistent_difference() {
        let clock = Clock::start();
        std::thread::sleep(Duration::from_millis(20));
        let (started, finished, elapsed, cpu) = clock.stop(Duration::ZERO);
        assert!(elapsed >= 0.020, "{elapsed}");
        assert!(cpu < elapsed, "{cpu} s of CPU while sleeping {elapsed} s");
        assert!(((finished - started) - elapsed).abs() < 1e-6);
        assert_eq!((started * 1e6).round() / 1e6, started);
    }
}
