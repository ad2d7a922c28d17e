//! The HTML face: one self-contained page a browser shows offline
//! (docs/reference.md, "HTML report").
//!
//! Nothing is fetched: the charts are dp-plot's, inlined as SVG
//! ([`super::charts`]), the style and the few lines of script are in the
//! page, and so is the font: Noto Sans, once, as data: URLs (about 550 KB),
//! the font the charts' text was measured with (without it, a wider system
//! font overflowed the scaling chart's legend), so the page reads the same
//! on every machine. A Content-Security-Policy refuses any request. Every
//! number is the one the other faces print, from the same rows and
//! formatting ([`super`]); every string from the input is escaped
//! ([`escape`]). The per-file table is plain
//! HTML, readable without script; the script sorts it by the column the
//! URL's fragment names (`#sort=elapsed_s-desc`: a link users can keep),
//! which its headers link to.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::group::FileStats;
use dp_core::names::shown;
use dp_core::record::Difference;

use super::charts::{self, Chart};
use super::{
    DIFFERENCES_SHOWN, Report, RunReport, comparison_rows, file_cells, more_files, overall_notes,
    overall_rows, saved_phrase, scaling_fit, scaling_rows, shown_files, speedup_phrase,
    spread_tail, text::error_message, timing_rows, unread_phrase,
};
use crate::args::{Args, FilesLimit};
use crate::scaling::ScalingReport;

/// What the page shows besides the report: what only its caller knows.
pub struct Page<'a> {
    pub files_limit: FilesLimit,
    /// `--setting`s, in order.
    pub settings: &'a [(String, String)],
    /// `--command`.
    pub command: Option<&'a str>,
}

impl<'a> Page<'a> {
    pub fn of(args: &'a Args) -> Self {
        Page {
            files_limit: args.files_limit,
            settings: &args.settings,
            command: args.command.as_deref(),
        }
    }
}

/// The per-file table's columns: the key its `#sort=` names (the record's
/// field), the header, and whether it sorts as numbers.
const FILE_COLUMNS: [(&str, &str, bool); 9] = [
    ("run", "Run", false),
    ("path", "File", false),
    ("count", "Count", true),
    ("min", "Min", true),
    ("max", "Max", true),
    ("mean", "Mean", true),
    ("median", "Median", true),
    ("stddev", "Stddev", true),
    ("elapsed_s", "Time (s)", true),
];

/// Writes the page in one write.
pub fn write(report: &Report, page: &Page, out: &mut dyn Write) -> io::Result<()> {
    let mut html = String::with_capacity(64 * 1024);
    let title = title(report);
    // fmt::Write on a String cannot fail.
    let _ = write_page(&mut html, report, page, &title);
    out.write_all(html.as_bytes())
}

/// `dp: scaling of parallel` with a scaling table, else the runs compared,
/// `dp: sequential vs parallel` (or the one run's name).
fn title(report: &Report) -> String {
    let table = report.scaling.iter().find_map(|s| match s {
        ScalingReport::Table { mode, .. } => Some(mode),
        ScalingReport::Refused(_) => None,
    });
    match table {
        Some(Some(mode)) => format!("dp: scaling of {mode}"),
        Some(None) => "dp: scaling".to_owned(),
        None => {
            let names: Vec<_> = report.runs.iter().map(|r| r.run.shown_name()).collect();
            format!("dp: {}", names.join(" vs "))
        }
    }
}

fn write_page(h: &mut String, report: &Report, page: &Page, title: &str) -> std::fmt::Result {
    writeln!(h, "<!DOCTYPE html>")?;
    writeln!(h, "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")?;
    writeln!(
        h,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    // No request may leave the page: this policy makes the browser refuse
    // any, should a future edit add one.
    writeln!(
        h,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; font-src data:\">"
    )?;
    writeln!(h, "<title>{}</title>", escape(title))?;
    writeln!(
        h,
        "<style>{}\n{STYLE}</style>\n</head>\n<body>",
        dp_plot::font::every_font_face()
    )?;
    writeln!(h, "<h1>{}</h1>", escape(title))?;
    if let Some(unread) = unread_phrase(&report.unread) {
        writeln!(
            h,
            "<p class=\"warning\">Input: {}; see the messages on stderr.</p>",
            escape(&unread)
        )?;
    }
    write_headline(h, report)?;
    write_charts(h, report)?;
    write_scaling(h, report)?;
    write_overall(h, report)?;
    write_files(h, report, page.files_limit)?;
    write_parameters(h, report, page)?;
    writeln!(
        h,
        "<footer>Written by dp-agg {}.</footer>",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(h, "<script>{SCRIPT}</script>\n</body>\n</html>")
}

/// The comparison: the speedup of each run over the baseline, large, then
/// the table every face has, whether the runs agree, and what bound them.
fn write_headline(h: &mut String, report: &Report) -> std::fmt::Result {
    writeln!(h, "<section id=\"comparison\">")?;
    let Some(baseline) = report.baseline() else {
        if let Some(run) = report.runs.first() {
            writeln!(
                h,
                "<p class=\"speedup\"><strong>{}</strong> <span>{}: total time</span></p>",
                escape(&super::total_text(&run.timing)),
                escape(&run.run.shown_name())
            )?;
        }
        write_differences(h, "repeats", report.repeated, &report.repeat_differences)?;
        return writeln!(h, "</section>");
    };
    for (shown, run) in report.runs.iter().enumerate().skip(1) {
        let speedup = report.speedup(shown).unwrap_or_default();
        let spread = spread_tail(&speedup, &baseline.timing, &run.timing);
        writeln!(
            h,
            "<p class=\"speedup\"><strong>{}</strong>{} <span>{} against {}{}</span></p>",
            escape(&speedup_phrase(speedup.factor)),
            escape(spread.trim_start_matches(';')),
            escape(&run.run.shown_name()),
            escape(&baseline.run.shown_name()),
            saved_phrase(speedup.saved_pct)
                .map(|saved| format!(": {}", escape(&saved)))
                .unwrap_or_default(),
        )?;
    }
    let header = [
        "Run",
        "Total time (s)",
        "Files",
        "Failed",
        "Average per file (s)",
        "Speedup",
        "Time saved",
    ];
    let rows: Vec<Vec<String>> = comparison_rows(report).into_iter().map(Vec::from).collect();
    write_table(h, "runs", &header, &rows, 1)?;
    if let Some(comparison) = &report.comparison {
        write_differences(h, "runs", true, &comparison.differences)?;
    }
    write_differences(h, "repeats", report.repeated, &report.repeat_differences)?;
    let bounds = [report.bound_lines(), report.overhead_lines()].concat();
    if !bounds.is_empty() {
        writeln!(h, "<ul class=\"notes\">")?;
        for line in bounds {
            writeln!(h, "<li>{}</li>", escape(&line))?;
        }
        writeln!(h, "</ul>")?;
    }
    writeln!(h, "</section>")
}

/// Whether the runs (or repeats) computed the same, and how not (the
/// first [`DIFFERENCES_SHOWN`], as the text face).
fn write_differences(
    h: &mut String,
    across: &str,
    shown: bool,
    differences: &[Difference],
) -> std::fmt::Result {
    if !shown {
        return Ok(());
    }
    if differences.is_empty() {
        return writeln!(h, "<p>Results identical across {across}: yes</p>");
    }
    writeln!(
        h,
        "<p class=\"warning\">Results identical across {across}: no ({})</p>\n<ul>",
        super::differences_counted(differences.len())
    )?;
    for difference in differences.iter().take(DIFFERENCES_SHOWN) {
        writeln!(
            h,
            "<li>{}: {}</li>",
            escape(&difference.path),
            escape(&difference.message)
        )?;
    }
    if differences.len() > DIFFERENCES_SHOWN {
        writeln!(
            h,
            "<li>… {} more (the JSON report has every one)</li>",
            differences.len() - DIFFERENCES_SHOWN
        )?;
    }
    writeln!(h, "</ul>")
}

fn write_charts(h: &mut String, report: &Report) -> std::fmt::Result {
    let charts = charts::charts(report);
    if charts.is_empty() {
        return Ok(());
    }
    writeln!(h, "<section id=\"charts\">")?;
    let repeats = report
        .runs
        .iter()
        .map(|r| r.timing.repeats())
        .max()
        .unwrap_or(1);
    for Chart {
        title,
        svg,
        first_repeat,
    } in charts
    {
        writeln!(h, "<figure>\n{svg}")?;
        if repeats >= 2 && first_repeat {
            writeln!(
                h,
                "<figcaption>{}: each run's first repeat of {repeats} (the numbers above are over every repeat)</figcaption>",
                escape(&title)
            )?;
        }
        writeln!(h, "</figure>")?;
    }
    writeln!(h, "</section>")
}

fn write_scaling(h: &mut String, report: &Report) -> std::fmt::Result {
    for scaling in &report.scaling {
        writeln!(h, "<section class=\"scaling\">")?;
        let (mode, scaling) = match scaling {
            ScalingReport::Refused(why) => {
                writeln!(
                    h,
                    "<h2>Scaling</h2>\n<p class=\"warning\">{}</p>",
                    escape(why)
                )?;
                writeln!(h, "</section>")?;
                continue;
            }
            ScalingReport::Table { mode, scaling } => (mode, scaling),
        };
        match mode {
            Some(mode) => writeln!(h, "<h2>Scaling: {}</h2>", escape(mode))?,
            None => writeln!(h, "<h2>Scaling</h2>")?,
        }
        let header = ["Run", "p", "T_p (s)", "Speedup", "Efficiency", "e_p"];
        write_table(h, "scaling", &header, &scaling_rows(scaling), 1)?;
        writeln!(h, "<ul class=\"notes\">")?;
        for (name, text) in scaling_fit(scaling) {
            writeln!(h, "<li>{}: {}</li>", escape(name), escape(&text))?;
        }
        writeln!(h, "</ul>\n</section>")?;
    }
    Ok(())
}

/// The overall statistics and the timing, a column per run.
fn write_overall(h: &mut String, report: &Report) -> std::fmt::Result {
    writeln!(h, "<section id=\"overall\">\n<h2>Overall statistics</h2>")?;
    let mut header = vec!["".to_owned()];
    header.extend(report.runs.iter().map(|r| r.run.shown_name().into_owned()));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let overall: Vec<_> = report
        .runs
        .iter()
        .map(|r| {
            std::iter::once(("files", r.timing.files.to_string()))
                .chain(overall_rows(&r.overall))
                .collect::<Vec<_>>()
        })
        .collect();
    write_table(h, "overall", &header, &by_row(&overall), 1)?;
    let timing: Vec<_> = report.runs.iter().map(|r| timing_rows(&r.timing)).collect();
    writeln!(h, "<h3>Timing</h3>")?;
    write_table(h, "timing", &header, &by_row(&timing), 1)?;
    for run in report.runs.iter().filter(|r| !r.hosts.is_empty()) {
        writeln!(h, "<h3>Hosts of {}</h3>", escape(&run.run.shown_name()))?;
        let rows: Vec<Vec<String>> = run
            .hosts
            .iter()
            .map(|share| {
                vec![
                    share.host.clone(),
                    share.files.to_string(),
                    format!("{:.2}", share.busy_s),
                ]
            })
            .collect();
        write_table(h, "hosts", &["Host", "Files", "Busy (s)"], &rows, 1)?;
    }
    for run in &report.runs {
        write_run_notes(h, run)?;
    }
    writeln!(h, "</section>")
}

/// Rows of named cells, one list per run, as a table: a row per name
/// (those of the run with the most), a cell per run (empty where it has none).
fn by_row(runs: &[Vec<(&str, String)>]) -> Vec<Vec<String>> {
    let names = runs
        .iter()
        .max_by_key(|r| r.len())
        .cloned()
        .unwrap_or_default();
    names
        .iter()
        .map(|(name, _)| {
            let mut row = vec![(*name).to_owned()];
            row.extend(runs.iter().map(|run| {
                run.iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, text)| text.clone())
                    .unwrap_or_default()
            }));
            row
        })
        .collect()
}

/// A run's failed files and notes on its statistics, if any.
fn write_run_notes(h: &mut String, run: &RunReport) -> std::fmt::Result {
    let errors = run.run.errors();
    let notes = overall_notes(&run.overall);
    if errors.is_empty() && notes.is_empty() {
        return Ok(());
    }
    let name = escape(&run.run.shown_name());
    if !errors.is_empty() {
        writeln!(
            h,
            "<p class=\"warning\">{name}: {} failed</p>\n<ul>",
            super::files_phrase(errors.len() as u64)
        )?;
        for error in errors {
            writeln!(h, "<li>{}</li>", escape(&error_message(error)))?;
        }
        writeln!(h, "</ul>")?;
    }
    if !notes.is_empty() {
        writeln!(h, "<p>{name}:</p>\n<ul class=\"notes\">")?;
        for note in notes {
            writeln!(h, "<li>{}</li>", escape(&note))?;
        }
        writeln!(h, "</ul>")?;
    }
    Ok(())
}

/// The per-file table of every run, as far as `limit` allows per run;
/// each number cell carries its exact value for sorting (`data-v`).
fn write_files(h: &mut String, report: &Report, limit: FilesLimit) -> std::fmt::Result {
    if limit == FilesLimit::First(0) {
        return Ok(());
    }
    writeln!(h, "<section id=\"files\">\n<h2>Files</h2>")?;
    writeln!(
        h,
        "<p class=\"hint\">Click a column's header to sort by it (the address then keeps the order).</p>"
    )?;
    writeln!(
        h,
        "<div class=\"scroll\"><table id=\"file-table\">\n<thead><tr>"
    )?;
    for (key, name, numeric) in FILE_COLUMNS {
        writeln!(
            h,
            "<th data-key=\"{key}\"{}><a href=\"#sort={key}\">{name}</a></th>",
            if numeric { " class=\"num\"" } else { "" }
        )?;
    }
    writeln!(h, "</tr></thead>\n<tbody>")?;
    let mut left_out = Vec::new();
    for run in &report.runs {
        let name = escape(&run.run.shown_name());
        let (files, more) = shown_files(run.run, limit);
        for stats in files {
            write_file_row(h, &name, stats)?;
        }
        if more > 0 {
            left_out.push((name, more));
        }
    }
    writeln!(h, "</tbody>\n</table></div>")?;
    for (name, more) in left_out {
        writeln!(
            h,
            "<p class=\"warning\">{name}: {} not shown (<code>dp-agg --format html --files-limit all</code> shows every file).</p>",
            more_files(more as u64)
        )?;
    }
    writeln!(h, "</section>")
}

fn write_file_row(h: &mut String, run: &str, stats: &FileStats) -> std::fmt::Result {
    let cells = file_cells(stats);
    let exact = [
        Some(stats.count as f64),
        stats.min(),
        stats.max(),
        stats.mean(),
        stats.median(),
        stats.stddev(),
        Some(stats.elapsed_s),
    ];
    write!(h, "<tr><td>{run}</td><td>{}</td>", escape(&cells[0]))?;
    for (text, value) in cells[1..].iter().zip(exact) {
        match value {
            Some(v) => write!(h, "<td data-v=\"{v}\">{}</td>", escape(text))?,
            None => write!(h, "<td>{}</td>", escape(text))?,
        }
    }
    writeln!(h, "</tr>")
}

/// What was measured (from the records), what made it (`--setting`s) and
/// how to do it again (`--command`).
fn write_parameters(h: &mut String, report: &Report, page: &Page) -> std::fmt::Result {
    writeln!(h, "<section id=\"parameters\">\n<h2>Parameters</h2>")?;
    let mut header = vec!["Measured".to_owned()];
    header.extend(report.runs.iter().map(|r| r.run.shown_name().into_owned()));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let runs: Vec<Vec<(&str, String)>> = report
        .runs
        .iter()
        .map(|r| {
            vec![
                ("files", r.timing.files.to_string()),
                ("values", r.overall.count.to_string()),
                ("delay per file", delay_text(r)),
                (
                    "workers",
                    r.timing.workers.map_or("-".to_owned(), |w| w.to_string()),
                ),
                ("repeats", r.timing.repeats().to_string()),
                (
                    "started (UTC)",
                    r.timing.started_at.map_or("-".to_owned(), utc_time),
                ),
            ]
        })
        .collect();
    write_table(h, "measured", &header, &by_row(&runs), 1)?;
    let mut rows = vec![
        vec!["cores".to_owned(), report.cores.to_string()],
        vec!["dp".to_owned(), env!("CARGO_PKG_VERSION").to_owned()],
    ];
    rows.extend(
        page.settings
            .iter()
            .map(|(name, value)| vec![name.clone(), value.clone()]),
    );
    write_table(h, "settings", &["Parameter", "Value"], &rows, 2)?;
    if let Some(command) = page.command {
        writeln!(
            h,
            "<h3>Reproduce</h3>\n<pre><code>{}</code></pre>",
            escape(command)
        )?;
    }
    writeln!(h, "</section>")
}

/// The artificial delay of a run's files: `3 s`, or `0.5–3 s` when they
/// differ.
fn delay_text(run: &RunReport) -> String {
    let delays = run.run.stats().map(|s| s.delay_s);
    let (min, max) = delays.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), d| {
        (lo.min(d), hi.max(d))
    });
    match (min, max) {
        (lo, _) if lo.is_infinite() => "-".to_owned(),
        (lo, hi) if lo == hi => format!("{} s", super::value(lo)),
        (lo, hi) => format!("{}–{} s", super::value(lo), super::value(hi)),
    }
}

/// Unix time as `2026-12-01 12:08:09` (UTC; days from the civil calendar
/// of Howard Hinnant's `civil_from_days`).
fn utc_time(unix_s: f64) -> String {
    let secs = unix_s.floor() as i64;
    let (days, of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

/// A table: `header` (names as given: escaped here), then `rows`, whose
/// first `text_columns` cells are text and the rest numbers (right-aligned).
fn write_table(
    h: &mut String,
    class: &str,
    header: &[&str],
    rows: &[Vec<String>],
    text_columns: usize,
) -> std::fmt::Result {
    writeln!(
        h,
        "<div class=\"scroll\"><table class=\"{class}\">\n<thead><tr>"
    )?;
    for (i, name) in header.iter().enumerate() {
        let class = if i >= text_columns {
            " class=\"num\""
        } else {
            ""
        };
        write!(h, "<th{class}>{}</th>", escape(name))?;
    }
    writeln!(h, "</tr></thead>\n<tbody>")?;
    for row in rows {
        write!(h, "<tr>")?;
        for (i, cell) in row.iter().enumerate() {
            let class = if i >= text_columns {
                " class=\"num\""
            } else {
                ""
            };
            write!(h, "<td{class}>{}</td>", escape(cell))?;
        }
        writeln!(h, "</tr>")?;
    }
    writeln!(h, "</tbody>\n</table></div>")
}

/// `text` safe anywhere in the page, in an element or a quoted attribute:
/// `&`, `<`, `>`, `"` and `'` as entities, control characters escaped as
/// every face shows them ([`shown`]).
pub fn escape(text: &str) -> String {
    let text = shown(text);
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// The page's style (the font's rules come before it).
const STYLE: &str = include_str!("html.css");

/// The per-file table's sorting (docs/reference.md, "HTML report").
const SCRIPT: &str = include_str!("html.js");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            escape(r#"<a href="x">&'b'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;b&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("a\nb"), "a\\nb");
    }

    #[test]
    fn unix_times_read_as_utc_dates() {
        assert_eq!(utc_time(0.0), "1970-01-01 00:00:00");
        assert_eq!(utc_time(951_782_400.5), "2000-02-29 00:00:00");
        assert_eq!(utc_time(1_796_126_881.05), "2026-12-01 12:08:01");
    }
}
