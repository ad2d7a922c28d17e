//! `--kind comparison`: one bar per run, its height the run's total time,
//! labelled with the time and the speedup over the baseline
//! (docs/reference.md, "Runs").

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use dp_core::run::Speedup;

use crate::labels;
use crate::render::Chart;
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
    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        t: &Theme,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let (width, _) = root.dim_in_pixel();
        root.fill(&WHITE)?;

        let title_h = (t.title * 2.2) as i32;
        let (title_area, body) = root.split_vertically(title_h);
        let title_style = t.bold(t.title, theme::TEXT, HPos::Center, VPos::Center);
        let title = t.fit(&self.title, &title_style, width - 2 * t.px(16.0) as u32);
        title_area.draw_text(&title, &title_style, (width as i32 / 2, title_h / 2))?;

        let bars = self.bars();
        let max_s = bars.iter().map(|b| b.total_s).fold(0.0, f64::max);

        let tick_style = t.text(t.small, theme::MUTED, HPos::Right, VPos::Center);
        let x_area = (t.label * 1.6 + t.small * 1.5) as i32 + t.px(12.0);
        let (margin_top, margin_bottom) = (t.px(8.0), t.px(12.0));
        // Room above the tallest bar for its two lines of labels.
        let plot_h = body.dim_in_pixel().1 as i32 - x_area - margin_top - margin_bottom;
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

        let mut chart = ChartBuilder::on(&body)
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

        let slot_px = f64::from(chart.plotting_area().dim_in_pixel().0) / bars.len() as f64;
        // Bars are 60% of their slot, but not absurdly wide when there are few.
        let bar_units = (0.6f64).min(f64::from(t.px(160.0)) / slot_px);
        let label_room = (slot_px * 0.95) as u32;
        let time_style = t.bold(t.label, theme::TEXT, HPos::Center, VPos::Bottom);
        let ratio_style = t.text(t.small, theme::MUTED, HPos::Center, VPos::Bottom);
        let name_style = t.text(t.label, theme::TEXT, HPos::Center, VPos::Top);
        let files_style = t.text(t.small, theme::MUTED, HPos::Center, VPos::Top);

        for (i, bar) in bars.iter().enumerate() {
            let center = i as f64 + 0.5;
            let color = theme::color(i);
            chart.draw_series([Rectangle::new(
                [
                    (center - bar_units / 2.0, 0.0),
                    (center + bar_units / 2.0, bar.total_s),
                ],
                color.filled(),
            )])?;

            let (x, top) = chart.backend_coord(&(center, bar.total_s));
            let ratio = match (bar.speedup, bar.is_baseline) {
                _ if bars.len() == 1 => String::new(),
                (Some(ratio), true) => format!("{} (baseline)", labels::times(ratio)),
                (Some(ratio), false) => labels::times(ratio),
                (None, true) => "baseline".into(),
                (None, false) => "speedup n/a".into(),
            };
            let ratio_y = top - t.px(6.0);
            let time_y = if ratio.is_empty() {
                ratio_y
            } else {
                ratio_y - (t.small * 1.4) as i32
            };
            let time = labels::seconds(bar.total_s);
            root.draw_text(
                &t.fit(&time, &time_style, label_room),
                &time_style,
                (x, time_y),
            )?;
            root.draw_text(
                &t.fit(&ratio, &ratio_style, label_room),
                &ratio_style,
                (x, ratio_y),
            )?;

            let (_, axis_y) = chart.backend_coord(&(center, 0.0));
            let name_y = axis_y + t.px(8.0);
            let files_y = name_y + (t.label * 1.5) as i32;
            let name = t.fit(&bar.name, &name_style, label_room);
            root.draw_text(&name, &name_style, (x, name_y))?;
            let files = labels::count(bar.files, "file");
            root.draw_text(
                &t.fit(&files, &files_style, label_room),
                &files_style,
                (x, files_y),
            )?;
        }
        Ok(())
    }
}
