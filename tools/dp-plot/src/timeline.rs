//! `--kind timeline`: for each run, one bar per file from its start to its
//! end, in seconds since the run began, so parallel overlap is plain to see.
//! Runs are stacked as panels sharing one time axis.

use std::collections::HashMap;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::input::{Run, Worker};
use crate::labels;
use crate::render::Chart;
use crate::theme::{self, Theme};

/// What a bar's colour tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorBy {
    /// The run (one colour per panel).
    Run,
    /// The process that did the job (joblogs, which have no pid: the slot).
    Pid,
    /// The worker slot: the lane a job ran in, reconstructed from the times.
    Slot,
}

pub const DEFAULT_TITLE: &str = "dp: when each file was processed";

/// Above this many files a panel numbers its rows instead of naming them.
const MAX_NAMED_ROWS: usize = 30;

pub struct Timeline<'a> {
    pub runs: &'a [Run],
    pub title: String,
    pub color_by: ColorBy,
}

/// One bar, ready to draw.
struct Bar {
    label: String,
    /// Seconds since the run began.
    start: f64,
    end: f64,
    color: usize,
    failed: bool,
}

/// A run's bars in the order they are drawn (by start time, top to bottom).
struct Panel {
    name: String,
    bars: Vec<Bar>,
    total_s: f64,
    peak: usize,
}

/// What the colours mean: (label, palette index), in legend order.
type Legend = Vec<(String, usize)>;

impl Timeline<'_> {
    fn panels(&self) -> (Vec<Panel>, Legend) {
        let mut legend = Legend::new();
        let mut worker_colors: HashMap<(String, Option<u32>, usize), usize> = HashMap::new();
        let hosts: std::collections::HashSet<&str> = self
            .runs
            .iter()
            .flat_map(|r| r.jobs.iter().map(|j| j.worker.host.as_str()))
            .collect();
        let show_host = hosts.len() > 1;
        let mut max_slot = 0;

        let panels = self
            .runs
            .iter()
            .enumerate()
            .map(|(run_index, run)| {
                let slots = run.slots();
                let origin = run.started_at();
                let mut bars: Vec<Bar> = run
                    .jobs
                    .iter()
                    .zip(&slots)
                    .map(|(job, &slot)| {
                        max_slot = max_slot.max(slot + 1);
                        let color = match self.color_by {
                            ColorBy::Run => run_index,
                            ColorBy::Slot => slot,
                            ColorBy::Pid => {
                                let Worker { host, pid } = &job.worker;
                                let key =
                                    (host.clone(), *pid, if pid.is_some() { 0 } else { slot });
                                let next = worker_colors.len();
                                *worker_colors.entry(key).or_insert_with(|| {
                                    legend.push((worker_label(&job.worker, slot, show_host), next));
                                    next
                                })
                            }
                        };
                        Bar {
                            label: job.label.clone(),
                            start: job.started_at - origin,
                            end: job.finished_at - origin,
                            color,
                            failed: job.failed,
                        }
                    })
                    .collect();
                bars.sort_by(|a, b| a.start.total_cmp(&b.start));
                Panel {
                    name: run.name.clone(),
                    bars,
                    total_s: run.total_s(),
                    peak: run.peak_concurrency(),
                }
            })
            .collect();

        match self.color_by {
            ColorBy::Run => {
                legend = self
                    .runs
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (r.name.clone(), i))
                    .collect();
            }
            ColorBy::Slot => {
                legend = (0..max_slot)
                    .map(|s| (format!("slot {}", s + 1), s))
                    .collect()
            }
            ColorBy::Pid => {}
        }
        (panels, legend)
    }
}

fn worker_label(worker: &Worker, slot: usize, show_host: bool) -> String {
    let who = match worker.pid {
        Some(pid) => format!("pid {pid}"),
        None => format!("slot {}", slot + 1),
    };
    if show_host {
        format!("{} {who}", worker.host)
    } else {
        who
    }
}

/// How a panel's rows are labelled.
enum RowLabels {
    /// Every `step`th file by name.
    Names { step: usize },
    /// Numbered rows (1, 100, 200…), for many files.
    Ordinals { step: usize },
}

impl Chart for Timeline<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        t: &Theme,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let (width, _) = root.dim_in_pixel();
        root.fill(&WHITE)?;
        let (panels, legend) = self.panels();
        let any_failed = panels.iter().any(|p| p.bars.iter().any(|b| b.failed));

        let title_h = (t.title * 2.0) as i32;
        let legend_h = (t.label * 2.0) as i32;
        let (title_area, rest) = root.split_vertically(title_h);
        let (legend_area, body) = rest.split_vertically(legend_h);
        let title_style = t.bold(t.title, theme::TEXT, HPos::Center, VPos::Center);
        let title = t.fit(&self.title, &title_style, width - 2 * t.px(16.0) as u32);
        title_area.draw_text(&title, &title_style, (width as i32 / 2, title_h / 2))?;
        draw_legend(&legend_area, t, &legend, any_failed)?;

        // One shared time axis, so the panels compare at a glance.
        let longest = panels.iter().map(|p| p.total_s).fold(0.0, f64::max);
        let x_max = if longest > 0.0 { longest * 1.02 } else { 1.0 };

        let name_style = t.text(t.small, theme::TEXT, HPos::Right, VPos::Center);
        let tick_style = t.text(t.small, theme::MUTED, HPos::Right, VPos::Center);
        let max_label_px = (f64::from(width) * 0.22) as u32;
        let header_h = (t.heading * 1.7) as i32;
        let x_ticks_h = (t.small * 1.9) as i32;
        let x_desc_h = (t.label * 1.8) as i32;
        // The axis description once, under all the panels; the panels share
        // the rest evenly so their rows compare.
        let body_h = body.dim_in_pixel().1 as i32;
        let (panels_area, desc_area) = body.split_vertically(body_h - x_desc_h);
        let panel_areas = panels_area.split_evenly((panels.len(), 1));
        let plot_h_of =
            |i: usize| panel_areas[i].dim_in_pixel().1 as i32 - header_h - x_ticks_h - t.px(6.0);

        // Decide each panel's row labels, then one label width for all, so
        // every panel's time axis starts at the same x.
        let row_labels: Vec<RowLabels> = panels
            .iter()
            .enumerate()
            .map(|(i, panel)| {
                let rows = panel.bars.len();
                let row_px = f64::from(plot_h_of(i).max(1)) / rows as f64;
                if rows <= MAX_NAMED_ROWS {
                    let step = (t.small * 1.2 / row_px).ceil().max(1.0) as usize;
                    RowLabels::Names { step }
                } else {
                    let fit = (f64::from(plot_h_of(i).max(1)) / (t.small * 2.2)).max(1.0) as usize;
                    RowLabels::Ordinals {
                        step: labels::nice_step(rows as f64, fit).max(1.0) as usize,
                    }
                }
            })
            .collect();
        let label_w = panels
            .iter()
            .zip(&row_labels)
            .map(|(panel, labels_of)| match labels_of {
                RowLabels::Names { .. } => panel
                    .bars
                    .iter()
                    .map(|b| t.width(&b.label, &name_style).min(max_label_px))
                    .max()
                    .unwrap_or(0),
                RowLabels::Ordinals { .. } => {
                    t.width(&panel.bars.len().to_string(), &tick_style) + (t.label * 1.8) as u32
                }
            })
            .max()
            .unwrap_or(0);
        let y_area = label_w as i32 + t.px(12.0);

        for (i, (panel, row_labels)) in panels.iter().zip(&row_labels).enumerate() {
            let area = &panel_areas[i];
            let (header, plot) = area.split_vertically(header_h);
            let left = y_area + t.px(16.0);
            draw_header(&header, t, panel, left)?;

            let rows = panel.bars.len() as f64;
            let mut chart = ChartBuilder::on(&plot)
                .margin_left(t.px(16.0))
                .margin_right(t.px(28.0))
                .margin_bottom(t.px(6.0))
                .x_label_area_size(x_ticks_h)
                .y_label_area_size(y_area)
                .build_cartesian_2d(0f64..x_max, 0f64..rows)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(10)
                .x_max_light_lines(0)
                .bold_line_style(theme::GRID)
                .axis_style(theme::AXIS)
                .x_label_formatter(&|v| labels::tick(*v))
                .label_style(t.text(t.small, theme::MUTED, HPos::Center, VPos::Top))
                .draw()?;
            if i + 1 == panels.len() {
                let (x0, x1) = (
                    chart.backend_coord(&(0.0, 0.0)).0,
                    chart.backend_coord(&(x_max, 0.0)).0,
                );
                let desc_style = t.text(t.label, theme::TEXT, HPos::Center, VPos::Center);
                let (desc_x, desc_y) = ((x0 + x1) / 2, desc_area.get_base_pixel().1 + x_desc_h / 2);
                root.draw_text("seconds since the run began", &desc_style, (desc_x, desc_y))?;
            }

            let row_px = f64::from(chart.plotting_area().dim_in_pixel().1) / rows;
            // Bars fill most of their row, but stay visible when 500 rows
            // share a few pixels, and do not turn into slabs for one file.
            let thickness_px = (row_px * 0.64).clamp(f64::from(t.px(2.0)), f64::from(t.px(36.0)));
            let half = thickness_px / row_px / 2.0;
            // Row r (0 = the first to start) is drawn at the top.
            let row_span = |r: usize| {
                let center = rows - r as f64 - 0.5;
                (center - half, center + half)
            };
            chart.draw_series(panel.bars.iter().enumerate().map(|(r, bar)| {
                let (y0, y1) = row_span(r);
                Rectangle::new(
                    [(bar.start, y0), (bar.end, y1)],
                    theme::color(bar.color).filled(),
                )
            }))?;
            if thickness_px >= 6.0 {
                chart.draw_series(panel.bars.iter().enumerate().map(|(r, bar)| {
                    let (y0, y1) = row_span(r);
                    let edge = theme::darker(theme::color(bar.color));
                    Rectangle::new([(bar.start, y0), (bar.end, y1)], edge.stroke_width(1))
                }))?;
            }
            chart.draw_series(panel.bars.iter().enumerate().filter(|(_, b)| b.failed).map(
                |(r, bar)| {
                    let (y0, y1) = row_span(r);
                    Rectangle::new(
                        [(bar.start, y0), (bar.end, y1)],
                        theme::FAILED.stroke_width(2),
                    )
                },
            ))?;

            let row_center = |r: usize| chart.backend_coord(&(0.0, rows - r as f64 - 0.5));
            let label_x = chart.backend_coord(&(0.0, 0.0)).0 - t.px(8.0);
            match *row_labels {
                RowLabels::Names { step } => {
                    for (r, bar) in panel.bars.iter().enumerate().step_by(step) {
                        let (_, y) = row_center(r);
                        let name = t.fit(&bar.label, &name_style, max_label_px);
                        root.draw_text(&name, &name_style, (label_x, y))?;
                    }
                }
                RowLabels::Ordinals { step } => {
                    let numbers = std::iter::once(1).chain((step..=panel.bars.len()).step_by(step));
                    for n in numbers {
                        let (_, y) = row_center(n - 1);
                        root.draw_text(&n.to_string(), &tick_style, (label_x, y))?;
                        root.draw(&PathElement::new(
                            [(label_x + t.px(3.0), y), (label_x + t.px(7.0), y)],
                            theme::AXIS,
                        ))?;
                    }
                    let (top, bottom) = (row_center(0).1, row_center(panel.bars.len() - 1).1);
                    let desc_style = t.text(t.small, theme::MUTED, HPos::Center, VPos::Center);
                    let desc = "files";
                    if t.width(desc, &desc_style) as i32 <= bottom - top {
                        let desc_style = desc_style.transform(FontTransform::Rotate270);
                        let desc_x = plot.get_base_pixel().0 + t.px(16.0) + (t.label * 0.7) as i32;
                        root.draw_text(desc, &desc_style, (desc_x, (top + bottom) / 2))?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// `sequential  5 files · 15.02 s · at most 1 at a time`, left-aligned with
/// the plot.
fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Theme,
    panel: &Panel,
    left: i32,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (_, h) = area.dim_in_pixel();
    let y = h as i32 * 3 / 5;
    let name_style = t.bold(t.heading, theme::TEXT, HPos::Left, VPos::Center);
    let detail_style = t.text(t.small, theme::MUTED, HPos::Left, VPos::Center);
    let room = area
        .dim_in_pixel()
        .0
        .saturating_sub(left as u32 + t.px(28.0) as u32);
    let name = t.fit(&panel.name, &name_style, room * 2 / 3);
    area.draw_text(&name, &name_style, (left, y))?;
    let concurrency = if panel.peak == 1 {
        "one at a time".to_owned()
    } else {
        format!("up to {} at once", panel.peak)
    };
    let detail = format!(
        "{} · {} · {}",
        labels::count(panel.bars.len(), "file"),
        labels::seconds(panel.total_s),
        concurrency
    );
    let name_w = t.width(&name, &name_style) as i32 + t.px(12.0);
    let detail = t.fit(&detail, &detail_style, room.saturating_sub(name_w as u32));
    area.draw_text(&detail, &detail_style, (left + name_w, y))
}

/// A centred row of colour swatches and their meaning, cut with `+N more`
/// when it does not fit.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Theme,
    entries: &Legend,
    any_failed: bool,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (width, height) = area.dim_in_pixel();
    let style = t.text(t.small, theme::TEXT, HPos::Left, VPos::Center);
    let swatch = t.small as i32;
    let gap = t.px(6.0);
    let spacing = t.px(20.0);
    let item_w = |text: &str| swatch + gap + t.width(text, &style) as i32 + spacing;
    let failed_label = "failed (non-zero exit)";
    let room = width as i32 - 2 * t.px(16.0) - if any_failed { item_w(failed_label) } else { 0 };

    let mut shown = 0;
    let mut used = 0;
    for (i, (label, _)) in entries.iter().enumerate() {
        let more = entries.len() - i - 1;
        let more_w = if more > 0 {
            item_w(&format!("+{more} more"))
        } else {
            0
        };
        if used + item_w(label) + more_w > room {
            break;
        }
        used += item_w(label);
        shown += 1;
    }
    let hidden = entries.len() - shown;
    let more = (hidden > 0).then(|| format!("+{hidden} more"));
    let total = used
        + more
            .as_deref()
            .map_or(0, |m| t.width(m, &style) as i32 + spacing)
        + if any_failed { item_w(failed_label) } else { 0 }
        - spacing;
    let mut x = (width as i32 - total) / 2;
    let y = height as i32 / 2;
    for (label, color) in &entries[..shown] {
        area.draw(&Rectangle::new(
            [(x, y - swatch / 2), (x + swatch, y + swatch / 2)],
            theme::color(*color).filled(),
        ))?;
        area.draw_text(label, &style, (x + swatch + gap, y))?;
        x += item_w(label);
    }
    if let Some(more) = more {
        area.draw_text(&more, &style.color(&theme::MUTED), (x, y))?;
        x += t.width(&more, &style) as i32 + spacing;
    }
    if any_failed {
        area.draw(&Rectangle::new(
            [(x, y - swatch / 2), (x + swatch, y + swatch / 2)],
            theme::FAILED.stroke_width(2),
        ))?;
        area.draw_text(failed_label, &style, (x + swatch + gap, y))?;
    }
    Ok(())
}
