//! The CSV face: the per-file table of every run, every file, full precision.
//! Names are written as they are: CSV quotes what needs quoting.

use std::io::Write;

use dp_core::run;

use super::{Report, sorted_files};

const HEADER: [&str; 17] = [
    "run",
    "path",
    "count",
    "invalid",
    "sum",
    "min",
    "max",
    "mean",
    "median",
    "q1",
    "q3",
    "variance",
    "stddev",
    "started_at",
    "finished_at",
    "elapsed_s",
    "error",
];

/// Writes one row per file of each run: its statistics, or its error.
///
/// The error is the csv crate's own, which keeps the I/O error inside it
/// where the envelope looks for a closed pipe (turned into an `io::Error`
/// it would hide it).
pub fn write(report: &Report, out: &mut dyn Write) -> csv::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(HEADER)?;
    let number = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
    for run in &report.runs {
        let label = run::name(run.run.label.as_deref());
        for stats in sorted_files(run.run) {
            csv.write_record([
                label.to_owned(),
                stats.path.clone(),
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
                stats.started_at.to_string(),
                stats.finished_at.to_string(),
                stats.elapsed_s.to_string(),
                String::new(),
            ])?;
        }
        for error in run.run.errors() {
            let mut row = vec![String::new(); HEADER.len()];
            row[0] = label.to_owned();
            row[1] = error.path.clone();
            row[HEADER.len() - 1] = error.error.clone();
            csv.write_record(&row)?;
        }
    }
    csv.flush()?;
    Ok(())
}
