//! Progress on stderr, for people waiting at a terminal: it appears only
//! when stderr is a terminal and the work has already taken a while, and it
//! never mixes with the diagnostics: once shown, it registers with the
//! envelope (`cli::set_suspender`), so every diagnostic of the process,
//! whoever writes it, steps it aside.

use std::cell::Cell;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use dp_core::cli;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Work shorter than this shows no progress at all.
const SHOW_AFTER: Duration = Duration::from_secs(1);

pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: Cell<bool>,
}

impl Progress {
    /// `total`: how many files, when known in advance.
    pub fn new(total: Option<usize>) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let (bar, template) = match total {
                Some(total) => (
                    ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden()),
                    "{elapsed:>4} [{bar:30}] {pos}/{len} files  {wide_msg}",
                ),
                None => (
                    ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
                    "{elapsed:>4} {spinner} {pos} files  {wide_msg}",
                ),
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Self {
            bar,
            started: Instant::now(),
            shown: Cell::new(false),
        }
    }

    /// One more file done.
    pub fn file_done(&self, path: &str) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(dp_core::names::shown(path).into_owned());
        }
        self.tick();
    }

    /// Called now and then while waiting: shows the bar once the work is long.
    pub fn tick(&self) {
        let Some(bar) = &self.bar else { return };
        if !self.shown.get() && self.started.elapsed() >= SHOW_AFTER {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(200));
            let shown = bar.clone();
            cli::set_suspender(Some(Box::new(move |write| shown.suspend(write))));
            self.shown.set(true);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            if self.shown.get() {
                cli::set_suspender(None);
            }
            bar.finish_and_clear();
        }
    }
}
