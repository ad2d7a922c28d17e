//! How records reach the user: JSON Lines (one write per record), CSV (one
//! row per file, no digest), or an aligned table for people; and the
//! per-file copies in `--out-dir`.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use dp_core::atomic::write_atomic;
use dp_core::cli::usage;
use dp_core::io::{RecordWriter, to_json_line};
use dp_core::manifest::{self, Manifest};
use dp_core::names;
use dp_core::record::{ErrorRecord, Record, StatsRecord};

use crate::args::Format;
use crate::input::STDIN_NAME;
use crate::process::io_message;

/// Where the records of a run go, in input order. Its methods only write
/// to stdout: their callers say so
/// ([`dp_core::io::RECORDS_TO_STDOUT`]).
pub enum Output {
    Jsonl(RecordWriter<io::Stdout>),
    Csv {
        out: Box<csv::Writer<io::Stdout>>,
        percentiles: usize,
    },
    Table(Table),
}

impl Output {
    /// Starts the output; CSV writes its header at once.
    pub fn new(format: Format, percentiles: &[f64]) -> anyhow::Result<Self> {
        Ok(match format {
            Format::Jsonl => Output::Jsonl(RecordWriter::stdout()),
            Format::Csv => {
                let mut out = csv::Writer::from_writer(io::stdout());
                out.write_record(csv_header(percentiles))?;
                out.flush()?;
                Output::Csv {
                    out: Box::new(out),
                    percentiles: percentiles.len(),
                }
            }
            Format::Table => Output::Table(Table::new(percentiles)),
        })
    }

    /// Writes `record`; `line` is its JSON line when already made.
    pub fn write(&mut self, record: &Record, line: Option<&[u8]>) -> anyhow::Result<()> {
        match self {
            Output::Jsonl(out) => match line {
                Some(line) => out.write_line(line)?,
                None => out.write(record)?,
            },
            Output::Csv { out, percentiles } => {
                out.write_record(csv_row(record, *percentiles))?;
                // One row, one write: rows appear as files finish.
                out.flush()?;
            }
            Output::Table(table) => table.push(record),
        }
        Ok(())
    }

    /// Ends the output: the table is printed only now, when the widths of its
    /// columns are known.
    pub fn finish(self) -> anyhow::Result<()> {
        match self {
            Output::Jsonl(_) => {}
            Output::Csv { mut out, .. } => out.flush()?,
            Output::Table(table) => {
                let mut out = io::BufWriter::new(io::stdout().lock());
                table.print(&mut out)?;
                out.flush()?;
            }
        }
        Ok(())
    }
}

/// The columns every CSV row and table row shares, after `path` and `run`.
const STAT_COLUMNS: [&str; 11] = [
    "count", "invalid", "sum", "min", "max", "mean", "median", "q1", "q3", "variance", "stddev",
];
const TIMING_COLUMNS: [&str; 6] = [
    "started_at",
    "finished_at",
    "elapsed_s",
    "delay_s",
    "host",
    "pid",
];

/// A percentile's column name: `p90`, `p99.9`.
fn percentile_name(p: f64) -> String {
    format!("p{p}")
}

fn csv_header(percentiles: &[f64]) -> Vec<String> {
    let mut header = vec!["path".to_owned(), "run".to_owned()];
    header.extend(STAT_COLUMNS.iter().map(|c| c.to_string()));
    header.extend(percentiles.iter().map(|&p| percentile_name(p)));
    header.extend(TIMING_COLUMNS.iter().map(|c| c.to_string()));
    header.push("error".to_owned());
    header
}

/// A float as JSON writes it (shortest round-trip form); empty for `null`.
fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| ryu::Buffer::new().format(v).to_owned())
}

fn stat_cells(stats: &StatsRecord) -> impl Iterator<Item = String> + '_ {
    [
        stats.count.to_string(),
        stats.invalid.to_string(),
        number(stats.sum),
        number(stats.min),
        number(stats.max),
        number(stats.mean),
        number(stats.median),
        number(stats.q1),
        number(stats.q3),
        number(stats.variance),
        number(stats.stddev),
    ]
    .into_iter()
}

/// The value of each of the `requested` percentiles; `None` for them all
/// when the file had no values.
fn percentile_values(
    stats: &StatsRecord,
    requested: usize,
) -> impl Iterator<Item = Option<f64>> + '_ {
    let values = stats.percentiles.iter().map(|&(_, value)| Some(value));
    values.chain(std::iter::repeat(None)).take(requested)
}

/// A CSV row: an `error` record keeps its path and run, leaves the numbers
/// empty and fills the `error` column.
fn csv_row(record: &Record, percentiles: usize) -> Vec<String> {
    match record {
        Record::Stats(stats) => {
            let mut row = vec![stats.path.clone(), stats.run.clone().unwrap_or_default()];
            row.extend(stat_cells(stats));
            row.extend(percentile_values(stats, percentiles).map(number));
            row.extend([
                number(Some(stats.started_at)),
                number(Some(stats.finished_at)),
                number(Some(stats.elapsed_s)),
                number(Some(stats.delay_s)),
                stats.host.clone(),
                stats.pid.to_string(),
                String::new(),
            ]);
            row
        }
        Record::Error(error) => {
            let width = STAT_COLUMNS.len() + percentiles + TIMING_COLUMNS.len();
            let mut row = vec![error.path.clone(), error.run.clone().unwrap_or_default()];
            row.resize(row.len() + width, String::new());
            row.push(error_text(error));
            row
        }
        _ => Vec::new(),
    }
}

/// The error as one line: `LINE: message` where a line applies.
fn error_text(error: &ErrorRecord) -> String {
    match error.line {
        Some(line) => format!("line {line}: {}", error.error),
        None => error.error.clone(),
    }
}

/// Rows for people, printed aligned once all are in. Names and messages
/// are shown with their control characters escaped
/// ([`dp_core::names::shown`]): a newline in a file name must not split a
/// row.
pub struct Table {
    header: Vec<String>,
    /// How many percentiles were asked for.
    percentiles: usize,
    rows: Vec<TableRow>,
}

enum TableRow {
    Cells(Vec<String>),
    Error { path: String, error: String },
}

impl Table {
    fn new(percentiles: &[f64]) -> Self {
        let mut header: Vec<String> = ["file", "count", "mean", "median", "stddev", "min", "max"]
            .map(String::from)
            .to_vec();
        header.extend(["q1", "q3"].map(String::from));
        header.extend(percentiles.iter().map(|&p| percentile_name(p)));
        header.extend(["sum", "invalid", "seconds"].map(String::from));
        Self {
            header,
            percentiles: percentiles.len(),
            rows: Vec::new(),
        }
    }

    fn push(&mut self, record: &Record) {
        match record {
            Record::Stats(stats) => {
                let mut cells = vec![
                    names::shown(&stats.path).into_owned(),
                    stats.count.to_string(),
                ];
                cells.extend(
                    [
                        stats.mean,
                        stats.median,
                        stats.stddev,
                        stats.min,
                        stats.max,
                        stats.q1,
                        stats.q3,
                    ]
                    .map(readable),
                );
                cells.extend(percentile_values(stats, self.percentiles).map(readable));
                cells.push(readable(stats.sum));
                cells.push(stats.invalid.to_string());
                cells.push(format!("{:.3}", stats.elapsed_s));
                self.rows.push(TableRow::Cells(cells));
            }
            Record::Error(error) => self.rows.push(TableRow::Error {
                path: names::shown(&error.path).into_owned(),
                error: names::shown(&error_text(error)).into_owned(),
            }),
            _ => {}
        }
    }

    /// The file name left-aligned, the numbers right-aligned, two spaces
    /// between columns; a failed file shows its error after its name.
    fn print(&self, out: &mut impl Write) -> io::Result<()> {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            match row {
                TableRow::Cells(cells) => {
                    for (width, cell) in widths.iter_mut().zip(cells) {
                        *width = (*width).max(cell.chars().count());
                    }
                }
                TableRow::Error { path, .. } => widths[0] = widths[0].max(path.chars().count()),
            }
        }
        let line = |out: &mut dyn Write, cells: &[String]| -> io::Result<()> {
            let mut text = String::new();
            for (i, (cell, &width)) in cells.iter().zip(&widths).enumerate() {
                if i == 0 {
                    text.push_str(&format!("{cell:<width$}"));
                } else {
                    text.push_str(&format!("  {cell:>width$}"));
                }
            }
            writeln!(out, "{}", text.trim_end())
        };
        line(out, &self.header)?;
        for row in &self.rows {
            match row {
                TableRow::Cells(cells) => line(out, cells)?,
                TableRow::Error { path, error } => {
                    let width = widths[0];
                    writeln!(out, "{path:<width$}  error: {error}")?;
                }
            }
        }
        Ok(())
    }
}

/// A number for people: six significant digits, all of the integer part,
/// no trailing zeros, scientific notation only for the very large or small.
pub fn readable(value: Option<f64>) -> String {
    let Some(v) = value else {
        return "-".to_owned();
    };
    if v == 0.0 {
        return "0".to_owned();
    }
    let magnitude = v.abs().log10().floor();
    if !(-4.0..15.0).contains(&magnitude) {
        let scientific = format!("{v:.5e}");
        let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let decimals = (5.0 - magnitude).max(0.0) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// `--out-dir`: each `stats` record also goes to `DIR/<file name>.stats.json`,
/// recorded as it is in place in the directory's manifest
/// ([`dp_core::manifest`]), so that cleaning removes exactly those files.
pub struct OutDir {
    dir: PathBuf,
    names: HashSet<PathBuf>,
    line: Vec<u8>,
    manifest: Manifest,
}

impl OutDir {
    /// Creates the directory (and its parents) now, before any work. Its
    /// name must be UTF-8, as the manifest records its files by name.
    pub fn create(dir: &Path) -> anyhow::Result<Self> {
        let shown = |path: &Path| names::shown(&path.to_string_lossy()).into_owned();
        if std::path::absolute(dir)?.to_str().is_none() {
            return Err(usage(format!(
                "--out-dir {}: the directory's path is not UTF-8, and its manifest \
                 records the files it holds by name",
                shown(dir)
            )));
        }
        dp_core::io::create_dir_all(dir)
            .with_context(|| format!("cannot create directory {}", shown(dir)))?;
        let manifest_path = dir.join(manifest::FILE_NAME);
        let manifest = Manifest::open(&manifest_path)
            .with_context(|| format!("cannot write {}", shown(&manifest_path)))?;
        Ok(Self {
            dir: dir.to_owned(),
            names: HashSet::new(),
            line: Vec::new(),
            manifest,
        })
    }

    /// Writes a `stats` record's file atomically (an `error` record writes
    /// nothing, so `make` retries that file) and records it in the manifest.
    /// Returns a warning when two inputs of this run share a file name (the
    /// later one's record is kept), or why the result is not there: it
    /// could not be written, or not recorded (and was removed again, so
    /// that nothing unlisted stays).
    /// `line` is the record's JSON line when already made.
    pub fn write(
        &mut self,
        record: &Record,
        line: Option<&[u8]>,
    ) -> Result<Option<String>, String> {
        let Record::Stats(stats) = record else {
            return Ok(None);
        };
        let path = self.dir.join(result_file_name(&stats.path));
        let shown = path.to_string_lossy().into_owned();
        let warning = (!self.names.insert(path.clone()))
            .then(|| format!("overwrites {shown} written for another file of the same name"));
        let line = match line {
            Some(line) => Ok(line),
            None => {
                self.line.clear();
                to_json_line(record, &mut self.line).map(|()| self.line.as_slice())
            }
        };
        let written = line
            .map_err(anyhow::Error::from)
            .and_then(|line| write_atomic(&path, |out| Ok(out.write_all(line)?)));
        let identity = written
            .map_err(|err| format!("cannot write its result {shown}: {}", root_cause(&err)))?;
        if let Err(err) = self.manifest.record(&path, identity) {
            let removed = match fs::remove_file(&path) {
                Ok(()) => "removed again",
                Err(_) => "left in place",
            };
            return Err(format!(
                "cannot record its result {shown} in the manifest {} ({removed}): {}",
                self.dir.join(manifest::FILE_NAME).to_string_lossy(),
                io_message(&err)
            ));
        }
        Ok(warning)
    }
}

/// The innermost cause of an error, as coreutils print an I/O error (`No
/// space left on device`): the outer ones name a path the caller names
/// itself.
fn root_cause(err: &anyhow::Error) -> String {
    match err.root_cause().downcast_ref::<io::Error>() {
        Some(io_err) => io_message(io_err),
        None => err.root_cause().to_string(),
    }
}

/// `data1.txt` → `data1.txt.stats.json`; stdin's is `stdin.stats.json`.
fn result_file_name(path: &str) -> PathBuf {
    let name = if path == STDIN_NAME {
        OsStr::new("stdin")
    } else {
        Path::new(path)
            .file_name()
            .unwrap_or_else(|| OsStr::new("stdin"))
    };
    let mut name = name.to_owned();
    name.push(".stats.json");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readable_numbers_keep_six_significant_digits() {
        assert_eq!(readable(Some(50.123456789)), "50.1235");
        assert_eq!(readable(Some(-0.5)), "-0.5");
        assert_eq!(readable(Some(1000.0)), "1000");
        assert_eq!(readable(Some(499876543.21)), "499876543");
        assert_eq!(readable(Some(0.000123456)), "0.000123456");
        assert_eq!(readable(Some(1e-7)), "1e-7");
        assert_eq!(readable(Some(-3.8e-5)), "-3.8e-5");
        assert_eq!(readable(Some(1.234567e300)), "1.23457e300");
        assert_eq!(readable(Some(0.0)), "0");
        assert_eq!(readable(None), "-");
    }

    #[test]
    fn result_files_are_named_after_the_input() {
        assert_eq!(
            result_file_name("/tmp/d/data1.txt"),
            Path::new("data1.txt.stats.json")
        );
        assert_eq!(result_file_name("-"), Path::new("stdin.stats.json"));
    }
}
