//! The HTML face's charts: dp-plot's own charts (its library, not a copy),
//! drawn as SVG from the records dp-agg read, to be inlined in the page.
//!
//! The charts take a run's first repeat: dp-plot draws each run as one
//! repeat, and interleaved repeats laid on one time axis would show the gaps
//! between them as work. The scaling chart takes every repeat (its ± σ).
//! The page's numbers (speedup, times) are dp-agg's, over every repeat.

use dp_core::cli;
use dp_plot::args::{ColorBy, Shade};
use dp_plot::comparison::{self, Comparison};
use dp_plot::render;
use dp_plot::runs::Run;
use dp_plot::scaling::{self, Scaling};
use dp_plot::timeline::{self, Timeline};

use super::Report;
use crate::group;
use crate::scaling::ScalingReport;

/// The size every chart is drawn at; the page scales it to its width.
const SIZE: (u32, u32) = (1000, 560);

/// One chart of the page.
pub struct Chart {
    pub title: String,
    /// The `<svg>` element, its text plain (dp-plot's one door for text).
    pub svg: String,
    /// Whether it shows only each run's first repeat.
    pub first_repeat: bool,
}

/// The charts of `report`: the scaling chart when there is a scaling
/// table, the comparison with two runs or more, the timeline always. A
/// chart that cannot be drawn is left out with a warning.
pub fn charts(report: &Report) -> Vec<Chart> {
    let first_repeats: Vec<Run> = report.runs.iter().map(|r| plot_run(r.run, true)).collect();
    let mut charts = Vec::new();
    let mut add = |title: String, svg: anyhow::Result<String>, first_repeat| match svg {
        Ok(svg) => charts.push(Chart {
            title,
            svg,
            first_repeat,
        }),
        Err(err) => cli::warn(format_args!("html: {title} not drawn: {err:#}")),
    };
    let has_table = report
        .scaling
        .iter()
        .any(|s| matches!(s, ScalingReport::Table { .. }));
    if has_table {
        let every_repeat: Vec<Run> = report.runs.iter().map(|r| plot_run(r.run, false)).collect();
        match scaling::series(&every_repeat) {
            Ok(series) => {
                let title = scaling::default_title(&series);
                let chart = Scaling {
                    series: &series,
                    cores: report.cores,
                    title: title.clone(),
                };
                add(title, render::svg(&chart, SIZE, false), false);
            }
            Err(err) => cli::warn(format_args!("html: scaling chart not drawn: {err:#}")),
        }
    }
    if first_repeats.len() >= 2 {
        let title = comparison::default_title(&first_repeats);
        let chart = Comparison {
            runs: &first_repeats,
            baseline: 0,
            title: title.clone(),
        };
        add(title, render::svg(&chart, SIZE, false), true);
    }
    let title = timeline::DEFAULT_TITLE.to_owned();
    let chart = Timeline {
        runs: &first_repeats,
        title: title.clone(),
        color_by: ColorBy::Slot,
        shade: Shade::None,
    };
    let svg = render::svg(&chart, timeline_size(&first_repeats), false);
    add(title, svg, true);
    charts
}

/// The timeline's size: taller with more runs, so each panel keeps room
/// for its rows.
fn timeline_size(runs: &[Run]) -> (u32, u32) {
    let panels = runs.len().max(1) as u32;
    (SIZE.0, (180 + 190 * panels).clamp(SIZE.1, 1800))
}

/// `run` as dp-plot takes it: its first repeat's records (`first_only`),
/// else every repeat's.
fn plot_run(run: &group::Run, first_only: bool) -> Run {
    let mut plotted = Run::new(run.label.clone());
    let primary = run.primary_repeat();
    for (repeat, records) in run.repeats() {
        if first_only && Some(repeat) != primary {
            continue;
        }
        // dp-agg checked every record's times on input: none is refused.
        plotted.jobs.extend(
            records
                .records()
                .filter_map(|stats| dp_plot::records::job_from_stats(&stats.record()).ok()),
        );
    }
    plotted
}
