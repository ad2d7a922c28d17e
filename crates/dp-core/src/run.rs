//! Runs and how they compare: the rules dp-agg's reports and dp-plot's
//! charts both follow, written once (docs/reference.md, "Runs").
//!
//! - A run is named by its label; records without one form the run
//!   [`UNLABELLED`].
//! - Its total time is its span: last `finished_at` − first `started_at`
//!   ([`Span`]), measured once per repeat and summarised over the repeats
//!   ([`Total`]).
//! - The baseline is the run the user chose, else the run named
//!   `sequential`, else the first ([`baseline`]).
//! - The speedup is the baseline's mean total over the run's, with its
//!   uncertainty from both spreads; the time saved is in percent
//!   ([`Speedup`]).
//! - A run on another engine (ssh, Slurm) costs an overhead per file over
//!   the local parallel mode ([`Overhead`]), from the slot time its files
//!   did not spend in dp-stats.

/// The name of the run of records that carry no label.
pub const UNLABELLED: &str = "(no run)";

/// The run that is the baseline when present and none was chosen.
pub const PREFERRED_BASELINE: &str = "sequential";

/// How a run is named to people: its label, or [`UNLABELLED`].
pub fn name(label: Option<&str>) -> &str {
    label.unwrap_or(UNLABELLED)
}

/// A run's label as a heading: its name with the first letter capitalised.
pub fn title(label: Option<&str>) -> String {
    let mut chars = name(label).chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The baseline among runs labelled `labels` (in order): `chosen` when
/// given, else the run named `sequential`, else the first. `Err` names a
/// chosen run that is not there.
pub fn baseline(labels: &[Option<&str>], chosen: Option<&str>) -> Result<usize, String> {
    match chosen {
        Some(chosen) => labels
            .iter()
            .position(|&label| label == Some(chosen))
            .ok_or_else(|| {
                let chosen = crate::names::shown(chosen);
                format!("--baseline {chosen}: no such run in the input")
            }),
        None => Ok(labels
            .iter()
            .position(|&label| label == Some(PREFERRED_BASELINE))
            .unwrap_or(0)),
    }
}

/// Whether a record's times can be part of a span: finite, and not ending
/// before they began. `Err` says why not, for a diagnostic.
pub fn check_times(started_at: f64, finished_at: f64) -> Result<(), String> {
    if !started_at.is_finite() || !finished_at.is_finite() {
        return Err(format!(
            "started_at {started_at} and finished_at {finished_at} must be finite times"
        ));
    }
    if finished_at < started_at {
        return Err(format!(
            "finished_at {finished_at} is before started_at {started_at}"
        ));
    }
    Ok(())
}

/// The time a set of jobs covers: from the first start to the last end.
/// Jobs' times are checked with [`check_times`] before they are added.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Span {
    bounds: Option<(f64, f64)>,
}

impl Span {
    /// The span of `jobs`, each `(started_at, finished_at)`.
    pub fn of(jobs: impl IntoIterator<Item = (f64, f64)>) -> Self {
        let mut span = Self::default();
        for (start, end) in jobs {
            span.add(start, end);
        }
        span
    }

    pub fn add(&mut self, started_at: f64, finished_at: f64) {
        self.bounds = Some(match self.bounds {
            Some((first, last)) => (first.min(started_at), last.max(finished_at)),
            None => (started_at, finished_at),
        });
    }

    /// The earliest start, if any job was added.
    pub fn started_at(&self) -> Option<f64> {
        self.bounds.map(|(first, _)| first)
    }

    /// The latest end, if any job was added.
    pub fn finished_at(&self) -> Option<f64> {
        self.bounds.map(|(_, last)| last)
    }

    /// Total time: last end − first start, to the microsecond (the records'
    /// resolution, less the noise of binary fractions); `None` when empty.
    pub fn total_s(&self) -> Option<f64> {
        self.bounds
            .map(|(first, last)| to_microseconds((last - first).max(0.0)))
    }
}

/// Seconds rounded to whole microseconds.
pub fn to_microseconds(seconds: f64) -> f64 {
    (seconds * 1e6).round() / 1e6
}

/// A run's total time over its repeats: mean, sample standard deviation
/// (`None` for a single repeat), min and max.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Total {
    pub mean: f64,
    pub stddev: Option<f64>,
    pub min: f64,
    pub max: f64,
    pub repeats: usize,
}

impl Total {
    /// The summary of one total per repeat; `None` without any.
    pub fn of(totals: &[f64]) -> Option<Self> {
        let n = totals.len();
        if n == 0 {
            return None;
        }
        let mean = totals.iter().sum::<f64>() / n as f64;
        let stddev = (n >= 2).then(|| {
            let squares: f64 = totals.iter().map(|t| (t - mean) * (t - mean)).sum();
            (squares / (n - 1) as f64).sqrt()
        });
        Some(Self {
            mean,
            stddev,
            min: totals.iter().copied().fold(f64::INFINITY, f64::min),
            max: totals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            repeats: n,
        })
    }

    /// The spread relative to the mean (σ / mean), 0 for a single repeat.
    fn relative_spread(&self) -> f64 {
        self.stddev.unwrap_or(0.0) / self.mean
    }
}

/// A run's speed against the baseline. Every field is `None` where a total
/// is zero or unknown: there is no ratio to give, and none is made up.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Speedup {
    /// Baseline mean total / this run's mean total.
    pub factor: Option<f64>,
    /// σ of the factor from both runs' spreads:
    /// S · sqrt((σ_b / mean_b)² + (σ_r / mean_r)²); `None` unless either
    /// run was repeated.
    pub stddev: Option<f64>,
    /// Time saved against the baseline, in percent (negative: time lost).
    pub saved_pct: Option<f64>,
}

impl Speedup {
    pub fn of(baseline: Option<&Total>, run: Option<&Total>) -> Self {
        let (Some(base), Some(this)) = (baseline, run) else {
            return Self::default();
        };
        if !(base.mean > 0.0 && this.mean > 0.0) {
            return Self::default();
        }
        let factor = base.mean / this.mean;
        let repeated = base.stddev.is_some() || this.stddev.is_some();
        Self {
            factor: Some(factor),
            stddev: repeated.then(|| factor * base.relative_spread().hypot(this.relative_spread())),
            saved_pct: Some((1.0 - this.mean / base.mean) * 100.0),
        }
    }
}

/// The modes whose per-file work runs on another engine than this
/// machine's processes: their overhead is reported over the local one.
pub const REMOTE_MODES: [&str; 2] = ["ssh", "slurm"];

/// The local parallel modes a remote one is compared with, in order of
/// preference: the first present is "local".
pub const LOCAL_MODES: [&str; 4] = ["parallel", "gnu-parallel", "xargs", "threads"];

/// The mode of a run label: the label itself, or the mode of a scaling
/// run's (`ssh-j6` is of `ssh`).
pub fn mode(label: Option<&str>) -> Option<&str> {
    let label = label?;
    match crate::scaling::parse_label(label) {
        Some((mode, _)) => mode,
        None => Some(label),
    }
}

/// The most jobs in progress at the same instant, from their `(started_at,
/// finished_at)`: the slots a run really kept busy at its busiest.
pub fn peak_concurrency(jobs: impl IntoIterator<Item = (f64, f64)>) -> usize {
    let mut events: Vec<(f64, i32)> = jobs
        .into_iter()
        .flat_map(|(started_at, finished_at)| [(started_at, 1), (finished_at, -1)])
        .collect();
    // At equal times, ends before starts: back-to-back jobs do not overlap.
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut running, mut peak) = (0i32, 0i32);
    for (_, change) in events {
        running += change;
        peak = peak.max(running);
    }
    peak as usize
}

/// How long `jobs` (`(started_at, elapsed_s)`) would take on `slots` slots
/// that cost nothing between files: each file, in the order they started,
/// to the slot free first. What a run of these files in this order could
/// not beat, its last round's empty slots included.
pub fn ideal_total_s(jobs: impl IntoIterator<Item = (f64, f64)>, slots: usize) -> f64 {
    let mut jobs: Vec<(f64, f64)> = jobs.into_iter().collect();
    jobs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut free_at = vec![0.0f64; slots.max(1)];
    for (_, elapsed_s) in jobs {
        let first_free = free_at
            .iter_mut()
            .min_by(|a, b| a.total_cmp(b))
            .expect("a slot");
        *first_free += elapsed_s;
    }
    free_at.into_iter().fold(0.0, f64::max)
}

/// What a run's engine cost per file, beyond the work in dp-stats: the
/// slot time lost against the same files on slots that cost nothing
/// between them ([`ideal_total_s`]), per file, `(T − I) · c / files`, with
/// T the run's total time, I that ideal total and c its peak concurrency
/// (docs/reference.md, "Runs"). Starting processes, connections, shipping
/// files and scheduling count; the work itself (the delay included) and
/// a last round that fills fewer slots than the others do not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Overhead {
    /// Seconds per file.
    pub per_file_s: f64,
}

impl Overhead {
    /// `None` without files, a total time or a concurrency.
    pub fn of(total_s: Option<f64>, concurrency: usize, ideal_s: f64, files: u64) -> Option<Self> {
        let total_s = total_s?;
        if files == 0 || concurrency == 0 {
            return None;
        }
        Some(Self {
            per_file_s: (total_s - ideal_s) * concurrency as f64 / files as f64,
        })
    }

    /// How much more per file this costs than `local`.
    pub fn over(self, local: Overhead) -> f64 {
        self.per_file_s - local.per_file_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_drop_the_workers_suffix() {
        assert_eq!(mode(Some("ssh")), Some("ssh"));
        assert_eq!(mode(Some("parallel-j4")), Some("parallel"));
        assert_eq!(mode(Some("gnu-parallel")), Some("gnu-parallel"));
        assert_eq!(mode(Some("x-j")), Some("x-j"));
        assert_eq!(mode(Some("j4")), None);
        assert_eq!(mode(None), None);
    }

    #[test]
    fn peak_concurrency_counts_overlap_not_back_to_back_jobs() {
        assert_eq!(peak_concurrency([(0.0, 1.0), (1.0, 2.0)]), 1);
        assert_eq!(peak_concurrency([(0.0, 2.0), (1.0, 3.0), (1.5, 1.6)]), 3);
        assert_eq!(peak_concurrency([]), 0);
    }

    #[test]
    fn overhead_is_the_slot_time_outside_dp_stats_per_file() {
        // 30 files of 1 s on 6 slots in 6 s, ideally 5 s: 6 * 6 - 30 = 6 s
        // over 30 files.
        let files = (0..30).map(|i| (f64::from(i), 1.0));
        let ideal = ideal_total_s(files, 6);
        assert_eq!(ideal, 5.0);
        let ssh = Overhead::of(Some(6.0), 6, ideal, 30).unwrap();
        assert!((ssh.per_file_s - 0.2).abs() < 1e-12);
        let local = Overhead::of(Some(5.1), 6, ideal, 30).unwrap();
        assert!((ssh.over(local) - 0.18).abs() < 1e-12);
        assert_eq!(Overhead::of(None, 6, ideal, 30), None);
        assert_eq!(Overhead::of(Some(6.0), 6, 0.0, 0), None);
        // 12 files of 3 s on 5 slots: three rounds, the last of two files,
        // are 9 s of no cost at all; the empty slots are not the engine's.
        let uneven = ideal_total_s((0..12).map(|i| (f64::from(i), 3.0)), 5);
        assert_eq!(uneven, 9.0);
        assert_eq!(
            Overhead::of(Some(9.0), 5, uneven, 12).unwrap().per_file_s,
            0.0
        );
        // Files taken in the order they started: a long one last ends late.
        assert_eq!(ideal_total_s([(0.0, 1.0), (0.1, 1.0), (0.2, 5.0)], 2), 6.0);
        assert_eq!(ideal_total_s([], 3), 0.0);
    }

    #[test]
    fn unlabelled_runs_have_one_name() {
        assert_eq!(name(None), "(no run)");
        assert_eq!(name(Some("parallel")), "parallel");
        assert_eq!(title(Some("parallel")), "Parallel");
        assert_eq!(title(None), "(no run)");
    }

    #[test]
    fn the_baseline_is_chosen_else_sequential_else_first() {
        let labels = [Some("parallel"), None, Some("sequential")];
        assert_eq!(baseline(&labels, None), Ok(2));
        assert_eq!(baseline(&labels, Some("parallel")), Ok(0));
        assert_eq!(baseline(&labels[..2], None), Ok(0));
        assert!(
            baseline(&labels, Some("xargs"))
                .unwrap_err()
                .contains("xargs")
        );
    }

    #[test]
    fn a_span_runs_from_first_start_to_last_end() {
        let span = Span::of([(10.0, 13.0), (11.0, 12.0), (12.5, 14.5)]);
        assert_eq!(span.total_s(), Some(4.5));
        assert_eq!(span.started_at(), Some(10.0));
        assert_eq!(Span::default().total_s(), None);
        assert!(check_times(2.0, 1.0).is_err());
        assert!(check_times(f64::NAN, 1.0).is_err());
        assert!(check_times(1.0, 1.0).is_ok());
    }

    #[test]
    fn totals_over_repeats_match_a_hand_computation() {
        // mean 3, deviations -1 0 1: sample variance 2/2 = 1.
        let total = Total::of(&[2.0, 3.0, 4.0]).unwrap();
        assert_eq!((total.mean, total.stddev), (3.0, Some(1.0)));
        assert_eq!((total.min, total.max, total.repeats), (2.0, 4.0, 3));
        assert_eq!(Total::of(&[5.0]).unwrap().stddev, None);
        assert_eq!(Total::of(&[]), None);
    }

    #[test]
    fn speedup_and_its_uncertainty_follow_the_formula() {
        let base = Total::of(&[14.0, 15.0, 16.0]).unwrap(); // 15 ± 1
        let run = Total::of(&[2.9, 3.0, 3.1]).unwrap(); // 3 ± 0.1
        let speedup = Speedup::of(Some(&base), Some(&run));
        assert_eq!(speedup.factor, Some(5.0));
        // 5 · sqrt((1/15)² + (0.1/3)²) = 5 · sqrt(0.0044444 + 0.0011111)
        let expected = 5.0 * (1.0f64 / 225.0 + 0.01 / 9.0).sqrt();
        assert!((speedup.stddev.unwrap() - expected).abs() < 1e-12);
        assert!((speedup.saved_pct.unwrap() - 80.0).abs() < 1e-12);

        let once = |t| Total::of(&[t]).unwrap();
        let plain = Speedup::of(Some(&once(15.0)), Some(&once(3.0)));
        assert_eq!((plain.factor, plain.stddev), (Some(5.0), None));
        assert_eq!(
            Speedup::of(Some(&once(0.0)), Some(&once(3.0))),
            Speedup::default()
        );
        assert_eq!(Speedup::of(None, Some(&once(3.0))), Speedup::default());
    }
}
