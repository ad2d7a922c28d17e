//! The scaling table: how a mode's total time falls as its workers grow
//! (SPEC §6, docs/reference.md "Runs"), by [`dp_core::scaling`]'s rules.
//!
//! Which runs: those labelled `<mode>-j<p>` when two or more share a mode
//! (p from the label), or with `--scaling` every run (p from its records'
//! `workers`). T_1 is that mode's one-worker run, else the run named
//! `sequential`; without either there is no table, and the report says why.

use dp_core::run::{PREFERRED_BASELINE, Total};
use dp_core::scaling::{Scaling, parse_label, scaling};

use crate::group::{Run, shown_name};
use crate::timing::Timing;

/// The scaling of one mode, or why it cannot be had.
#[derive(Debug, Clone, PartialEq)]
pub enum ScalingReport {
    Table {
        /// The mode (`parallel` of `parallel-j4`); `None` for `j4` alone
        /// or with `--scaling`.
        mode: Option<String>,
        scaling: Scaling,
    },
    /// Why there is no table (the report and stderr say it; exit 1).
    Refused(String),
}

/// A mode and its runs, as (index into the runs, workers).
type Group = (Option<String>, Vec<(usize, u64)>);

/// The scaling tables of `runs`: one per mode with two `-j` runs or more,
/// or with `all` one over every run.
pub fn tables(runs: &[Run], timings: &[Timing], all: bool) -> Vec<ScalingReport> {
    let mut groups: Vec<Group> = Vec::new();
    if all {
        let mut members = Vec::new();
        for (at, timing) in timings.iter().enumerate() {
            let workers = timing.workers.or_else(|| {
                runs[at]
                    .label
                    .as_deref()
                    .and_then(parse_label)
                    .map(|(_, p)| p)
            });
            match workers {
                Some(p) => members.push((at, p)),
                None => {
                    return vec![ScalingReport::Refused(format!(
                        "cannot scale: run {} does not say its workers (records' `workers`, or a `-j<p>` label)",
                        runs[at].shown_name()
                    ))];
                }
            }
        }
        groups.push((None, members));
    } else {
        for (at, run) in runs.iter().enumerate() {
            let Some((mode, p)) = run.label.as_deref().and_then(parse_label) else {
                continue;
            };
            let mode = mode.map(str::to_owned);
            match groups.iter_mut().find(|(m, _)| *m == mode) {
                Some((_, members)) => members.push((at, p)),
                None => groups.push((mode, vec![(at, p)])),
            }
        }
        groups.retain(|(_, members)| members.len() >= 2);
    }
    groups
        .into_iter()
        .map(|(mode, members)| table(runs, timings, mode, &members))
        .collect()
}

/// The table of one mode's runs `members` (index, workers).
fn table(
    runs: &[Run],
    timings: &[Timing],
    mode: Option<String>,
    members: &[(usize, u64)],
) -> ScalingReport {
    let sequential = runs
        .iter()
        .position(|run| run.label.as_deref() == Some(PREFERRED_BASELINE));
    let one_worker = members.iter().find(|&&(_, p)| p == 1).map(|&(at, _)| at);
    let mode_name = match &mode {
        Some(mode) => format!("mode {}", dp_core::names::shown(mode)),
        None => "these runs".to_owned(),
    };
    let Some(base) = one_worker.or(sequential) else {
        return ScalingReport::Refused(format!(
            "cannot scale {mode_name}: no one-worker run and no run named `{PREFERRED_BASELINE}` gives T_1"
        ));
    };
    let Some(base_total) = timings[base].total else {
        return ScalingReport::Refused(format!(
            "cannot scale {mode_name}: run {} (T_1) has no total time",
            shown_name(runs[base].label.as_deref())
        ));
    };
    let mut points: Vec<(usize, u64)> = members.to_vec();
    if one_worker.is_none() {
        points.insert(0, (base, 1));
    }
    let measured: Vec<(Option<String>, u64, Total)> = points
        .iter()
        .filter_map(|&(at, p)| timings[at].total.map(|t| (runs[at].label.clone(), p, t)))
        .collect();
    match scaling(&measured, &base_total) {
        Some(scaling) => ScalingReport::Table { mode, scaling },
        None => ScalingReport::Refused(format!(
            "cannot scale {mode_name}: T_1 (run {}) is zero",
            shown_name(runs[base].label.as_deref())
        )),
    }
}
