//! What a chart shows: runs of jobs (one job per file), in order of first
//! appearance, named, timed and compared by `dp_core::run`'s rules.

use std::collections::HashMap;

use dp_core::run::{self, Span, Total};

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
    /// The repeat of the run the job belongs to (stats records' `repeat`).
    pub repeat: Option<u64>,
    /// How many files the run could process at once (stats records'
    /// `workers`).
    pub workers: Option<u64>,
    /// The share of its time the job spent on a CPU: `cpu_s / elapsed_s`
    /// of its stats record, when it says both (and took any time).
    pub cpu_share: Option<f64>,
}

/// The longest run a chart draws, in seconds. plotters finds an axis's
/// ticks with steps up to ten times its span, which leave f64's range near
/// 1.8e307 (and never end); dp_core's microsecond rounding leaves it at
/// 1.8e302. No measured run comes near: the age of the universe is 4e17 s.
pub const MAX_SPAN_S: f64 = 1e300;

/// All the jobs of one way of running the work (`sequential`, `parallel`…).
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// `None` for the records that carry no `run`.
    pub label: Option<String>,
    pub jobs: Vec<Job>,
}

impl Run {
    pub fn new(label: Option<String>) -> Self {
        Self {
            label,
            jobs: Vec::new(),
        }
    }

    /// How the run is named on a chart: its label, or `(no run)`.
    pub fn name(&self) -> &str {
        run::name(self.label.as_deref())
    }

    /// From the first job's start to the last one's end.
    pub fn span(&self) -> Span {
        Span::of(self.jobs.iter().map(|j| (j.started_at, j.finished_at)))
    }

    /// Total time (docs/reference.md, "Runs"): the span's length, 0 for no jobs.
    pub fn total_s(&self) -> f64 {
        self.span().total_s().unwrap_or(0.0)
    }

    /// Whether a chart can show the run: `Err` says why not.
    pub fn check_span(&self) -> Result<(), String> {
        let span = self.span();
        let (Some(first), Some(last)) = (span.started_at(), span.finished_at()) else {
            return Ok(());
        };
        if last - first <= MAX_SPAN_S {
            return Ok(());
        }
        Err(format!(
            "run '{}' spans {first:e} to {last:e}, more than the {MAX_SPAN_S:e} s a chart \
             can show: its times are not real; not drawn",
            dp_core::names::shown(self.name())
        ))
    }

    /// The total time over the run's repeats, as the speedup takes it;
    /// dp-plot draws each run as a single repeat.
    pub fn total(&self) -> Option<Total> {
        Total::of(&[self.span().total_s()?])
    }

    /// The total time of each repeat (jobs grouped by their `repeat`, in
    /// order of first appearance), summarised: what `--kind scaling` draws.
    pub fn total_over_repeats(&self) -> Option<Total> {
        let mut repeats: Vec<(Option<u64>, Span)> = Vec::new();
        for job in &self.jobs {
            let at = match repeats.iter().position(|(r, _)| *r == job.repeat) {
                Some(at) => at,
                None => {
                    repeats.push((job.repeat, Span::default()));
                    repeats.len() - 1
                }
            };
            repeats[at].1.add(job.started_at, job.finished_at);
        }
        let totals: Vec<f64> = repeats.iter().filter_map(|(_, s)| s.total_s()).collect();
        Total::of(&totals)
    }

    /// The largest `workers` of the run's jobs, if any says.
    pub fn workers(&self) -> Option<u64> {
        self.jobs.iter().filter_map(|j| j.workers).max()
    }

    /// The most jobs that were running at the same instant.
    pub fn peak_concurrency(&self) -> usize {
        dp_core::run::peak_concurrency(self.jobs.iter().map(|j| (j.started_at, j.finished_at)))
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

/// Runs in order of first appearance, looked up by label.
#[derive(Debug, Default)]
pub struct Runs {
    runs: Vec<Run>,
    index: HashMap<Option<String>, usize>,
}

impl Runs {
    /// The run labelled `label`, created at the end if new.
    pub fn entry(&mut self, label: Option<&str>) -> &mut Run {
        let next = self.runs.len();
        let i = *self.index.entry(label.map(str::to_owned)).or_insert(next);
        if i == next {
            self.runs.push(Run::new(label.map(str::to_owned)));
        }
        &mut self.runs[i]
    }

    pub fn contains(&self, label: &str) -> bool {
        self.index.contains_key(&Some(label.to_owned()))
    }

    /// Adds a run read whole from elsewhere (a joblog).
    pub fn push(&mut self, run: Run) {
        self.index.insert(run.label.clone(), self.runs.len());
        self.runs.push(run);
    }

    pub fn into_vec(self) -> Vec<Run> {
        self.runs
    }
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
            repeat: None,
            workers: None,
            cpu_share: None,
        }
    }

    fn run_of(spans: &[(f64, f64)]) -> Run {
        Run {
            label: Some("r".into()),
            jobs: spans.iter().map(|&(s, e)| job(s, e)).collect(),
        }
    }

    #[test]
    fn total_time_is_last_end_minus_first_start() {
        let run = run_of(&[(10.0, 13.0), (11.0, 12.0), (12.5, 14.5)]);
        assert_eq!(run.total_s(), 4.5);
        assert_eq!(Run::new(None).total_s(), 0.0);
        assert_eq!(Run::new(None).total(), None);
    }

    #[test]
    fn a_run_longer_than_a_chart_can_show_is_refused() {
        assert!(run_of(&[(0.0, 1.0), (1e9, 2e9)]).check_span().is_ok());
        assert!(Run::new(None).check_span().is_ok());
        let err = run_of(&[(-1e308, -1e308), (1e308, 1e308)])
            .check_span()
            .unwrap_err();
        assert!(err.starts_with("run 'r' spans -1e308 to 1e308"), "{err}");
        assert!(run_of(&[(0.0, 1e301)]).check_span().is_err());
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
        runs.entry(Some("b")).jobs.push(job(0.0, 1.0));
        runs.entry(None).jobs.push(job(0.0, 1.0));
        runs.entry(Some("a")).jobs.push(job(0.0, 1.0));
        runs.entry(Some("b")).jobs.push(job(1.0, 2.0));
        assert!(runs.contains("a") && !runs.contains("(no run)"));
        let runs = runs.into_vec();
        let names: Vec<_> = runs.iter().map(|r| (r.name(), r.jobs.len())).collect();
        assert_eq!(names, [("b", 2), ("(no run)", 1), ("a", 1)]);
    }

    #[test]
    fn file_names_drop_the_directory() {
        assert_eq!(file_name("/tmp/data/data1.txt"), "data1.txt");
        assert_eq!(file_name("data2.txt"), "data2.txt");
        assert_eq!(file_name("dir/"), "dir");
        assert_eq!(file_name("-"), "-");
    }
}
