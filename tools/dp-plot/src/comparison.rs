//! `--kind comparison`: one bar per run, its height the run's total time,
//! labelled with the time and the speedup over the baseline
//! (docs/reference.md, "Runs").

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use dp_core::run::Speedup;

use crate::labels;
use crate::render::{self, Chart, Drawn, Plot};
use crate::runs::Run;
use crate::theme::{self, Theme};

/// The title used when `--title` is not given: the runs compared, while that
/// stays short (`dp: sequential vs parallel`).
pub fn default_title(runs: &[Run]) -> String {
    const MAX_CHARS: usize = 60;
    let names: Vec<&str> = runs.iter().map(Run::name).collect();
    let title = match names.as_slice() {
        [one] => format!("dp: total time of {one}"),
        _ => format!("dp: {}", names.join(" vs ")),
    };
    if title.chars().count() <= MAX_CHARS {
        title
    } else {
        "dp: total time per run".into()
    }
}

pub struct Comparison<'a> {
    pub runs: &'a [Run],
    /// The run the others are compared with, an index into `runs`.
    pub baseline: usize,
    pub title: String,
}

struct Bar {
    name: String,
    files: usize,
    total_s: f64,
    /// `None` when a zero time makes the ratio meaningless.
    speedup: Option<f64>,
    is_baseline: bool,
}

impl Comparison<'_> {
    fn bars(&self) -> Vec<Bar> {
        let base = self.runs[self.baseline].total();
        self.runs
            .iter()
            .enumerate()
            .map(|(i, run)| Bar {
                name: run.name().to_owned(),
                files: run.jobs.len(),
                total_s: run.total_s(),
                speedup: Speedup::of(base.as_ref(), run.total().as_ref()).factor,
                is_baseline: i == self.baseline,
            })
            .collect()
    }
}

impl Chart for Comparison<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> Drawn<DB> {
        root.fill(&WHITE)?;
        let (title_area, body) = root.split_vertically((t.title * 2.2) as i32);
        render::draw_title(&title_area, t, &self.title)?;

        let bars = self.bars();
        let mut chart = axes(&body, t, &bars)?;
        let slot_px = f64::from(chart.plotting_area().dim_in_pixel().0) / bars.len() as f64;
        let look = BarLook::new(t, slot_px);
        for (i, bar) in bars.iter().enumerate() {
            let center = i as f64 + 0.5;
            chart.draw_series([look.rectangle(center, bar.total_s, theme::color(i))])?;
            let time = labels::seconds(bar.total_s);
            let top = chart.backend_coord(&(center, bar.total_s));
            look.draw_above(root, top, &time, &ratio_label(bar, bars.len()))?;
            let files = labels::count(bar.files, "file");
            let foot = chart.backend_coord(&(center, 0.0));
            look.draw_below(root, foot, &bar.name, &files)?;
        }
        Ok(())
    }
}

/// The plot's axes and grid: a slot per bar, and time up to the tallest
/// bar with room above it for its labels.
fn axes<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    t: &Theme,
    bars: &[Bar],
) -> Drawn<DB, Plot<'a, DB>> {
    let max_s = bars.iter().map(|b| b.total_s).fold(0.0, f64::max);
    let tick_style = t.text(t.small, theme::MUTED, HPos::Right, VPos::Center);
    let x_area = (t.label * 1.6 + t.small * 1.5) as i32 + t.px(12.0);
    let (margin_top, margin_bottom) = (t.px(8.0), t.px(12.0));
    // Room above the tallest bar for its two lines of labels.
    let plot_h = area.dim_in_pixel().1 as i32 - x_area - margin_top - margin_bottom;
    let headroom = (t.label * 1.4 + t.small * 1.4) as i32 + t.px(14.0);
    let y_max = if max_s > 0.0 {
        max_s * f64::from(plot_h) / f64::from((plot_h - headroom).max(1))
    } else {
        1.0
    };
    // The longest tick label is about the last round value of the axis.
    let step = labels::nice_step(y_max, 8);
    let last_tick = (y_max / step).floor() * step;
    let widest_tick = t.width(&labels::tick(last_tick), &tick_style);
    let y_area = widest_tick as i32 + (t.label * 2.2) as i32;

    let mut chart = ChartBuilder::on(area)
        .margin_top(margin_top)
        .margin_bottom(margin_bottom)
        .margin_left(t.px(16.0))
        .margin_right(t.px(24.0))
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(0f64..bars.len() as f64, 0f64..y_max)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(8)
        .y_max_light_lines(0)
        .bold_line_style(theme::GRID)
        .axis_style(theme::AXIS)
        .y_label_formatter(&|v| labels::tick(*v))
        .label_style(tick_style.clone())
        .y_desc("total time (s)")
        .axis_desc_style(t.text(t.label, theme::TEXT, HPos::Center, VPos::Center))
        .draw()?;
    Ok(chart)
}

/// What the second line above a bar says: its speedup, or why there is none.
fn ratio_label(bar: &Bar, bars: usize) -> String {
    match (bar.speedup, bar.is_baseline) {
        _ if bars == 1 => String::new(),
        (Some(ratio), true) => format!("{} (baseline)", labels::times(ratio)),
        (Some(ratio), false) => labels::times(ratio),
        (None, true) => "baseline".into(),
        (None, false) => "speedup n/a".into(),
    }
}

/// How every bar and its labels look, given the room a bar's slot has.
struct BarLook<'t> {
    t: &'t Theme,
    /// Width of a bar, in slots.
    width: f64,
    /// Widest a label may be drawn before it is cut.
    label_room: u32,
    time: TextStyle<'static>,
    ratio: TextStyle<'static>,
    name: TextStyle<'static>,
    files: TextStyle<'static>,
}

impl<'t> BarLook<'t> {
    fn new(t: &'t Theme, slot_px: f64) -> Self {
        Self {
            t,
            // 60% of their slot, but not absurdly wide when there are few.
            width: (0.6f64).min(f64::from(t.px(160.0)) / slot_px),
            label_room: (slot_px * 0.95) as u32,
            time: t.bold(t.label, theme::TEXT, HPos::Center, VPos::Bottom),
            ratio: t.text(t.small, theme::MUTED, HPos::Center, VPos::Bottom),
            name: t.text(t.label, theme::TEXT, HPos::Center, VPos::Top),
            files: t.text(t.small, theme::MUTED, HPos::Center, VPos::Top),
        }
    }

    /// The bar centred on `center`, from 0 up to `total_s`.
    fn rectangle(&self, center: f64, total_s: f64, color: RGBColor) -> Rectangle<(f64, f64)> {
        let half = self.width / 2.0;
        Rectangle::new(
            [(center - half, 0.0), (center + half, total_s)],
            color.filled(),
        )
    }

    /// The time, and under it the ratio (if any), above the bar's `top`.
    fn draw_above<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        (x, top): (i32, i32),
        time: &str,
        ratio: &str,
    ) -> Drawn<DB> {
        let t = self.t;
        let ratio_y = top - t.px(6.0);
        let time_y = if ratio.is_empty() {
            ratio_y
        } else {
            ratio_y - (t.small * 1.4) as i32
        };
        self.draw_label(root, time, &self.time, (x, time_y))?;
        self.draw_label(root, ratio, &self.ratio, (x, ratio_y))
    }

    /// The run's name, and under it its number of files, below the bar's
    /// `foot` on the axis.
    fn draw_below<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        (x, foot): (i32, i32),
        name: &str,
        files: &str,
    ) -> Drawn<DB> {
        let name_y = foot + self.t.px(8.0);
        let files_y = name_y + (self.t.label * 1.5) as i32;
        self.draw_label(root, name, &self.name, (x, name_y))?;
        self.draw_label(root, files, &self.files, (x, files_y))
    }

    fn draw_label<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        text: &str,
        style: &TextStyle,
        at: (i32, i32),
    ) -> Drawn<DB> {
        root.draw_text(&self.t.fit(text, style, self.label_room), style, at)
    }
}
