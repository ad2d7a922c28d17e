//! Reading dp-stats' `stats` records into runs, grouped by their `run`.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use dp_core::cli;
use dp_core::io::RecordReader;
use dp_core::record::{Record, StatsRecord};
use dp_core::run;

use crate::runs::{Job, Runs, Worker, file_name};

/// Reads `stats` records from `source` (`-` is stdin) into `runs`, ignoring
/// other record types. A bad line, or a source that cannot be read, is
/// reported and fails the run; the rest is still read.
pub fn read(source: &Path, runs: &mut Runs) {
    let name = source.display().to_string();
    let read = if name == "-" {
        read_from(io::stdin().lock(), &name, runs)
    } else {
        File::open(source).and_then(|file| read_from(BufReader::new(file), &name, runs))
    };
    if let Err(err) = read {
        cli::fail_at(&name, None, err);
    }
}

fn read_from(input: impl BufRead, name: &str, runs: &mut Runs) -> io::Result<()> {
    for item in RecordReader::new(input, name) {
        match item? {
            Ok((line, Record::Stats(stats))) => match job_from_stats(&stats) {
                Ok(job) => runs.entry(stats.run.as_deref()).jobs.push(job),
                Err(message) => cli::fail_at(name, Some(line), message),
            },
            Ok(_) => {}
            Err(bad) => cli::fail_at(&bad.source_name, Some(bad.line), bad.message),
        }
    }
    Ok(())
}

/// The job a record describes, if its times can be part of a run's span
/// (also how dp-agg's HTML report hands its records to the charts).
pub fn job_from_stats(stats: &StatsRecord) -> Result<Job, String> {
    run::check_times(stats.started_at, stats.finished_at)?;
    Ok(Job {
        label: file_name(&stats.path).to_owned(),
        started_at: stats.started_at,
        finished_at: stats.finished_at,
        worker: Worker {
            host: stats.host.clone(),
            pid: Some(stats.pid),
        },
        failed: false,
        repeat: stats.repeat,
        workers: stats.workers,
        cpu_share: stats
            .cpu_s
            .filter(|_| stats.elapsed_s > 0.0)
            .map(|cpu_s| cpu_s / stats.elapsed_s),
    })
}
