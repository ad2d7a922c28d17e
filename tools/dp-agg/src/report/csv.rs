//! The CSV face: the per-file table of every run, every file, full precision.
//! Names are written as they are: CSV quotes what needs quoting.

use std::collections::HashMap;
use std::io::Write;

use dp_core::run;

use crate::group::FileStats;

use super::{Report, natural_cmp, sorted_files};

const HEADER: [&str; 21] = [
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
    "cpu_s",
    "max_rss_kib",
    "workers",
    "repeat",
];

/// Writes one row per file of each repeat of each run: its statistics, or
/// its error (after the run's statistics, without a repeat).
///
/// The error is the csv crate's own, which keeps the I/O error inside it
/// where the envelope looks for a closed pipe (turned into an `io::Error`
/// it would hide it).
pub fn write(report: &Report, out: &mut dyn Write) -> csv::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    // A last column `host` only when some run has several (docs/reference.md,
    // "Runs"): with one host the table is as it always was.
    let with_host = report.runs.iter().any(|run| !run.hosts.is_empty());
    let width = HEADER.len() + usize::from(with_host);
    let header = HEADER.iter().copied().chain(with_host.then_some("host"));
    csv.write_record(header)?;
    let number = |x: Option<f64>| x.map(|x| x.to_string()).unwrap_or_default();
    for run in &report.runs {
        let label = run::name(run.run.label.as_deref());
        let unsigned = |x: Option<u64>| x.map(|x| x.to_string()).unwrap_or_default();
        // Records are held without their host: each repeat keeps it.
        let hosts: HashMap<(Option<u64>, &str), &str> = run
            .run
            .repeats()
            .flat_map(|(repeat, records)| {
                records
                    .records_by_host()
                    .map(move |(host, stats)| ((repeat, &*stats.path), host))
            })
            .collect();
        let repeats: Vec<Vec<&FileStats>> = if run.run.repeat_count() > 1 {
            run.run
                .repeats()
                .map(|(_, repeat)| {
                    let mut files: Vec<&FileStats> = repeat.records().collect();
                    files.sort_by(|a, b| natural_cmp(&a.path, &b.path));
                    files
                })
                .collect()
        } else {
            vec![sorted_files(run.run)]
        };
        for stats in repeats.into_iter().flatten() {
            let mut row = vec![
                label.to_owned(),
                stats.path.to_string(),
                stats.count.to_string(),
                stats.invalid.to_string(),
                number(stats.sum()),
                number(stats.min()),
                number(stats.max()),
                number(stats.mean()),
                number(stats.median()),
                number(stats.q1()),
                number(stats.q3()),
                number(stats.variance()),
                number(stats.stddev()),
                stats.started_at.to_string(),
                stats.finished_at.to_string(),
                stats.elapsed_s.to_string(),
                String::new(),
                number(stats.cpu_s()),
                unsigned(stats.max_rss_kib()),
                unsigned(stats.workers()),
                unsigned(stats.repeat()),
            ];
            if with_host {
                let host = hosts.get(&(stats.repeat(), &*stats.path));
                row.push(host.copied().unwrap_or_default().to_owned());
            }
            csv.write_record(&row)?;
        }
        for error in run.run.errors() {
            let mut row = vec![String::new(); width];
            row[0] = label.to_owned();
            row[1] = error.path.clone();
            row[16] = error.error.clone();
            csv.write_record(&row)?;
        }
    }
    csv.flush()?;
    Ok(())
}
