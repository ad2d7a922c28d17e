//! A run's timing: its wall-clock time from the files' timestamps, and the
//! time its files took one by one.

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
    /// `finished_at - started_at`: what the user waited for.
    pub wall_s: Option<f64>,
    /// Mean `elapsed_s` of the files.
    pub mean_elapsed_s: Option<f64>,
    /// Sum of `elapsed_s`: the work one worker would have done.
    pub sum_elapsed_s: f64,
}

impl Timing {
    pub fn of(run: &Run) -> Self {
        let mut timing = Timing {
            failed: run.errors().len() as u64,
            ..Timing::default()
        };
        for stats in run.stats() {
            timing.files += 1;
            timing.sum_elapsed_s += stats.elapsed_s;
            timing.started_at = Some(match timing.started_at {
                Some(first) => first.min(stats.started_at),
                None => stats.started_at,
            });
            timing.finished_at = Some(match timing.finished_at {
                Some(last) => last.max(stats.finished_at),
                None => stats.finished_at,
            });
        }
        if let (Some(start), Some(end)) = (timing.started_at, timing.finished_at) {
            // Clocks of different hosts may disagree; a negative span means nothing.
            timing.wall_s = Some(to_microseconds((end - start).max(0.0)));
        }
        // The records' times are in whole microseconds: so are their sums,
        // less the noise of binary fractions.
        timing.sum_elapsed_s = to_microseconds(timing.sum_elapsed_s);
        if timing.files > 0 {
            timing.mean_elapsed_s = Some(timing.sum_elapsed_s / timing.files as f64);
        }
        timing
    }
}

fn to_microseconds(seconds: f64) -> f64 {
    (seconds * 1e6).round() / 1e6
}
