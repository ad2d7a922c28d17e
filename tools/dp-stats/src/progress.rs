//! Progress on stderr, for people waiting at a terminal: it appears only
//! when stderr is a terminal and the work has already taken a while, and it
//! never mixes with the diagnostics.

use std::cell::Cell;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

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
            bar.set_message(path.to_owned());
        }
        self.tick();
    }

    /// Called now and then while waiting: shows the bar once the work is long.
    pub fn tick(&self) {
        let Some(bar) = &self.bar else { return };
        if !self.shown.get() && self.started.elapsed() >= SHOW_AFTER {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(200));
            self.shown.set(true);
        }
    }

    /// Prints a diagnostic without tearing the bar.
    pub fn warn(&self, message: impl std::fmt::Display) {
        match &self.bar {
            Some(bar) if self.shown.get() => bar.suspend(|| dp_core::cli::warn(message)),
            _ => dp_core::cli::warn(message),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
