//! The JSON face: one `summary` record per run, then one `comparison`
//! record when there are two runs or more (docs/reference.md, "Records").

use std::io::{self, Write};

use dp_core::io::RecordWriter;
use dp_core::record::{
    ComparisonRecord, Prediction, Record, RunComparison, ScalingPoint, ScalingRecord, SummaryRecord,
};
use dp_core::scaling::Scaling;

use super::{Report, RunReport};
use crate::input::Unread;
use crate::scaling::ScalingReport;

/// Writes the records, each whole in one write.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = RecordWriter::new(out);
    for run in &report.runs {
        writer.write(&Record::Summary(Box::new(summary(run, &report.unread))))?;
    }
    if let Some(comparison) = comparison(report) {
        writer.write(&Record::Comparison(comparison))?;
    }
    for scaling in &report.scaling {
        if let ScalingReport::Table { mode, scaling } = scaling {
            writer.write(&Record::Scaling(scaling_record(mode, scaling)))?;
        }
    }
    Ok(())
}

/// The `scaling` record of one mode's table.
pub fn scaling_record(mode: &Option<String>, scaling: &Scaling) -> ScalingRecord {
    ScalingRecord {
        mode: mode.clone(),
        points: scaling
            .points
            .iter()
            .map(|point| ScalingPoint {
                run: point.run.clone(),
                workers: point.workers,
                total_s: point.total.mean,
                total_stddev_s: point.total.stddev,
                speedup: point.speedup,
                efficiency: point.efficiency,
                karp_flatt: point.karp_flatt,
            })
            .collect(),
        serial_fraction: scaling.serial_fraction,
        amdahl_limit: scaling.amdahl_limit,
        predicted: scaling
            .predicted
            .map(|(workers, speedup)| Prediction { workers, speedup }),
    }
}

/// The `summary` record of one run; `unread`, the input's, is in each.
pub fn summary(report: &RunReport, unread: &Unread) -> SummaryRecord {
    let overall = &report.overall;
    let timing = &report.timing;
    SummaryRecord {
        run: report.run.label.clone(),
        files: timing.files,
        failed: timing.failed,
        errors: report.run.errors().into_iter().cloned().collect(),
        count: overall.count,
        sum: overall.sum,
        notes: overall.notes.clone(),
        min: overall.min,
        max: overall.max,
        mean: overall.mean,
        median: overall.median.map(|q| q.value),
        q1: overall.q1.map(|q| q.value),
        q3: overall.q3.map(|q| q.value),
        variance: overall.variance,
        stddev: overall.stddev,
        quantiles: overall.method,
        rank_err: overall.rank_err(),
        started_at: timing.started_at,
        finished_at: timing.finished_at,
        wall_s: timing.wall_s,
        mean_elapsed_s: timing.mean_elapsed_s,
        sum_elapsed_s: timing.sum_elapsed_s,
        skipped_lines: unread.skipped_lines,
        unread_sources: unread.unread_sources,
        repeats: timing.repeats() as u64,
        total_s: timing.total.map(Into::into),
        cpu_s: timing.cpu_s,
        cores_busy: timing.cores_busy,
        max_rss_kib: timing.max_rss_kib,
        hosts: report.hosts.clone(),
    }
}

/// The `comparison` record, with two runs or more.
pub fn comparison(report: &Report) -> Option<ComparisonRecord> {
    let comparison = report.comparison.as_ref()?;
    let runs = report
        .runs
        .iter()
        .enumerate()
        .map(|(shown, run)| {
            let speedup = report.speedup(shown).unwrap_or_default();
            let cost = report.engine_cost(shown);
            RunComparison {
                run: run.run.label.clone(),
                files: run.timing.files,
                failed: run.timing.failed,
                wall_s: run.timing.wall_s,
                mean_elapsed_s: run.timing.mean_elapsed_s,
                speedup: speedup.factor,
                saved_pct: speedup.saved_pct,
                repeats: run.timing.repeats() as u64,
                speedup_stddev: speedup.stddev,
                overhead_per_file_s: cost.map(|cost| cost.per_file_s),
                overhead_over_local_s: cost.and_then(|cost| cost.over_local_s),
            }
        })
        .collect();
    Some(ComparisonRecord {
        baseline: report.runs[0].run.label.clone(),
        runs,
        identical: comparison.differences.is_empty() && report.repeat_differences.is_empty(),
        differences: comparison
            .differences
            .iter()
            .chain(&report.repeat_differences)
            .cloned()
            .collect(),
    })
}
