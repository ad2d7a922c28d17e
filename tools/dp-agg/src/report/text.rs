//! The text face: aligned tables for a terminal or a file, ending with the
//! performance comparison block (docs/reference.md, "Runs").

use std::io::{self, Write};

use dp_core::cli::Location;
use dp_core::names::shown;
use dp_core::record::{Difference, ErrorRecord};
use dp_core::run;

use super::{
    DIFFERENCES_SHOWN, Report, RunReport, file_cells, overall_notes, overall_rows, saved_phrase,
    seconds, shown_files, speedup_phrase, unread_phrase,
};
use crate::args::FilesLimit;
use crate::overall::Overall;
use crate::scaling::ScalingReport;

/// Writes the text report. Names (of files and runs) are shown with their
/// control characters escaped, so none can break a line or reach the
/// terminal as an escape sequence.
pub fn write(report: &Report, limit: FilesLimit, out: &mut dyn Write) -> io::Result<()> {
    if let Some(unread) = unread_phrase(&report.unread) {
        writeln!(out, "Input: {unread}; see the messages on stderr")?;
        writeln!(out)?;
    }
    for (shown, run) in report.runs.iter().enumerate() {
        if shown > 0 {
            writeln!(out)?;
        }
        write_run(run, limit, out)?;
    }
    if let Some(comparison) = &report.comparison {
        writeln!(out)?;
        write_agreement("runs", &comparison.differences, out)?;
        if report.repeated {
            write_agreement("repeats", &report.repeat_differences, out)?;
        }
        writeln!(out)?;
        write_comparison(report, out)?;
    } else if report.repeated {
        writeln!(out)?;
        write_agreement("repeats", &report.repeat_differences, out)?;
    }
    write_scaling(report, out)
}

fn write_run(report: &RunReport, limit: FilesLimit, out: &mut dyn Write) -> io::Result<()> {
    let run = report.run;
    writeln!(out, "Run: {}", run.shown_name())?;
    write_files(report, limit, out)?;
    let errors = run.errors();
    if !errors.is_empty() {
        writeln!(out)?;
        writeln!(out, "Failed files ({}):", errors.len())?;
        for error in errors {
            writeln!(out, "  {}", error_message(error))?;
        }
    }
    writeln!(out)?;
    write_overall(&report.overall, report.timing.files, out)?;
    writeln!(out)?;
    let timing = &report.timing;
    let rows = [
        (
            "processed",
            format!(
                "{}, {} failed",
                super::files_phrase(timing.files),
                timing.failed
            ),
        ),
        (
            "total time",
            format!("{} (first start to last finish)", super::total_text(timing)),
        ),
        ("average per file", with_unit(timing.mean_elapsed_s, "s")),
        (
            "sum of file times",
            format!(
                "{} s (one file after another)",
                seconds(Some(timing.sum_elapsed_s))
            ),
        ),
    ];
    let rows = rows.into_iter().chain(super::cpu_rows(timing));
    writeln!(out, "Timing")?;
    for (name, text) in rows {
        writeln!(out, "  {name:<18} {text}")?;
    }
    for (name, text) in super::hosts::rows(&report.hosts) {
        writeln!(out, "  {name:<18} {text}")?;
    }
    Ok(())
}

/// A failed file's message as dp-stats printed it: `PATH:LINE: error`,
/// its control characters escaped.
pub(crate) fn error_message(error: &ErrorRecord) -> String {
    if error.error.starts_with(&error.path) {
        return shown(&error.error).into_owned();
    }
    let location = Location {
        path: &error.path,
        line: error.line,
    };
    format!("{location}: {}", shown(&error.error))
}

fn write_files(report: &RunReport, limit: FilesLimit, out: &mut dyn Write) -> io::Result<()> {
    let (files, left_out) = shown_files(report.run, limit);
    if files.is_empty() {
        return Ok(());
    }
    let header = [
        "file", "count", "min", "max", "mean", "median", "stddev", "time (s)",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| (*h).to_owned()).collect()];
    rows.extend(files.into_iter().map(file_cells));
    writeln!(out)?;
    write_table(&rows, out)?;
    if left_out > 0 {
        writeln!(
            out,
            "  … {} (--files-limit all shows every file)",
            super::more_files(left_out as u64)
        )?;
    }
    Ok(())
}

/// Aligned columns: the first left-aligned, the others right-aligned.
fn write_table(rows: &[Vec<String>], out: &mut dyn Write) -> io::Result<()> {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::from(" ");
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            line.push(' ');
            if c == 0 {
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', pad));
            } else {
                line.push(' ');
                line.extend(std::iter::repeat_n(' ', pad));
                line.push_str(cell);
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn write_overall(overall: &Overall, files: u64, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "Overall statistics ({}, {} values)",
        super::files_phrase(files),
        overall.count
    )?;
    for (name, text) in overall_rows(overall) {
        writeln!(out, "  {name:<9} {text}")?;
    }
    for note in overall_notes(overall) {
        writeln!(out, "  ({note})")?;
    }
    Ok(())
}

/// `3.05 s`, or `n/a` for a time not known (a run whose files all failed).
fn with_unit(seconds: Option<f64>, unit: &str) -> String {
    match seconds {
        Some(s) => format!("{s:.2} {unit}"),
        None => "n/a".into(),
    }
}

/// The comparison, ending with the block of the seed's lines, which stays
/// the report's last (what bound each run comes before it).
fn write_comparison(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let bounds = [report.bound_lines(), report.overhead_lines()].concat();
    for line in &bounds {
        writeln!(out, "{line}")?;
    }
    if !bounds.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "=== Performance Comparison ===")?;
    for run in &report.runs {
        let timing = &run.timing;
        writeln!(out)?;
        let title = run::title(run.run.label.as_deref());
        writeln!(out, "{} Execution:", shown(&title))?;
        writeln!(out, "- Total time: {}", with_unit(timing.wall_s, "seconds"))?;
        let files = super::files_phrase(timing.files);
        if timing.failed == 0 {
            writeln!(out, "- Processed {files}")?;
        } else {
            writeln!(out, "- Processed {files} ({} failed)", timing.failed)?;
        }
        writeln!(
            out,
            "- Average time per file: {}",
            with_unit(timing.mean_elapsed_s, "seconds")
        )?;
    }
    writeln!(out)?;
    for (shown, run) in report.runs.iter().enumerate().skip(1) {
        let speedup = report.speedup(shown).unwrap_or_default();
        let name = run.run.shown_name();
        let mut line = match speedup.factor {
            Some(_) => format!(
                "Speed Improvement: {} with {name} execution",
                speedup_phrase(speedup.factor)
            ),
            None => format!(
                "Speed Improvement: n/a with {name} execution (a total time is zero or unknown)"
            ),
        };
        if let Some(saved) = saved_phrase(speedup.saved_pct) {
            let tail = super::spread_tail(&speedup, &report.runs[0].timing, &run.timing);
            line.push_str(&format!(" ({saved}{tail})"));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Whether the runs (or every repeat of every run) computed the same, and
/// the first [`DIFFERENCES_SHOWN`] differences if not.
fn write_agreement(
    across: &str,
    differences: &[Difference],
    out: &mut dyn Write,
) -> io::Result<()> {
    if differences.is_empty() {
        return writeln!(out, "Results identical across {across}: yes");
    }
    writeln!(
        out,
        "Results identical across {across}: no ({})",
        super::differences_counted(differences.len())
    )?;
    for difference in differences.iter().take(DIFFERENCES_SHOWN) {
        writeln!(
            out,
            "  {}: {}",
            shown(&difference.path),
            shown(&difference.message)
        )?;
    }
    if differences.len() > DIFFERENCES_SHOWN {
        writeln!(out, "  … {} more", differences.len() - DIFFERENCES_SHOWN)?;
    }
    Ok(())
}

/// The scaling tables, or why one cannot be had.
fn write_scaling(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for scaling in &report.scaling {
        writeln!(out)?;
        let (mode, scaling) = match scaling {
            ScalingReport::Refused(why) => {
                writeln!(out, "=== Scaling ===")?;
                writeln!(out)?;
                writeln!(out, "Scaling: {}", shown(why))?;
                continue;
            }
            ScalingReport::Table { mode, scaling } => (mode, scaling),
        };
        match mode {
            Some(mode) => writeln!(out, "=== Scaling: {} ===", shown(mode))?,
            None => writeln!(out, "=== Scaling ===")?,
        }
        writeln!(out)?;
        let mut rows = vec![
            ["run", "p", "T_p (s)", "speedup", "efficiency", "e_p"]
                .map(str::to_owned)
                .to_vec(),
        ];
        rows.extend(super::scaling_rows(scaling));
        write_table(&rows, out)?;
        writeln!(out)?;
        for (name, text) in super::scaling_fit(scaling) {
            writeln!(out, "{name}: {text}")?;
        }
    }
    Ok(())
}
