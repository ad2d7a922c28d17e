//! What a chart shows: runs of jobs (one job per file), read from dp-stats
//! records and grouped by `run` in order of first appearance.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use dp_core::io::RecordReader;
use dp_core::record::{Record, StatsRecord};

/// The run name given to records whose `run` is null.
pub const UNNAMED_RUN: &str = "unnamed";

/// Who did a job: the process for dp-stats records, the host alone for GNU
/// parallel's joblog (which records no process id).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Worker {
    pub host: String,
    pub pid: Option<u32>,
}

/// The work on one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// What the job worked on, as shown on the chart (a file name).
    pub label: String,
    /// Unix time in seconds.
    pub started_at: f64,
    pub finished_at: f64,
    pub worker: Worker,
    /// The job exited non-zero (joblogs only: stats records are successes).
    pub failed: bool,
}

/// All the jobs of one way of running the work (`sequential`, `parallel`…).
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub name: String,
    pub jobs: Vec<Job>,
}

impl Run {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            jobs: Vec::new(),
        }
    }

    /// When the first job started.
    pub fn started_at(&self) -> f64 {
        self.jobs
            .iter()
            .map(|j| j.started_at)
            .fold(f64::INFINITY, f64::min)
    }

    /// When the last job finished.
    pub fn finished_at(&self) -> f64 {
        self.jobs
            .iter()
            .map(|j| j.finished_at)
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// Total time, SPEC §4: last `finished_at` − first `started_at`.
    pub fn total_s(&self) -> f64 {
        if self.jobs.is_empty() {
            0.0
        } else {
            self.finished_at() - self.started_at()
        }
    }

    /// The most jobs that were running at the same instant.
    pub fn peak_concurrency(&self) -> usize {
        let mut events: Vec<(f64, i32)> = self
            .jobs
            .iter()
            .flat_map(|j| [(j.started_at, 1), (j.finished_at, -1)])
            .collect();
        // At equal times, ends before starts: back-to-back jobs do not overlap.
        events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut running = 0i32;
        let mut peak = 0i32;
        for (_, change) in events {
            running += change;
            peak = peak.max(running);
        }
        peak as usize
    }

    /// For each job (in `jobs` order), the 0-based slot it ran in: jobs are
    /// laid on the fewest lanes that never hold two at once, as a pool of
    /// workers (GNU parallel's job slots, make's jobs) would run them.
    pub fn slots(&self) -> Vec<usize> {
        // Joblogs keep milliseconds: a job starting within 1 ms of another's
        // end reuses its slot.
        const TOLERANCE_S: f64 = 1e-3;
        let mut order: Vec<usize> = (0..self.jobs.len()).collect();
        order.sort_by(|&a, &b| self.jobs[a].started_at.total_cmp(&self.jobs[b].started_at));
        let mut lane_free_at: Vec<f64> = Vec::new();
        let mut slots = vec![0; self.jobs.len()];
        for i in order {
            let job = &self.jobs[i];
            let lane = match lane_free_at
                .iter()
                .position(|&free| free <= job.started_at + TOLERANCE_S)
            {
                Some(lane) => lane,
                None => {
                    lane_free_at.push(0.0);
                    lane_free_at.len() - 1
                }
            };
            lane_free_at[lane] = job.finished_at;
            slots[i] = lane;
        }
        slots
    }
}

/// Runs in order of first appearance, looked up by name.
#[derive(Debug, Default)]
pub struct Runs {
    runs: Vec<Run>,
    index: HashMap<String, usize>,
}

impl Runs {
    /// The run called `name`, created at the end if new.
    pub fn entry(&mut self, name: &str) -> &mut Run {
        let next = self.runs.len();
        let i = *self.index.entry(name.to_owned()).or_insert(next);
        if i == next {
            self.runs.push(Run::new(name));
        }
        &mut self.runs[i]
    }

    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// Adds a run read whole from elsewhere (a joblog).
    pub fn push(&mut self, run: Run) {
        self.index.insert(run.name.clone(), self.runs.len());
        self.runs.push(run);
    }

    pub fn into_vec(self) -> Vec<Run> {
        self.runs
    }
}

/// Reads `stats` records from `source` (`-` is stdin) into `runs`, ignoring
/// other record types. Bad lines are reported and skipped; returns whether
/// any were (or whether the source could not be read at all).
pub fn read_stats(source: &Path, runs: &mut Runs) -> bool {
    let name = source.display().to_string();
    let result = if name == "-" {
        read_stats_from(io::stdin().lock(), &name, runs)
    } else {
        match File::open(source) {
            Ok(file) => read_stats_from(BufReader::new(file), &name, runs),
            Err(err) => Err(err),
        }
    };
    result.unwrap_or_else(|err| {
        dp_core::cli::warn(format_args!("{name}: {err}"));
        true
    })
}

fn read_stats_from(input: impl BufRead, name: &str, runs: &mut Runs) -> io::Result<bool> {
    let mut failed = false;
    for item in RecordReader::new(input, name) {
        match item? {
            Ok((line, Record::Stats(stats))) => match job_from_stats(&stats) {
                Ok(job) => {
                    let run = stats.run.as_deref().unwrap_or(UNNAMED_RUN);
                    runs.entry(run).jobs.push(job);
                }
                Err(message) => {
                    dp_core::cli::warn(format_args!("{name}:{line}: {message}"));
                    failed = true;
                }
            },
            Ok(_) => {}
            Err(bad_line) => {
                dp_core::cli::warn(bad_line);
                failed = true;
            }
        }
    }
    Ok(failed)
}

fn job_from_stats(stats: &StatsRecord) -> Result<Job, String> {
    let (start, end) = (stats.started_at, stats.finished_at);
    if !start.is_finite() || !end.is_finite() || end < start {
        return Err(format!(
            "{}: finished_at {end} is not a time after started_at {start}",
            stats.path
        ));
    }
    Ok(Job {
        label: file_name(&stats.path).to_owned(),
        started_at: start,
        finished_at: end,
        worker: Worker {
            host: stats.host.clone(),
            pid: Some(stats.pid),
        },
        failed: false,
    })
}

/// The last component of a path, which is what tells files apart on a chart.
pub fn file_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rsplit('/').next() {
        Some(name) if !name.is_empty() => name,
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(start: f64, end: f64) -> Job {
        Job {
            label: format!("{start}"),
            started_at: start,
            finished_at: end,
            worker: Worker {
                host: "h".into(),
                pid: None,
            },
            failed: false,
        }
    }

    fn run_of(spans: &[(f64, f64)]) -> Run {
        Run {
            name: "r".into(),
            jobs: spans.iter().map(|&(s, e)| job(s, e)).collect(),
        }
    }

    #[test]
    fn total_time_is_last_end_minus_first_start() {
        let run = run_of(&[(10.0, 13.0), (11.0, 12.0), (12.5, 14.5)]);
        assert_eq!(run.total_s(), 4.5);
        assert_eq!(Run::new("empty").total_s(), 0.0);
    }

    #[test]
    fn back_to_back_jobs_do_not_overlap() {
        let sequential = run_of(&[(0.0, 3.0), (3.0, 6.0), (6.0, 9.0)]);
        assert_eq!(sequential.peak_concurrency(), 1);
        assert_eq!(sequential.slots(), [0, 0, 0]);
        let parallel = run_of(&[(0.0, 3.0), (0.1, 3.1), (0.2, 3.2), (3.05, 6.0)]);
        assert_eq!(parallel.peak_concurrency(), 3);
        assert_eq!(parallel.slots(), [0, 1, 2, 0]);
    }

    #[test]
    fn runs_keep_order_of_first_appearance() {
        let mut runs = Runs::default();
        runs.entry("b").jobs.push(job(0.0, 1.0));
        runs.entry("a").jobs.push(job(0.0, 1.0));
        runs.entry("b").jobs.push(job(1.0, 2.0));
        let runs = runs.into_vec();
        let names: Vec<_> = runs
            .iter()
            .map(|r| (r.name.as_str(), r.jobs.len()))
            .collect();
        assert_eq!(names, [("b", 2), ("a", 1)]);
    }

    #[test]
    fn file_names_drop_the_directory() {
        assert_eq!(file_name("/tmp/data/data1.txt"), "data1.txt");
        assert_eq!(file_name("data2.txt"), "data2.txt");
        assert_eq!(file_name("dir/"), "dir");
        assert_eq!(file_name("-"), "-");
    }
}
