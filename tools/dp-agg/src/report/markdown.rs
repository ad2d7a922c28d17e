//! The Markdown face: the text report as tables, for a README or an issue.

use std::io::{self, Write};

use dp_core::names::shown;
use dp_core::record::Difference;

use super::{
    Report, RunReport, file_cells, overall_notes, overall_rows, shown_files, text::error_message,
    unread_phrase,
};
use crate::args::FilesLimit;
use crate::group::Run;
use crate::overall::Overall;
use crate::scaling::ScalingReport;

/// Writes the Markdown report. Every name and message is escaped
/// ([`escape`]), so none can break a table or a list.
pub fn write(report: &Report, limit: FilesLimit, out: &mut dyn Write) -> io::Result<()> {
    if let Some(unread) = unread_phrase(&report.unread) {
        writeln!(out, "**Input:** {unread}; see the messages on stderr.")?;
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
        writeln!(out, "## Performance comparison")?;
        writeln!(out)?;
        write_differences("runs", &comparison.differences, out)?;
        if report.repeated {
            writeln!(out)?;
            write_differences("repeats", &report.repeat_differences, out)?;
        }
        writeln!(out)?;
        write_comparison(report, out)?;
    } else if report.repeated {
        writeln!(out)?;
        write_differences("repeats", &report.repeat_differences, out)?;
    }
    write_scaling(report, out)
}

/// Whether the runs (or the repeats) computed the same, and every
/// difference if not.
fn write_differences(
    across: &str,
    differences: &[Difference],
    out: &mut dyn Write,
) -> io::Result<()> {
    if differences.is_empty() {
        return writeln!(out, "Results identical across {across}: yes");
    }
    writeln!(out, "Results identical across {across}: **no**")?;
    writeln!(out)?;
    for difference in differences {
        writeln!(
            out,
            "- {}: {}",
            escape(&difference.path),
            escape(&difference.message)
        )?;
    }
    Ok(())
}

/// One row per run, the baseline first: times, files, speedup.
fn write_comparison(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<Vec<String>> = super::comparison_rows(report)
        .into_iter()
        .map(|mut row| {
            row[0] = escape(&row[0]);
            row.into()
        })
        .collect();
    write_table(
        &[
            ("Run", Align::Left),
            ("Total time (s)", Align::Right),
            ("Files", Align::Right),
            ("Failed", Align::Right),
            ("Average per file (s)", Align::Right),
            ("Speedup", Align::Left),
            ("Time saved", Align::Left),
        ],
        &rows,
        out,
    )?;
    let bounds = [report.bound_lines(), report.overhead_lines()].concat();
    if !bounds.is_empty() {
        writeln!(out)?;
        for line in bounds {
            writeln!(out, "- {}", escape(&line))?;
        }
    }
    Ok(())
}

/// The scaling tables, or why one cannot be had.
fn write_scaling(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for scaling in &report.scaling {
        writeln!(out)?;
        let (mode, scaling) = match scaling {
            ScalingReport::Refused(why) => {
                writeln!(out, "## Scaling")?;
                writeln!(out)?;
                writeln!(out, "Scaling: {}", escape(why))?;
                continue;
            }
            ScalingReport::Table { mode, scaling } => (mode, scaling),
        };
        match mode {
            Some(mode) => writeln!(out, "## Scaling: {}", escape(mode))?,
            None => writeln!(out, "## Scaling")?,
        }
        writeln!(out)?;
        let rows: Vec<Vec<String>> = super::scaling_rows(scaling)
            .into_iter()
            .map(|row| row.into_iter().map(|cell| escape(&cell)).collect())
            .collect();
        write_table(
            &[
                ("Run", Align::Left),
                ("p", Align::Right),
                ("T_p (s)", Align::Right),
                ("Speedup", Align::Right),
                ("Efficiency", Align::Right),
                ("e_p", Align::Right),
            ],
            &rows,
            out,
        )?;
        writeln!(out)?;
        for (name, text) in super::scaling_fit(scaling) {
            writeln!(out, "- {name}: {text}")?;
        }
    }
    Ok(())
}

fn write_run(report: &RunReport, limit: FilesLimit, out: &mut dyn Write) -> io::Result<()> {
    let run = report.run;
    writeln!(out, "## Run: {}", escape(&run.shown_name()))?;
    write_files(run, limit, out)?;
    let errors = run.errors();
    if !errors.is_empty() {
        writeln!(out)?;
        writeln!(out, "Failed files ({}):", errors.len())?;
        writeln!(out)?;
        for error in errors {
            writeln!(out, "- {}", escape(&error_message(error)))?;
        }
    }
    writeln!(out)?;
    write_overall(&report.overall, report.timing.files, out)?;
    writeln!(out)?;
    write_timing(report, out)
}

/// The per-file table, as far as `limit` allows.
fn write_files(run: &Run, limit: FilesLimit, out: &mut dyn Write) -> io::Result<()> {
    let (files, left_out) = shown_files(run, limit);
    if files.is_empty() {
        return Ok(());
    }
    let rows: Vec<Vec<String>> = files
        .into_iter()
        .map(|stats| {
            let mut cells = file_cells(stats);
            cells[0] = escape(&cells[0]);
            cells
        })
        .collect();
    writeln!(out)?;
    write_table(
        &[
            ("File", Align::Left),
            ("Count", Align::Right),
            ("Min", Align::Right),
            ("Max", Align::Right),
            ("Mean", Align::Right),
            ("Median", Align::Right),
            ("Stddev", Align::Right),
            ("Time (s)", Align::Right),
        ],
        &rows,
        out,
    )?;
    if left_out > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "… {} (`--files-limit all` shows every file)",
            super::more_files(left_out as u64)
        )?;
    }
    Ok(())
}

fn write_overall(overall: &Overall, files: u64, out: &mut dyn Write) -> io::Result<()> {
    let rows: Vec<Vec<String>> = std::iter::once(("files", files.to_string()))
        .chain(overall_rows(overall))
        .map(|(name, text)| vec![name.to_owned(), text])
        .collect();
    write_table(
        &[("Overall", Align::Left), ("Value", Align::Right)],
        &rows,
        out,
    )?;
    let notes = overall_notes(overall);
    if !notes.is_empty() {
        writeln!(out)?;
        for note in notes {
            writeln!(out, "- {}", escape(&note))?;
        }
    }
    Ok(())
}

fn write_timing(report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
    let mut rows: Vec<Vec<String>> = super::timing_rows(&report.timing)
        .into_iter()
        .map(|(name, text)| vec![name.to_owned(), text])
        .collect();
    rows.extend(
        super::hosts::rows(&report.hosts)
            .into_iter()
            .map(|(name, text)| vec![escape(&name), text]),
    );
    write_table(&[("Timing", Align::Left), ("", Align::Right)], &rows, out)
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

fn write_table(
    header: &[(&str, Align)],
    rows: &[Vec<String>],
    out: &mut dyn Write,
) -> io::Result<()> {
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::from("|");
        for cell in cells {
            text.push(' ');
            text.push_str(cell);
            text.push_str(" |");
        }
        text
    };
    writeln!(out, "{}", line(&mut header.iter().map(|(name, _)| *name)))?;
    let rule: Vec<&str> = header
        .iter()
        .map(|(_, align)| match align {
            Align::Left => ":---",
            Align::Right => "---:",
        })
        .collect();
    writeln!(out, "{}", line(&mut rule.iter().copied()))?;
    for row in rows {
        writeln!(out, "{}", line(&mut row.iter().map(String::as_str)))?;
    }
    Ok(())
}

/// Escapes the characters that would end a table cell or start emphasis,
/// and control characters ([`shown`]: a newline would end a row).
fn escape(text: &str) -> String {
    let text = shown(text);
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '|' | '*' | '_' | '`' | '<' | '[') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
