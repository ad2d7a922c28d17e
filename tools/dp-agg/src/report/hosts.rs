//! What each host did of a run, and what a remote engine cost per file
//! over the local parallel mode (docs/reference.md, "Runs": "Hosts",
//! "Overhead of an engine").

use std::collections::HashMap;

use dp_core::names::shown;
use dp_core::record::HostShare;
use dp_core::run::{self, LOCAL_MODES, Overhead, REMOTE_MODES};

use super::{Report, RunReport, files_phrase, natural_cmp};
use crate::group::Run;

/// Files and busy time per host over every repeat of `run`, in natural
/// order of the names; empty when the records name one host.
pub fn shares(run: &Run) -> Vec<HostShare> {
    let mut by_host: HashMap<&str, (u64, f64)> = HashMap::new();
    for (_, repeat) in run.repeats() {
        for (host, stats) in repeat.records_by_host() {
            let share = by_host.entry(host).or_default();
            share.0 += 1;
            share.1 += stats.elapsed_s;
        }
    }
    if by_host.len() < 2 {
        return Vec::new();
    }
    let mut shares: Vec<HostShare> = by_host
        .into_iter()
        .map(|(host, (files, busy_s))| HostShare {
            host: host.to_owned(),
            files,
            busy_s: run::to_microseconds(busy_s),
        })
        .collect();
    shares.sort_by(|a, b| natural_cmp(&a.host, &b.host));
    shares
}

/// The run section's lines on its hosts: (`host node1`, `10 files, 10.04 s
/// busy`).
pub fn rows(shares: &[HostShare]) -> Vec<(String, String)> {
    shares
        .iter()
        .map(|share| {
            (
                format!("host {}", shown(&share.host)),
                format!("{}, {:.2} s busy", files_phrase(share.files), share.busy_s),
            )
        })
        .collect()
}

/// A run's engine cost per file ([`Overhead`]): its concurrency the
/// largest of its repeats', its ideal total their mean.
fn overhead(report: &RunReport) -> Option<Overhead> {
    let repeats: Vec<_> = report.run.repeats().map(|(_, repeat)| repeat).collect();
    let concurrency = repeats
        .iter()
        .map(|repeat| {
            run::peak_concurrency(
                repeat
                    .records()
                    .map(|stats| (stats.started_at, stats.finished_at)),
            )
        })
        .max()?;
    let ideal_s = repeats
        .iter()
        .map(|repeat| {
            let files = repeat
                .records()
                .map(|stats| (stats.started_at, stats.elapsed_s));
            run::ideal_total_s(files, concurrency)
        })
        .sum::<f64>()
        / repeats.len() as f64;
    let timing = &report.timing;
    Overhead::of(timing.wall_s, concurrency, ideal_s, timing.files)
}

/// A remote run's cost per file, and that cost over the local one's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineCost {
    pub per_file_s: f64,
    pub over_local_s: Option<f64>,
}

impl Report<'_> {
    /// The local parallel run remote ones are compared with, and its cost.
    fn local(&self) -> Option<(&RunReport<'_>, Overhead)> {
        LOCAL_MODES.iter().find_map(|&local| {
            let report = self
                .runs
                .iter()
                .find(|r| run::mode(r.run.label.as_deref()) == Some(local))?;
            Some((report, overhead(report)?))
        })
    }

    /// The cost of the run shown at `shown`, when it is of a remote mode.
    pub fn engine_cost(&self, shown: usize) -> Option<EngineCost> {
        let report = &self.runs[shown];
        let mode = run::mode(report.run.label.as_deref())?;
        if !REMOTE_MODES.contains(&mode) {
            return None;
        }
        let cost = overhead(report)?;
        Some(EngineCost {
            per_file_s: cost.per_file_s,
            over_local_s: self.local().map(|(_, local)| cost.over(local)),
        })
    }

    /// One line per remote run on what its engine cost per file: `ssh: 0.15
    /// s per file over local (parallel: 0.01 s, ssh: 0.16 s of slot time
    /// outside dp-stats per file)`.
    pub fn overhead_lines(&self) -> Vec<String> {
        let local = self.local();
        (0..self.runs.len())
            .filter_map(|shown| {
                let cost = self.engine_cost(shown)?;
                let name = self.runs[shown].run.shown_name();
                Some(match (cost.over_local_s, &local) {
                    (Some(over), Some((local, local_cost))) => format!(
                        "{name}: {over:.2} s per file over local ({}: {:.2} s, {name}: {:.2} s \
                         of slot time outside dp-stats per file)",
                        local.run.shown_name(),
                        local_cost.per_file_s,
                        cost.per_file_s
                    ),
                    _ => format!(
                        "{name}: {:.2} s of slot time outside dp-stats per file \
                         (no local parallel run to compare with)",
                        cost.per_file_s
                    ),
                })
            })
            .collect()
    }
}
