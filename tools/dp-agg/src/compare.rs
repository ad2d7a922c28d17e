//! Runs set against a baseline: how much faster each was, and whether each
//! computed the same statistics over the same files.

use dp_core::record::Difference;
use dp_core::run::{Speedup, Total};

use crate::group::shown_name;

use crate::group::{Entry, FileStats, Run};
use crate::timing::Timing;

/// How the runs compare with the baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Index of the baseline run.
    pub baseline: usize,
    /// Every run, the baseline first, then the others in order of appearance.
    pub order: Vec<usize>,
    /// Per run (by index into the runs): its speedup over the baseline.
    pub speedups: Vec<Speedup>,
    pub differences: Vec<Difference>,
}

/// Compares two runs or more with the one at `baseline`
/// ([`dp_core::run::baseline`]); `None` for a single run.
pub fn compare(runs: &[Run], timings: &[Timing], baseline: usize) -> Option<Comparison> {
    if runs.len() < 2 {
        return None;
    }
    let order = std::iter::once(baseline)
        .chain((0..runs.len()).filter(|&at| at != baseline))
        .collect();
    // Each run's total over its repeats (one for a run made once).
    let totals: Vec<Option<Total>> = timings.iter().map(|timing| timing.total).collect();
    let speedups = totals
        .iter()
        .map(|total| Speedup::of(totals[baseline].as_ref(), total.as_ref()))
        .collect();
    let differences = runs
        .iter()
        .enumerate()
        .filter(|&(at, _)| at != baseline)
        .flat_map(|(_, run)| differences(&runs[baseline], run))
        .collect();
    Some(Comparison {
        baseline,
        order,
        speedups,
        differences,
    })
}

/// What `run` computed differently from `baseline`: files missing, extra or
/// failed in one only, and per file every statistic that is not bit-for-bit
/// the same. Timings, hosts and digests may differ (a digest may be thinned
/// to fit a record in one pipe write).
pub fn differences(baseline: &Run, run: &Run) -> Vec<Difference> {
    let base_name = baseline.shown_name();
    let name = run.shown_name();
    let mut found = Vec::new();
    let mut differ = |path: &str, field: &str, message: String| {
        found.push(Difference {
            run: run.label.clone(),
            path: path.to_owned(),
            field: field.to_owned(),
            message,
        });
    };
    for base_entry in baseline.entries() {
        let path = base_entry.path();
        match (base_entry, run.get(path)) {
            (_, None) => differ(path, "missing", format!("not in run {name}")),
            (Entry::Stats(_), Some(Entry::Failed(error))) => differ(
                path,
                "failed",
                format!("failed in run {name}: {}", error.error),
            ),
            (Entry::Failed(_), Some(Entry::Stats(_))) => differ(
                path,
                "failed",
                format!("failed in run {base_name}, not in run {name}"),
            ),
            (Entry::Failed(_), Some(Entry::Failed(_))) => {}
            (Entry::Stats(base), Some(Entry::Stats(this))) => {
                for (field, base_value, value) in field_differences(base, this) {
                    differ(
                        path,
                        field,
                        format!(
                            "{field} is {value} in run {name}, {base_value} in run {base_name}"
                        ),
                    );
                }
            }
        }
    }
    for entry in run.entries() {
        if baseline.get(entry.path()).is_none() {
            differ(
                entry.path(),
                "extra",
                format!("in run {name}, not in run {base_name}"),
            );
        }
    }
    found
}

/// The statistics of one file that differ, as `(field, baseline, other)`.
fn field_differences(base: &FileStats, this: &FileStats) -> Vec<(&'static str, String, String)> {
    let show = |value: Option<f64>| value.map_or_else(|| "null".to_owned(), |v| v.to_string());
    let mut found = Vec::new();
    if base.count != this.count {
        found.push(("count", base.count.to_string(), this.count.to_string()));
    }
    if base.invalid != this.invalid {
        found.push((
            "invalid",
            base.invalid.to_string(),
            this.invalid.to_string(),
        ));
    }
    let fields = [
        ("sum", base.sum(), this.sum()),
        ("min", base.min(), this.min()),
        ("max", base.max(), this.max()),
        ("mean", base.mean(), this.mean()),
        ("median", base.median(), this.median()),
        ("q1", base.q1(), this.q1()),
        ("q3", base.q3(), this.q3()),
        ("variance", base.variance(), this.variance()),
        ("stddev", base.stddev(), this.stddev()),
    ];
    for (field, a, b) in fields {
        if a.map(f64::to_bits) != b.map(f64::to_bits) {
            found.push((field, show(a), show(b)));
        }
    }
    let bits = |list: &[(f64, f64)]| {
        list.iter()
            .map(|&(p, v)| (p.to_bits(), v.to_bits()))
            .collect::<Vec<_>>()
    };
    if bits(base.percentiles()) != bits(this.percentiles()) {
        found.push((
            "percentiles",
            format!("{:?}", base.percentiles()),
            format!("{:?}", this.percentiles()),
        ));
    }
    found
}

/// How a repeat is named: `repeat 2`, or `the records without a repeat`.
pub fn repeat_name(repeat: Option<u64>) -> String {
    match repeat {
        Some(repeat) => format!("repeat {repeat}"),
        None => "the records without a repeat".to_owned(),
    }
}

/// What the repeats of `run` computed differently from its first repeat:
/// files in one repeat only, and per file every statistic that is not bit
/// for bit the same (as [`differences`] checks across runs). A file that
/// failed has no statistics to compare.
pub fn repeat_differences(run: &Run) -> Vec<Difference> {
    let Some(primary) = run.primary_repeat() else {
        return Vec::new();
    };
    let name = shown_name(run.label.as_deref());
    let Some((_, first)) = run.repeats().find(|&(repeat, _)| repeat == primary) else {
        return Vec::new();
    };
    let first_name = repeat_name(primary);
    let failed_later = |repeat, path: &str| {
        run.later_failures()
            .iter()
            .any(|error| error.repeat == repeat && error.path == path)
    };
    let mut found = Vec::new();
    for (repeat, records) in run.repeats().filter(|&(repeat, _)| repeat != primary) {
        let this_name = repeat_name(repeat);
        let mut differ = |path: &str, field: &str, message: String| {
            found.push(Difference {
                run: run.label.clone(),
                path: path.to_owned(),
                field: field.to_owned(),
                message,
            });
        };
        for base in first.records() {
            match records.get(&base.path) {
                None if !matches!(run.get(&base.path), Some(Entry::Failed(_)))
                    && !failed_later(repeat, &base.path) =>
                {
                    differ(
                        &base.path,
                        "missing",
                        format!("not in {this_name} of run {name}"),
                    )
                }
                None => {}
                Some(this) => {
                    for (field, base_value, value) in field_differences(base, this) {
                        differ(
                            &base.path,
                            field,
                            format!(
                                "{field} is {value} in {this_name}, {base_value} in {first_name} of run {name}"
                            ),
                        );
                    }
                }
            }
        }
        for this in records.records() {
            if first.get(&this.path).is_none()
                && !matches!(run.get(&this.path), Some(Entry::Failed(_)))
            {
                differ(
                    &this.path,
                    "extra",
                    format!("in {this_name}, not in {first_name} of run {name}"),
                );
            }
        }
    }
    for error in run.later_failures() {
        if matches!(run.get(&error.path), Some(Entry::Stats(_))) {
            found.push(Difference {
                run: run.label.clone(),
                path: error.path.clone(),
                field: "failed".to_owned(),
                message: format!(
                    "failed in {} of run {name}: {}",
                    repeat_name(error.repeat),
                    error.error
                ),
            });
        }
    }
    found
}
