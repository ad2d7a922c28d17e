//! A run's timing: its total time per repeat from the files' timestamps,
//! summarised over the repeats, the time its files took one by one, and
//! where the time went (CPU, cores busy, memory).

use dp_core::run::{Span, Total, to_microseconds};

use crate::group::Run;

/// How long a run took.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Timing {
    /// Files processed (with a `stats` record), in the run's first repeat.
    pub files: u64,
    /// Files that failed (with an `error` record).
    pub failed: u64,
    /// Earliest `started_at`, over every repeat.
    pub started_at: Option<f64>,
    /// Latest `finished_at`, over every repeat.
    pub finished_at: Option<f64>,
    /// Total time, `finished_at - started_at` of each repeat
    /// ([`Span::total_s`]), summarised over the repeats.
    pub total: Option<Total>,
    /// The mean total time: what the user waited for.
    pub wall_s: Option<f64>,
    /// Mean `elapsed_s` of the files, over every record of every repeat.
    pub mean_elapsed_s: Option<f64>,
    /// Sum of `elapsed_s`: the work one worker would have done (the mean
    /// over the repeats).
    pub sum_elapsed_s: f64,
    /// Σ `cpu_s` of the files (the mean over the repeats); `None` when a
    /// record does not carry `cpu_s`.
    pub cpu_s: Option<f64>,
    /// Σ `cpu_s` / total time: the cores kept busy on average (the mean
    /// over the repeats).
    pub cores_busy: Option<f64>,
    /// The largest `max_rss_kib` of any record.
    pub max_rss_kib: Option<u64>,
    /// The largest `workers` of any record: how many files the run could
    /// process at once.
    pub workers: Option<u64>,
}

impl Timing {
    pub fn of(run: &Run) -> Self {
        let mut all = Span::default();
        let (mut records, mut all_elapsed) = (0u64, 0.0);
        let (mut totals, mut sums, mut cpus, mut busy) = (vec![], vec![], vec![], vec![]);
        let (mut max_rss_kib, mut workers) = (None, None);
        for (_, repeat) in run.repeats() {
            let mut span = Span::default();
            // Σ cpu_s, unknown as soon as one record does not say.
            let (mut sum_elapsed, mut cpu) = (0.0, Some(0.0));
            for stats in repeat.records() {
                records += 1;
                all_elapsed += stats.elapsed_s;
                sum_elapsed += stats.elapsed_s;
                span.add(stats.started_at, stats.finished_at);
                all.add(stats.started_at, stats.finished_at);
                cpu = cpu.zip(stats.cpu_s()).map(|(sum, cpu_s)| sum + cpu_s);
                max_rss_kib = max_rss_kib.max(stats.max_rss_kib());
                workers = workers.max(stats.workers());
            }
            // The records' times are in whole microseconds: so are their
            // sums, less the noise of binary fractions.
            sums.push(to_microseconds(sum_elapsed));
            if let Some(total) = span.total_s() {
                totals.push(total);
                if let Some(cpu) = cpu
                    && total > 0.0
                {
                    busy.push(cpu / total);
                }
            }
            cpus.push(cpu);
        }
        // Every repeat's Σ cpu_s, or none.
        let cpus: Option<Vec<f64>> = cpus.into_iter().collect();
        if cpus.is_none() {
            busy.clear();
        }
        let mean = |values: &[f64]| {
            (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
        };
        let total = Total::of(&totals);
        Timing {
            files: run.stats_count() as u64,
            failed: run.errors().len() as u64,
            started_at: all.started_at(),
            finished_at: all.finished_at(),
            total,
            wall_s: total.map(|total| total.mean),
            mean_elapsed_s: (records > 0).then(|| to_microseconds(all_elapsed) / records as f64),
            sum_elapsed_s: mean(&sums).unwrap_or(0.0),
            cpu_s: cpus.as_deref().and_then(mean),
            cores_busy: mean(&busy),
            max_rss_kib,
            workers,
        }
    }

    /// How many repeats timed the run (1 for a run made once).
    pub fn repeats(&self) -> usize {
        self.total.map_or(1, |total| total.repeats)
    }
}
