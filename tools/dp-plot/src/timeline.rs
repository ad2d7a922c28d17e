//! `--kind timeline`: for each run, one bar per file from its start to its
//! end, in seconds since the run began, so parallel overlap is plain to see.
//! Runs are stacked as panels sharing one time axis.

use std::collections::{HashMap, HashSet};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::args::{ColorBy, Shade};
use crate::labels;
use crate::render::{self, Chart, Drawn, Plot};
use crate::runs::{Run, Worker};
use crate::theme::{self, Theme};

pub const DEFAULT_TITLE: &str = "dp: when each file was processed";

/// The legend's word on `--shade cpu`.
const SHADE_NOTE: &str = "pale: waiting, full: on a CPU";

/// Above this many files a panel numbers its rows instead of naming them.
const MAX_NAMED_ROWS: usize = 30;

pub struct Timeline<'a> {
    pub runs: &'a [Run],
    pub title: String,
    pub color_by: ColorBy,
    pub shade: Shade,
}

/// One bar, ready to draw.
struct Bar {
    label: String,
    /// Seconds since the run began.
    start: f64,
    end: f64,
    color: usize,
    failed: bool,
    /// With `--shade cpu`: the share of the job's time on a CPU, in [0, 1].
    cpu_share: Option<f64>,
}

/// A run's bars in the order they are drawn (by start time, top to bottom).
struct Panel {
    name: String,
    bars: Vec<Bar>,
    total_s: f64,
    peak: usize,
    /// With `--color-by host`: the hosts of this run's jobs and their
    /// colours, in order of first job, named in the panel's header.
    hosts: Legend,
}

/// What the colours mean: (label, palette index), in legend order.
type Legend = Vec<(String, usize)>;

impl Timeline<'_> {
    fn panels(&self) -> (Vec<Panel>, Legend) {
        let hosts: HashSet<&str> = self
            .runs
            .iter()
            .flat_map(|r| r.jobs.iter().map(|j| j.worker.host.as_str()))
            .collect();
        let mut colors = Colors {
            color_by: self.color_by,
            show_host: hosts.len() > 1,
            workers: Legend::new(),
            worker_colors: HashMap::new(),
            host_colors: HashMap::new(),
            slots: 0,
        };
        let panels = self
            .runs
            .iter()
            .enumerate()
            .map(|(run_index, run)| panel(run_index, run, &mut colors, self.shade))
            .collect();
        (panels, colors.legend(self.runs))
    }
}

/// A run's jobs as bars, timed from the run's start and coloured.
fn panel(run_index: usize, run: &Run, colors: &mut Colors, shade: Shade) -> Panel {
    let origin = run.span().started_at().unwrap_or(0.0);
    let mut bars: Vec<Bar> = run
        .jobs
        .iter()
        .zip(run.slots())
        .map(|(job, slot)| Bar {
            label: job.label.clone(),
            start: job.started_at - origin,
            end: job.finished_at - origin,
            color: colors.of(run_index, &job.worker, slot),
            failed: job.failed,
            cpu_share: match shade {
                Shade::None => None,
                Shade::Cpu => job.cpu_share.map(|share| share.clamp(0.0, 1.0)),
            },
        })
        .collect();
    bars.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut hosts = Legend::new();
    if colors.color_by == ColorBy::Host {
        for job in &run.jobs {
            let entry = (host_label(&job.worker.host), colors.host(&job.worker.host));
            if !hosts.contains(&entry) {
                hosts.push(entry);
            }
        }
    }
    Panel {
        name: run.name().to_owned(),
        bars,
        total_s: run.total_s(),
        peak: run.peak_concurrency(),
        hosts,
    }
}

/// Hands out the bars' colours, and remembers what they mean for the legend.
struct Colors {
    color_by: ColorBy,
    /// Whether workers are named with their host (there are several).
    show_host: bool,
    /// `--color-by pid`: each worker's legend entry, in order of first job.
    workers: Legend,
    worker_colors: HashMap<(String, Option<u32>, usize), usize>,
    /// `--color-by host`: each host's colour, in order of first job.
    host_colors: HashMap<String, usize>,
    /// How many worker slots were seen.
    slots: usize,
}

impl Colors {
    /// The colour of a job of run `run_index`, done by `worker` in `slot`.
    fn of(&mut self, run_index: usize, worker: &Worker, slot: usize) -> usize {
        self.slots = self.slots.max(slot + 1);
        match self.color_by {
            ColorBy::Run => run_index,
            ColorBy::Slot => slot,
            ColorBy::Pid => {
                // Joblogs record no pid: their workers are told apart by slot.
                let Worker { host, pid } = worker;
                let key = (host.clone(), *pid, if pid.is_some() { 0 } else { slot });
                let next = self.worker_colors.len();
                *self.worker_colors.entry(key).or_insert_with(|| {
                    let label = worker_label(worker, slot, self.show_host);
                    self.workers.push((label, next));
                    next
                })
            }
            ColorBy::Host => self.host(&worker.host),
        }
    }

    /// The colour of `host`, the same in every panel.
    fn host(&mut self, host: &str) -> usize {
        let next = self.host_colors.len();
        *self.host_colors.entry(host.to_owned()).or_insert(next)
    }

    /// What the colours handed out meant.
    fn legend(self, runs: &[Run]) -> Legend {
        match self.color_by {
            ColorBy::Run => runs
                .iter()
                .enumerate()
                .map(|(i, r)| (r.name().to_owned(), i))
                .collect(),
            ColorBy::Slot => (0..self.slots)
                .map(|s| (format!("slot {}", s + 1), s))
                .collect(),
            ColorBy::Pid => self.workers,
            ColorBy::Host => {
                let mut hosts: Legend = self
                    .host_colors
                    .into_iter()
                    .map(|(host, color)| (host_label(&host), color))
                    .collect();
                hosts.sort_by_key(|&(_, color)| color);
                hosts
            }
        }
    }
}

/// A host as the chart names it: GNU parallel's `:` is the local machine.
fn host_label(host: &str) -> String {
    if host == ":" {
        "local".to_owned()
    } else {
        host.to_owned()
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
    /// Every `step`th file by name, in text of `size`.
    Names { step: usize, size: f64 },
    /// Numbered rows (1, 100, 200…), for many files.
    Ordinals { step: usize },
}

impl RowLabels {
    /// Names while they are few and fit (in smaller text if need be, then
    /// every other one…), numbers beyond.
    fn choose(t: &Theme, rows: usize, plot_h: i32) -> Self {
        let plot_h = f64::from(plot_h.max(1));
        let row_px = plot_h / rows as f64;
        if rows <= MAX_NAMED_ROWS {
            // A file name's ink (an ascender to the baseline) is about 0.6
            // of the size plotters gives fonts, and needs a pixel of air.
            let size = ((row_px - 1.0) / 0.6).clamp(t.tiny, t.small);
            let step = ((size * 0.6 + 1.0) / row_px).ceil().max(1.0) as usize;
            Self::Names { step, size }
        } else {
            let fit = (plot_h / (t.small * 2.2)).max(1.0) as usize;
            let step = labels::nice_step(rows as f64, fit).max(1.0) as usize;
            Self::Ordinals { step }
        }
    }
}

/// Sizes shared by every panel, so their time axes line up.
struct Layout {
    x_max: f64,
    header_h: i32,
    x_ticks_h: i32,
    /// Width of the row labels' area, left of each plot.
    y_area: i32,
    /// Longest a file name may be drawn before it is cut.
    max_label_px: u32,
}

impl Layout {
    /// The layout of `panels` in `areas` of a picture `width` wide, and how
    /// each panel labels its rows.
    fn new<DB: DrawingBackend>(
        t: &Theme,
        width: u32,
        panels: &[Panel],
        areas: &[DrawingArea<DB, Shift>],
    ) -> (Self, Vec<RowLabels>) {
        // One shared time axis, so the panels compare at a glance.
        let longest = panels.iter().map(|p| p.total_s).fold(0.0, f64::max);
        let mut layout = Self {
            x_max: if longest > 0.0 { longest * 1.02 } else { 1.0 },
            header_h: (t.heading * 1.7) as i32,
            x_ticks_h: (t.small * 1.9) as i32,
            y_area: 0,
            max_label_px: (f64::from(width) * 0.22) as u32,
        };
        let row_labels: Vec<RowLabels> = panels
            .iter()
            .zip(areas)
            .map(|(panel, area)| {
                let plot_h =
                    area.dim_in_pixel().1 as i32 - layout.header_h - layout.x_ticks_h - t.px(6.0);
                RowLabels::choose(t, panel.bars.len(), plot_h)
            })
            .collect();
        let label_w = panels
            .iter()
            .zip(&row_labels)
            .map(|(panel, row_labels)| label_width(t, panel, row_labels, layout.max_label_px))
            .max()
            .unwrap_or(0);
        layout.y_area = label_w as i32 + t.px(12.0);
        (layout, row_labels)
    }
}

impl Chart for Timeline<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> Drawn<DB> {
        let (width, _) = root.dim_in_pixel();
        root.fill(&WHITE)?;
        let (panels, legend) = self.panels();
        let any_failed = panels.iter().any(|p| p.bars.iter().any(|b| b.failed));

        let (title_area, rest) = root.split_vertically((t.title * 2.0) as i32);
        let (legend_area, body) = rest.split_vertically((t.label * 2.0) as i32);
        render::draw_title(&title_area, t, &self.title)?;
        let note = (self.shade == Shade::Cpu).then_some(SHADE_NOTE);
        draw_legend(&legend_area, t, &legend, any_failed, note)?;

        // The axis description once, under all the panels; the panels share
        // the rest evenly so their rows compare.
        let x_desc_h = (t.label * 1.8) as i32;
        let body_h = body.dim_in_pixel().1 as i32;
        let (panels_area, desc_area) = body.split_vertically(body_h - x_desc_h);
        let panel_areas = panels_area.split_evenly((panels.len(), 1));
        let (layout, row_labels) = Layout::new(t, width, &panels, &panel_areas);

        for (i, (panel, row_labels)) in panels.iter().zip(&row_labels).enumerate() {
            let (x0, x1) = draw_panel(root, &panel_areas[i], t, &layout, panel, row_labels)?;
            if i + 1 == panels.len() {
                let style = t.text(t.label, theme::TEXT, HPos::Center, VPos::Center);
                let y = desc_area.get_base_pixel().1 + x_desc_h / 2;
                root.draw_text("seconds since the run began", &style, ((x0 + x1) / 2, y))?;
            }
        }
        Ok(())
    }
}

/// Room the row labels of `panel` need.
fn label_width(t: &Theme, panel: &Panel, row_labels: &RowLabels, max_label_px: u32) -> u32 {
    match *row_labels {
        RowLabels::Names { size, .. } => {
            let style = t.text(size, theme::TEXT, HPos::Right, VPos::Center);
            panel
                .bars
                .iter()
                .map(|b| t.width(&b.label, &style).min(max_label_px))
                .max()
                .unwrap_or(0)
        }
        RowLabels::Ordinals { .. } => {
            let style = t.text(t.small, theme::MUTED, HPos::Right, VPos::Center);
            t.width(&panel.bars.len().to_string(), &style) + (t.label * 1.8) as u32
        }
    }
}

impl Panel {
    /// Where row `r` (0 = the first to start, drawn at the top) is centred
    /// on the plot's vertical axis.
    fn row(&self, r: usize) -> f64 {
        self.bars.len() as f64 - r as f64 - 0.5
    }
}

/// One run: its header, its time axis, a bar per file and the row labels.
/// Returns the pixel span of the time axis.
fn draw_panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    t: &Theme,
    layout: &Layout,
    panel: &Panel,
    row_labels: &RowLabels,
) -> Drawn<DB, (i32, i32)> {
    let (header, plot) = area.split_vertically(layout.header_h);
    draw_header(&header, t, panel, layout.y_area + t.px(16.0))?;

    let mut chart = ChartBuilder::on(&plot)
        .margin_left(t.px(16.0))
        .margin_right(t.px(28.0))
        .margin_bottom(t.px(6.0))
        .x_label_area_size(layout.x_ticks_h)
        .y_label_area_size(layout.y_area)
        .build_cartesian_2d(0f64..layout.x_max, 0f64..panel.bars.len() as f64)?;
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
    draw_bars(&mut chart, t, panel)?;

    let row_y = |r: usize| chart.backend_coord(&(0.0, panel.row(r))).1;
    let (axis_x0, _) = chart.backend_coord(&(0.0, 0.0));
    let (axis_x1, _) = chart.backend_coord(&(layout.x_max, 0.0));
    let label_x = axis_x0 - t.px(8.0);
    match *row_labels {
        RowLabels::Names { step, size } => {
            let style = t.text(size, theme::TEXT, HPos::Right, VPos::Center);
            for (r, bar) in panel.bars.iter().enumerate().step_by(step) {
                let name = t.fit(&bar.label, &style, layout.max_label_px);
                root.draw_text(&name, &style, (label_x, row_y(r)))?;
            }
        }
        RowLabels::Ordinals { step } => {
            let files_x = plot.get_base_pixel().0 + t.px(16.0) + (t.label * 0.7) as i32;
            draw_ordinals(root, t, panel.bars.len(), step, (label_x, files_x), row_y)?;
        }
    }
    Ok((axis_x0, axis_x1))
}

/// A bar's fill: its colour, paled towards white as its job spent less of
/// its time on a CPU (`--shade cpu`), down to a fifth of the colour.
fn fill(bar: &Bar) -> RGBColor {
    let color = theme::color(bar.color);
    match bar.cpu_share {
        None => color,
        Some(share) => {
            let k = 0.2 + 0.8 * share;
            let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * k).round() as u8;
            RGBColor(mix(color.0), mix(color.1), mix(color.2))
        }
    }
}

/// A bar per job from its start to its end, outlined when there is room,
/// and marked when the job failed.
fn draw_bars<DB: DrawingBackend>(chart: &mut Plot<DB>, t: &Theme, panel: &Panel) -> Drawn<DB> {
    let row_px = f64::from(chart.plotting_area().dim_in_pixel().1) / panel.bars.len() as f64;
    // Bars fill most of their row, but stay visible when 500 rows share a
    // few pixels, and do not turn into slabs for one file.
    let thickness_px = (row_px * 0.64).clamp(f64::from(t.px(2.0)), f64::from(t.px(36.0)));
    let half = thickness_px / row_px / 2.0;
    let bar_rect = |r: usize, bar: &Bar| {
        let center = panel.row(r);
        [(bar.start, center - half), (bar.end, center + half)]
    };
    let bars = || panel.bars.iter().enumerate();
    chart
        .draw_series(bars().map(|(r, bar)| Rectangle::new(bar_rect(r, bar), fill(bar).filled())))?;
    if thickness_px >= 6.0 {
        chart.draw_series(bars().map(|(r, bar)| {
            let edge = theme::darker(theme::color(bar.color));
            Rectangle::new(bar_rect(r, bar), edge.stroke_width(1))
        }))?;
    }
    chart.draw_series(
        bars()
            .filter(|(_, bar)| bar.failed)
            .map(|(r, bar)| Rectangle::new(bar_rect(r, bar), theme::FAILED.stroke_width(2))),
    )?;
    Ok(())
}

/// Row numbers for many rows (the first, then every `step`th: 1, 100,
/// 200…), right-aligned at `label_x` with a tick each, and "files" upright
/// at `files_x` where it fits; row `r` is at `row_y(r)`.
fn draw_ordinals<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Theme,
    rows: usize,
    step: usize,
    (label_x, files_x): (i32, i32),
    row_y: impl Fn(usize) -> i32,
) -> Drawn<DB> {
    let style = t.text(t.small, theme::MUTED, HPos::Right, VPos::Center);
    let multiples = (step..=rows).step_by(step);
    let numbers = std::iter::once(1).chain(multiples.filter(|&n| n != 1));
    for n in numbers {
        let y = row_y(n - 1);
        root.draw_text(&n.to_string(), &style, (label_x, y))?;
        let tick = [(label_x + t.px(3.0), y), (label_x + t.px(7.0), y)];
        root.draw(&PathElement::new(tick, theme::AXIS))?;
    }
    let (top, bottom) = (row_y(0), row_y(rows - 1));
    let style = t.text(t.small, theme::MUTED, HPos::Center, VPos::Center);
    if t.width("files", &style) as i32 <= bottom - top {
        let upright = style.transform(FontTransform::Rotate270);
        root.draw_text("files", &upright, (files_x, (top + bottom) / 2))?;
    }
    Ok(())
}

/// `sequential  5 files · 15.02 s · one at a time`, left-aligned with the
/// plot.
fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Theme,
    panel: &Panel,
    left: i32,
) -> Drawn<DB> {
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
    area.draw_text(&detail, &detail_style, (left + name_w, y))?;
    let used = name_w + t.width(&detail, &detail_style) as i32 + t.px(16.0);
    let style = t.text(t.small, theme::TEXT, HPos::Left, VPos::Center);
    draw_swatches(
        area,
        t,
        &panel.hosts,
        &style,
        (left + used, y),
        room as i32 - used,
    )
}

/// Swatches and their labels left to right from `(x, y)`, as many as fit
/// in `room` pixels, then `+N more`.
fn draw_swatches<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Theme,
    entries: &Legend,
    style: &TextStyle,
    (mut x, y): (i32, i32),
    room: i32,
) -> Drawn<DB> {
    let swatch = t.small as i32;
    let gap = t.px(6.0);
    let spacing = t.px(14.0);
    let item_w = |text: &str| swatch + gap + t.width(text, style) as i32 + spacing;
    let end = x + room;
    for (i, (label, color)) in entries.iter().enumerate() {
        let more = entries.len() - i - 1;
        let more_w = if more > 0 {
            item_w(&format!("+{more} more"))
        } else {
            0
        };
        if x + item_w(label) + more_w > end {
            let hidden = format!("+{} more", entries.len() - i);
            return area.draw_text(&hidden, &style.color(&theme::MUTED), (x, y));
        }
        area.draw(&Rectangle::new(
            [(x, y - swatch / 2), (x + swatch, y + swatch / 2)],
            theme::color(*color).filled(),
        ))?;
        area.draw_text(label, style, (x + swatch + gap, y))?;
        x += item_w(label);
    }
    Ok(())
}

/// A centred row of colour swatches and their meaning, cut with `+N more`
/// when it does not fit.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Theme,
    entries: &Legend,
    any_failed: bool,
    note: Option<&str>,
) -> Drawn<DB> {
    let (width, height) = area.dim_in_pixel();
    let style = t.text(t.small, theme::TEXT, HPos::Left, VPos::Center);
    let swatch = t.small as i32;
    let gap = t.px(6.0);
    let spacing = t.px(20.0);
    let item_w = |text: &str| swatch + gap + t.width(text, &style) as i32 + spacing;
    let failed_label = "failed (non-zero exit)";
    let note_w = note.map_or(0, |note| t.width(note, &style) as i32 + spacing);
    let room =
        width as i32 - 2 * t.px(16.0) - if any_failed { item_w(failed_label) } else { 0 } - note_w;

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
        + note_w
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
        x += item_w(failed_label);
    }
    if let Some(note) = note {
        area.draw_text(note, &style.color(&theme::MUTED), (x, y))?;
    }
    Ok(())
}
