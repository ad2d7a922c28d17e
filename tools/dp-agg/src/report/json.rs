//! The JSON face: one `summary` record per run, then one `comparison`
//! record when there are two runs or more (docs/reference.md, "Records").

use std::io::{self, Write};

use dp_core::io::RecordWriter;
use dp_core::record::{ComparisonRecord, Record, RunComparison, SummaryRecord};

use super::{Report, RunReport};
use crate::input::Unread;

/// Writes the records, each whole in one write.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = RecordWriter::new(out);
    for run in &report.runs {
        writer.write(&Record::Summary(Box::new(summary(run, &report.unread))))?;
    }
    if let Some(comparison) = comparison(report) {
        writer.write(&Record::Comparison(comparison))?;
    }
    Ok(())
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
        // TODO(issue 10): repeats, and where the time went.
        repeats: 1,
        total_s: timing
            .wall_s
            .and_then(|wall| dp_core::run::Total::of(&[wall]))
            .map(Into::into),
        cpu_s: None,
        cores_busy: None,
        max_rss_kib: None,
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
            RunComparison {
                run: run.run.label.clone(),
                files: run.timing.files,
                failed: run.timing.failed,
                wall_s: run.timing.wall_s,
                mean_elapsed_s: run.timing.mean_elapsed_s,
                speedup: speedup.factor,
                saved_pct: speedup.saved_pct,
                repeats: 1,
                speedup_stddev: speedup.stddev,
            }
        })
        .collect();
    Some(ComparisonRecord {
        baseline: report.runs[0].run.label.clone(),
        runs,
        identical: comparison.differences.is_empty(),
        differences: comparison.differences.clone(),
    })
}
