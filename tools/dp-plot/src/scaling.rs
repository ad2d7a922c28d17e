//! `--kind scaling`: speedup against workers for runs labelled
//! `<mode>-j<p>` (or whose records say their `workers`), with ± σ error bars
//! from the repeats, the ideal line S = p, Amdahl's fit, a mark at the
//! machine's cores, and the efficiency S/p in a panel below.
//!
//! Which runs and which T_1 follow dp-agg's scaling table (docs/reference.md,
//! "Runs"): a mode's one-worker run, else the run named `sequential`; the
//! speedups, σ and the fit are `dp_core::scaling`'s and `dp_core::run`'s.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use dp_core::names::shown;
use dp_core::run::{PREFERRED_BASELINE, Speedup, Total};
use dp_core::scaling::{amdahl, label, parse_label, scaling};

use crate::labels;
use crate::render::{self, Chart, Drawn, Plot};
use crate::runs::Run;
use crate::theme::{self, Theme};

/// One measured point: a run at `workers`, its speedup over T_1 and σ.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub run: String,
    pub workers: u64,
    pub speedup: f64,
    /// σ of the speedup (`None` unless T_1's run or this one was repeated).
    pub stddev: Option<f64>,
    pub efficiency: f64,
}

/// The scaling of one mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// `parallel` of `parallel-j4`; `None` for `j4` alone or runs that say
    /// their workers only in their records.
    pub mode: Option<String>,
    pub points: Vec<Measured>,
    pub serial_fraction: Option<f64>,
    pub amdahl_limit: Option<f64>,
}

impl Series {
    fn name(&self) -> String {
        match &self.mode {
            Some(mode) => mode.clone(),
            None => "runs".into(),
        }
    }
}

/// A mode and its runs, as (index into the runs, workers).
type Group = (Option<String>, Vec<(usize, u64)>);

/// The scaling of every mode among `runs`. `Err` (exit 1) says what is
/// missing: runs that say their workers, or a mode's T_1.
pub fn series(runs: &[Run]) -> anyhow::Result<Vec<Series>> {
    let sequential = runs
        .iter()
        .position(|run| run.label.as_deref() == Some(PREFERRED_BASELINE));
    let mut groups: Vec<Group> = Vec::new();
    for (at, run) in runs.iter().enumerate() {
        let member = match run.label.as_deref().and_then(parse_label) {
            Some((mode, p)) => Some((mode.map(str::to_owned), p)),
            None if Some(at) != sequential => run.workers().filter(|&p| p > 0).map(|p| (None, p)),
            None => None,
        };
        let Some((mode, p)) = member else { continue };
        match groups.iter_mut().find(|(m, _)| *m == mode) {
            Some((_, members)) => members.push((at, p)),
            None => groups.push((mode, vec![(at, p)])),
        }
    }
    if groups.is_empty() {
        anyhow::bail!(
            "nothing to scale: no run says its workers (a `<mode>-j<p>` label such as \
             `parallel-j4`, or the records' `workers`)"
        );
    }
    groups
        .into_iter()
        .map(|(mode, members)| one_series(runs, sequential, mode, &members))
        .collect()
}

fn one_series(
    runs: &[Run],
    sequential: Option<usize>,
    mode: Option<String>,
    members: &[(usize, u64)],
) -> anyhow::Result<Series> {
    let mode_name = match &mode {
        Some(mode) => format!("mode '{}'", shown(mode)),
        None => "these runs".to_owned(),
    };
    let one_worker = members.iter().find(|&&(_, p)| p == 1).map(|&(at, _)| at);
    let Some(base) = one_worker.or(sequential) else {
        anyhow::bail!(
            "cannot scale {mode_name}: no one-worker run ('{}') and no run named \
             '{PREFERRED_BASELINE}' gives T_1",
            shown(&label(mode.as_deref(), 1))
        );
    };
    let Some(base_total) = runs[base].total_over_repeats() else {
        anyhow::bail!(
            "cannot scale {mode_name}: run '{}' (T_1) has no total time",
            shown(runs[base].name())
        );
    };
    let mut points: Vec<(usize, u64)> = members.to_vec();
    if one_worker.is_none() {
        points.insert(0, (base, 1));
    }
    let measured: Vec<(Option<String>, u64, Total)> = points
        .iter()
        .filter_map(|&(at, p)| {
            let total = runs[at].total_over_repeats()?;
            Some((runs[at].label.clone(), p, total))
        })
        .collect();
    let Some(table) = scaling(&measured, &base_total) else {
        anyhow::bail!(
            "cannot scale {mode_name}: T_1 (run '{}') is zero",
            shown(runs[base].name())
        );
    };
    let points = table
        .points
        .iter()
        .map(|point| Measured {
            run: dp_core::run::name(point.run.as_deref()).to_owned(),
            workers: point.workers,
            speedup: point.speedup,
            stddev: Speedup::of(Some(&base_total), Some(&point.total)).stddev,
            efficiency: point.efficiency,
        })
        .collect();
    Ok(Series {
        mode,
        points,
        serial_fraction: table.serial_fraction,
        amdahl_limit: table.amdahl_limit,
    })
}

/// The title used when `--title` is not given.
pub fn default_title(series: &[Series]) -> String {
    let names: Vec<String> = series.iter().map(Series::name).collect();
    let title = format!("dp: speedup by workers, {}", names.join(" vs "));
    if title.chars().count() <= 60 {
        title
    } else {
        "dp: speedup by workers".into()
    }
}

/// The machine's cores, as the mark is drawn by default.
pub fn available_cores() -> u64 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u64)
}

pub struct Scaling<'a> {
    pub series: &'a [Series],
    pub cores: u64,
    pub title: String,
}

const IDEAL: RGBColor = RGBColor(0x99, 0x99, 0x99);
const CORES: RGBColor = RGBColor(0xb0, 0x00, 0x20);

impl Scaling<'_> {
    fn max_workers(&self) -> u64 {
        let measured = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.workers));
        measured.max().unwrap_or(1).max(self.cores).max(2)
    }

    /// The x axis, log₂ of workers, from just left of 1 to just right of
    /// the largest power of two needed.
    fn x_range(&self) -> (f64, f64) {
        let top = (self.max_workers() as f64).log2().ceil();
        (-0.3, top + 0.3)
    }

    /// The speedup axis, log₂ of the speedup: from below the lowest error
    /// bar (and 1) to above the highest, with room for the legend.
    fn speedup_range(&self) -> (f64, f64) {
        let top = self.max_workers();
        let (mut min, mut max): (f64, f64) = (1.0, 2.0);
        for series in self.series {
            for point in &series.points {
                let sd = point.stddev.unwrap_or(0.0);
                min = min.min(low_end(point.speedup, sd));
                max = max.max(point.speedup + sd);
            }
            if let Some(f) = series.serial_fraction {
                max = max.max(amdahl(f, top));
            }
        }
        (min.log2() - 0.25, max.log2() + 0.75)
    }

    /// Where the legend hides no point: the lower right, where a curve near
    /// the ideal leaves room, unless a curve levels off low on the axis
    /// (then the upper left, above the curves' start at S = 1).
    fn legend_position(&self, (lo, hi): (f64, f64)) -> SeriesLabelPosition {
        let levels_off = self.series.iter().any(|series| {
            series
                .points
                .last()
                .is_some_and(|last| last.workers > 1 && last.speedup.log2() < (lo + hi) / 2.0)
        });
        if levels_off {
            SeriesLabelPosition::UpperLeft
        } else {
            SeriesLabelPosition::LowerRight
        }
    }

    fn efficiency_max(&self) -> f64 {
        let mut max: f64 = 1.0;
        for point in self.series.iter().flat_map(|s| &s.points) {
            let sd = point.stddev.unwrap_or(0.0) / point.workers as f64;
            max = max.max(point.efficiency + sd);
        }
        max * 1.15
    }
}

impl Chart for Scaling<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, t: &Theme) -> Drawn<DB> {
        root.fill(&WHITE)?;
        let (title_area, body) = root.split_vertically((t.title * 2.2) as i32);
        render::draw_title(&title_area, t, &self.title)?;
        let body_h = body.dim_in_pixel().1 as i32;
        let (upper, lower) = body.split_vertically(body_h * 62 / 100);

        let x = self.x_range();
        let tick_style = t.text(t.small, theme::MUTED, HPos::Right, VPos::Center);
        let y = self.speedup_range();
        let y_ticks = log_ticks(y);
        let y_area = y_area_size(t, &tick_style, &y_ticks);
        let x_area = (t.small * 1.5 + t.label * 1.6) as i32 + t.px(12.0);

        let mut top = panel(&upper, t, x, y, y_area, t.px(4.0), "speedup (×, log scale)")?;
        draw_y_ticks(root, &mut top, t, &y_ticks)?;
        self.draw_grid(&mut top)?;
        self.draw_cores(&mut top, t, true)?;
        // S = p: the diagonal, from p = 1 to where it leaves the plot.
        let ideal_end = x.1.min(y.1);
        top.draw_series(LineSeries::new(
            [(0.0, 0.0), (ideal_end, ideal_end)],
            IDEAL.stroke_width(t.px(2.0).max(1) as u32),
        ))?
        .label("ideal (S = p)")
        .legend(legend_line(IDEAL));
        for (i, series) in self.series.iter().enumerate() {
            let color = theme::color(i);
            if let Some(f) = series.serial_fraction {
                let fit = fit_points(x.1, |p| amdahl(f, p).log2());
                let limit = match series.amdahl_limit {
                    Some(limit) => format!(", limit {}", labels::times(limit)),
                    None => String::new(),
                };
                top.draw_series(DashedLineSeries::new(
                    fit,
                    t.px(8.0),
                    t.px(5.0),
                    color.stroke_width(t.px(2.0).max(1) as u32),
                ))?
                .label(format!("{}: Amdahl fit, f = {f:.3}{limit}", series.name()))
                .legend(legend_line(color));
            }
            let measured: Vec<(f64, f64, Option<f64>)> = series
                .points
                .iter()
                .map(|p| (p.workers as f64, p.speedup, p.stddev))
                .collect();
            draw_points(&mut top, t, color, &measured, true)?
                .label(format!("{}: measured ± σ", series.name()))
                .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
        }
        top.configure_series_labels()
            .position(self.legend_position(y))
            .background_style(WHITE.mix(0.9))
            .border_style(theme::GRID)
            .label_font(t.text(t.small, theme::TEXT, HPos::Left, VPos::Center))
            .draw()?;

        let e_max = self.efficiency_max();
        let mut bottom = panel(
            &lower,
            t,
            x,
            (0.0, e_max),
            y_area,
            x_area,
            "efficiency (S/p)",
        )?;
        bottom
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_max_light_lines(0)
            .bold_line_style(theme::GRID)
            .axis_style(theme::AXIS)
            .y_label_formatter(&|v| labels::tick(*v))
            .label_style(tick_style.clone())
            .draw()?;
        self.draw_grid(&mut bottom)?;
        self.draw_cores(&mut bottom, t, false)?;
        bottom.draw_series(LineSeries::new(
            [(x.0, 1.0), (x.1, 1.0)],
            IDEAL.stroke_width(t.px(2.0).max(1) as u32),
        ))?;
        for (i, series) in self.series.iter().enumerate() {
            let color = theme::color(i);
            if let Some(f) = series.serial_fraction {
                let fit = fit_points(x.1, |p| amdahl(f, p) / p as f64);
                bottom.draw_series(DashedLineSeries::new(
                    fit,
                    t.px(8.0),
                    t.px(5.0),
                    color.stroke_width(t.px(2.0).max(1) as u32),
                ))?;
            }
            let measured: Vec<(f64, f64, Option<f64>)> = series
                .points
                .iter()
                .map(|p| {
                    let sd = p.stddev.map(|sd| sd / p.workers as f64);
                    (p.workers as f64, p.efficiency, sd)
                })
                .collect();
            draw_points(&mut bottom, t, color, &measured, false)?;
        }
        self.draw_x_ticks(root, &bottom, t)
    }
}

impl Scaling<'_> {
    /// Light vertical lines at the powers of two.
    fn draw_grid<DB: DrawingBackend>(&self, plot: &mut Plot<'_, DB>) -> Drawn<DB> {
        let range = plot.y_range();
        for k in powers(self.x_range().1) {
            plot.draw_series(LineSeries::new(
                [(k, range.start), (k, range.end)],
                theme::GRID,
            ))?;
        }
        Ok(())
    }

    /// The vertical mark at the machine's cores, labelled in the top panel.
    fn draw_cores<DB: DrawingBackend>(
        &self,
        plot: &mut Plot<'_, DB>,
        t: &Theme,
        labelled: bool,
    ) -> Drawn<DB> {
        let at = (self.cores.max(1) as f64).log2();
        let range = plot.y_range();
        let series = plot.draw_series(DashedLineSeries::new(
            [(at, range.start), (at, range.end)],
            t.px(4.0),
            t.px(4.0),
            CORES.stroke_width(t.px(1.5).max(1) as u32),
        ))?;
        if labelled {
            series
                .label(labels::count(self.cores as usize, "core"))
                .legend(legend_line(CORES));
        }
        Ok(())
    }

    /// The workers under the bottom panel: 1, 2, 4, 8…, and the axis's name.
    fn draw_x_ticks<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        plot: &Plot<'_, DB>,
        t: &Theme,
    ) -> Drawn<DB> {
        let style = t.text(t.small, theme::MUTED, HPos::Center, VPos::Top);
        let mut last = (0, 0);
        for k in powers(self.x_range().1) {
            let (px, py) = plot.backend_coord(&(k, 0.0));
            root.draw_text(&labels::tick(k.exp2()), &style, (px, py + t.px(6.0)))?;
            last = (px, py);
        }
        let (left, _) = plot.backend_coord(&(self.x_range().0, 0.0));
        let (right, _) = plot.backend_coord(&(self.x_range().1, 0.0));
        let desc = t.text(t.label, theme::TEXT, HPos::Center, VPos::Top);
        let y = last.1 + t.px(8.0) + (t.small * 1.3) as i32;
        root.draw_text("workers (p, log scale)", &desc, ((left + right) / 2, y))
    }
}

/// The widths of the y axes' label area, the same for both panels so that
/// their plots line up.
fn y_area_size(t: &Theme, tick_style: &TextStyle, ticks: &[f64]) -> i32 {
    let widest = ticks
        .iter()
        .map(|&v| t.width(&labels::tick(v.exp2()), tick_style))
        .fold(t.width("1.25", tick_style), u32::max);
    widest as i32 + (t.label * 2.2) as i32
}

/// The lowest end of an error bar drawn on the log axis: S − σ, but never
/// below S/2 (where σ is as large as S, the bar goes down by an octave).
fn low_end(speedup: f64, sd: f64) -> f64 {
    (speedup - sd).max(speedup / 2.0)
}

/// Ticks of a log₂ axis spanning `range` (log₂ values): the powers of two,
/// and the 1.5× between them when there are few.
fn log_ticks((lo, hi): (f64, f64)) -> Vec<f64> {
    let powers: Vec<f64> = (lo.ceil() as i32..=hi.floor() as i32)
        .map(f64::from)
        .collect();
    if powers.len() >= 4 {
        return powers;
    }
    let mut ticks: Vec<f64> = (lo.floor() as i32..=hi.ceil() as i32)
        .flat_map(|k| [f64::from(k), f64::from(k) + 1.5f64.log2()])
        .filter(|v| (lo..=hi).contains(v))
        .collect();
    ticks.sort_by(f64::total_cmp);
    ticks
}

/// A log₂ axis' ticks (given as log₂ values): grid lines and the values.
fn draw_y_ticks<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: &mut Plot<'_, DB>,
    t: &Theme,
    ticks: &[f64],
) -> Drawn<DB> {
    let range = plot.x_range();
    let style = t.text(t.small, theme::MUTED, HPos::Right, VPos::Center);
    for &v in ticks {
        plot.draw_series(LineSeries::new(
            [(range.start, v), (range.end, v)],
            theme::GRID,
        ))?;
        let (px, py) = plot.backend_coord(&(range.start, v));
        root.draw_text(&labels::tick(v.exp2()), &style, (px - t.px(6.0), py))?;
    }
    Ok(())
}

/// A panel's axes: x log₂ of workers, y over `y`.
fn panel<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    t: &Theme,
    (x_min, x_max): (f64, f64),
    (y_min, y_max): (f64, f64),
    y_area: i32,
    x_area: i32,
    desc: &str,
) -> Drawn<DB, Plot<'a, DB>> {
    let mut chart = ChartBuilder::on(area)
        .margin_top(t.px(8.0))
        .margin_left(t.px(16.0))
        .margin_right(t.px(24.0))
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x_min..x_max, y_min..y_max)?;
    // The axes and the name of y; ticks are drawn by the panel's owner.
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .axis_style(theme::AXIS)
        .y_desc(desc)
        .axis_desc_style(t.text(t.label, theme::TEXT, HPos::Center, VPos::Center))
        .draw()?;
    Ok(chart)
}

/// Measured points at (workers, value, σ): error bars, then a dot each.
/// Returns the dots' series, to be labelled in the legend.
fn draw_points<'a, 'b, DB: DrawingBackend>(
    plot: &'b mut Plot<'a, DB>,
    t: &Theme,
    color: RGBColor,
    points: &[(f64, f64, Option<f64>)],
    log_y: bool,
) -> Drawn<DB, &'b mut plotters::chart::SeriesAnno<'a, DB>> {
    let bar = color.stroke_width(t.px(2.0).max(1) as u32);
    // Caps as wide as a dot, whatever the axis' span.
    let range = plot.x_range();
    let width_px = f64::from(plot.plotting_area().dim_in_pixel().0.max(1));
    let cap = f64::from(t.px(7.0)) * (range.end - range.start) / width_px;
    for &(p, value, sd) in points {
        let Some(sd) = sd.filter(|sd| *sd > 0.0) else {
            continue;
        };
        let x = p.log2();
        let (lo, hi) = if log_y {
            (low_end(value, sd).log2(), (value + sd).log2())
        } else {
            ((value - sd).max(0.0), value + sd)
        };
        plot.draw_series([
            PathElement::new([(x, lo), (x, hi)], bar),
            PathElement::new([(x - cap, lo), (x + cap, lo)], bar),
            PathElement::new([(x - cap, hi), (x + cap, hi)], bar),
        ])?;
    }
    let radius = t.px(5.0).max(2);
    plot.draw_series(points.iter().map(|&(p, value, _)| {
        let y = if log_y { value.log2() } else { value };
        Circle::new((p.log2(), y), radius, color.filled())
    }))
}

/// A legend's short line in `color`.
fn legend_line(color: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2))
}

/// A fitted curve at every whole number of workers up to the axis' end
/// (`dp_core::scaling::amdahl` takes whole workers), in log₂ x.
fn fit_points(x_max: f64, value: impl Fn(u64) -> f64) -> Vec<(f64, f64)> {
    let last = x_max.exp2().floor() as u64;
    (1..=last.max(1))
        .map(|p| ((p as f64).log2(), value(p)))
        .collect()
}

/// The powers of two on an axis reaching `x_max` (log₂), as log₂ values.
fn powers(x_max: f64) -> impl Iterator<Item = f64> {
    (0..=x_max.floor() as i32).map(f64::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runs::{Job, Worker};

    fn run(label: Option<&str>, repeats: &[f64], workers: Option<u64>) -> Run {
        let jobs = repeats
            .iter()
            .enumerate()
            .map(|(r, &total)| Job {
                label: "f".into(),
                started_at: 1000.0 * r as f64,
                finished_at: 1000.0 * r as f64 + total,
                worker: Worker {
                    host: "h".into(),
                    pid: Some(1),
                },
                failed: false,
                repeat: Some(r as u64 + 1),
                workers,
                cpu_share: None,
            })
            .collect();
        Run {
            label: label.map(str::to_owned),
            jobs,
        }
    }

    #[test]
    fn speedups_are_against_the_one_worker_run_with_the_repeats_spread() {
        let runs = [
            run(Some("parallel-j1"), &[8.0, 8.0], None),
            run(Some("parallel-j2"), &[4.0, 4.0], None),
            run(Some("parallel-j4"), &[2.0, 3.0], None),
        ];
        let series = series(&runs).unwrap();
        assert_eq!(series.len(), 1);
        let points = &series[0].points;
        assert_eq!(points[1].speedup, 2.0);
        assert_eq!(points[1].stddev, Some(0.0));
        assert_eq!(points[2].speedup, 8.0 / 2.5);
        let expected = Speedup::of(
            Total::of(&[8.0, 8.0]).as_ref(),
            Total::of(&[2.0, 3.0]).as_ref(),
        );
        assert_eq!(points[2].stddev, expected.stddev);
        assert!(series[0].serial_fraction.is_some());
    }

    #[test]
    fn workers_may_come_from_the_records_and_t1_from_sequential() {
        let runs = [
            run(Some("sequential"), &[8.0], Some(1)),
            run(Some("a"), &[4.0], Some(2)),
        ];
        let series = series(&runs).unwrap();
        assert_eq!(series[0].points.len(), 2);
        assert_eq!(series[0].points[0].run, "sequential");
        assert_eq!(series[0].points[1].speedup, 2.0);
    }

    #[test]
    fn a_missing_baseline_is_named() {
        let runs = [run(Some("parallel-j2"), &[4.0], None)];
        let err = series(&runs).unwrap_err().to_string();
        assert!(
            err.contains("'parallel-j1'") && err.contains("'sequential'"),
            "{err}"
        );
        let err = series(&[run(Some("x"), &[1.0], None)])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("nothing to scale"), "{err}");
    }
}
