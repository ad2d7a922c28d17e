//! dp-plot's charts of any runs its readers can give (finite times that do
//! not run backwards, any labels, hosts and titles): drawing never panics
//! and ends, a run a chart cannot show is refused before drawing, and an
//! SVG holds no character XML forbids.
#![no_main]

use arbitrary::Arbitrary;
use dp_plot::args::ColorBy;
use dp_plot::comparison::Comparison;
use dp_plot::render;
use dp_plot::runs::{Job, Run, Worker};
use dp_plot::timeline::Timeline;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    runs: Vec<(Option<String>, Vec<(String, f64, f64, String, Option<u32>, bool)>)>,
    title: String,
    timeline: bool,
    color_by: u8,
    png: bool,
    width: u16,
    height: u16,
}

fuzz_target!(|input: Input| {
    let runs: Vec<Run> = input
        .runs
        .into_iter()
        .take(6)
        .map(|(label, jobs)| Run {
            label,
            jobs: jobs
                .into_iter()
                .take(40)
                .filter(|&(_, start, end, ..)| dp_core::run::check_times(start, end).is_ok())
                .map(|(label, start, end, host, pid, failed)| Job {
                    label,
                    started_at: start,
                    finished_at: end,
                    worker: Worker { host, pid },
                    failed,
                })
                .collect(),
        })
        .filter(|run| !run.jobs.is_empty() && run.check_span().is_ok())
        .collect();
    if runs.is_empty() {
        return;
    }
    let size = if input.png {
        (200, 150)
    } else {
        (200 + u32::from(input.width) % 1800, 150 + u32::from(input.height) % 1200)
    };
    let drawn = if input.timeline {
        let color_by = [ColorBy::Run, ColorBy::Pid, ColorBy::Slot][usize::from(input.color_by % 3)];
        let chart = Timeline { runs: &runs, title: input.title, color_by };
        draw(&chart, size, input.png)
    } else {
        let baseline = usize::from(input.color_by) % runs.len();
        let chart = Comparison { runs: &runs, baseline, title: input.title };
        draw(&chart, size, input.png)
    };
    drawn.expect("a chart of drawable runs draws");
});

fn draw(chart: &impl render::Chart, size: (u32, u32), png: bool) -> anyhow::Result<()> {
    if png {
        render::png(chart, size)?;
    } else {
        let svg = render::svg(chart, size, false)?;
        let bad = svg.chars().find(|&c| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r'));
        assert_eq!(bad, None, "a character XML forbids");
    }
    Ok(())
}
