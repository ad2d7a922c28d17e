//! A run's timing: its wall-clock time from the files' timestamps, and the
//! time its files took one by one.

use dp_core::run::{Span, to_microseconds};

use crate::group::Run;

/// How long a run took.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Timing {
    /// Files processed (with a `stats` record).
    pub files: u64,
    /// Files that failed (with an `error` record).
    pub failed: u64,
    /// Earliest `started_at`.
    pub started_at: Option<f64>,
    /// Latest `finished_at`.
    pub finished_at: Option<f64>,
    /// Total time, `finished_at - started_at`: what the user waited for
    /// ([`Span::total_s`]).
    pub wall_s: Option<f64>,
    /// Mean `elapsed_s` of the files.
    pub mean_elapsed_s: Option<f64>,
    /// Sum of `elapsed_s`: the work one worker would have done.
    pub sum_elapsed_s: f64,
}

impl Timing {
    pub fn of(run: &Run) -> Self {
        let mut span = Span::default();
        let (mut files, mut sum_elapsed_s) = (0, 0.0);
        for stats in run.stats() {
            files += 1;
            sum_elapsed_s += stats.elapsed_s;
            span.add(stats.started_at, stats.finished_at);
        }
        // The records' times are in whole microseconds: so are their sums,
        // less the noise of binary fractions.
        let sum_elapsed_s = to_microseconds(sum_elapsed_s);
        Timing {
            files,
            failed: run.errors().len() as u64,
            started_at: span.started_at(),
            finished_at: span.finished_at(),
            wall_s: span.total_s(),
            mean_elapsed_s: (files > 0).then(|| sum_elapsed_s / files as f64),
            sum_elapsed_s,
        }
    }
}
