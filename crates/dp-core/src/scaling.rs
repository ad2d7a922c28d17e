//! How the speedup grows with workers: the scaling rules dp-agg's tables
//! and dp-plot's scaling chart both follow, written once
//! (docs/reference.md, "Runs").
//!
//! For runs of one mode at p workers each, with mean total times T_p:
//! speedup S_p = T_1 / T_p, efficiency E_p = S_p / p, and the Karp–Flatt
//! serial fraction e_p = (1/S_p − 1/p) / (1 − 1/p) for p > 1. Amdahl's law
//! S(p) = 1 / (f + (1 − f)/p) is fitted by least squares on its linear form
//! y = f·x, with x = 1 − 1/p and y = 1/S_p − 1/p over the runs with p > 1:
//! f = Σxy / Σx², clamped to [0, 1]. The fit gives the limit 1/f (none
//! when f = 0) and a prediction at twice the largest p.

use crate::run::Total;

/// A run label of a scaling run: `parallel-j4` is mode `parallel` at 4
/// workers, `j4` alone 4 workers of the unnamed mode. `None` for any other
/// label (and for `-j0`).
pub fn parse_label(label: &str) -> Option<(Option<&str>, u64)> {
    let (mode, workers) = match label.rsplit_once("-j") {
        Some((mode, workers)) if !mode.is_empty() => (Some(mode), workers),
        _ => (None, label.strip_prefix('j')?),
    };
    let digits = !workers.is_empty() && workers.bytes().all(|b| b.is_ascii_digit());
    let workers: u64 = digits.then(|| workers.parse().ok()).flatten()?;
    (workers > 0).then_some((mode, workers))
}

/// The label a scaling run of `mode` at `workers` gets (the inverse of
/// [`parse_label`]).
pub fn label(mode: Option<&str>, workers: u64) -> String {
    match mode {
        Some(mode) => format!("{mode}-j{workers}"),
        None => format!("j{workers}"),
    }
}

/// One run of the scaling table.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub run: Option<String>,
    pub workers: u64,
    pub total: Total,
    /// T_1 / T_p.
    pub speedup: f64,
    /// S_p / p.
    pub efficiency: f64,
    /// Karp–Flatt's e_p; `None` at p = 1.
    pub karp_flatt: Option<f64>,
}

/// The scaling of one mode: its runs by workers, and Amdahl's fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Scaling {
    pub points: Vec<Point>,
    /// Amdahl's serial fraction f, fitted, in [0, 1]; `None` without a run
    /// at p > 1.
    pub serial_fraction: Option<f64>,
    /// 1/f, the speedup no number of workers exceeds; `None` when f = 0.
    pub amdahl_limit: Option<f64>,
    /// The speedup the fit predicts at twice the largest p.
    pub predicted: Option<(u64, f64)>,
}

/// The scaling of runs given as (label, workers, total), measured against
/// `baseline`, the one-worker total (T_1). `None` when T_1 is not positive.
pub fn scaling(runs: &[(Option<String>, u64, Total)], baseline: &Total) -> Option<Scaling> {
    if baseline.mean.is_nan() || baseline.mean <= 0.0 {
        return None;
    }
    let mut points: Vec<Point> = runs
        .iter()
        .filter(|(_, workers, total)| *workers > 0 && total.mean > 0.0)
        .map(|(run, workers, total)| {
            let p = *workers as f64;
            let speedup = baseline.mean / total.mean;
            Point {
                run: run.clone(),
                workers: *workers,
                total: *total,
                speedup,
                efficiency: speedup / p,
                karp_flatt: karp_flatt(speedup, *workers),
            }
        })
        .collect();
    points.sort_by_key(|point| point.workers);
    let fitted: Vec<(u64, f64)> = points.iter().map(|p| (p.workers, p.speedup)).collect();
    let serial_fraction = amdahl_fit(&fitted);
    let largest = points.iter().map(|p| p.workers).max();
    Some(Scaling {
        serial_fraction,
        amdahl_limit: serial_fraction.filter(|&f| f > 0.0).map(|f| 1.0 / f),
        predicted: serial_fraction
            .zip(largest)
            .map(|(f, p)| (2 * p, amdahl(f, 2 * p))),
        points,
    })
}

/// Karp–Flatt's experimentally determined serial fraction
/// (1/S − 1/p) / (1 − 1/p); `None` at p = 1, where it is undefined.
pub fn karp_flatt(speedup: f64, workers: u64) -> Option<f64> {
    (workers > 1).then(|| {
        let p = workers as f64;
        (1.0 / speedup - 1.0 / p) / (1.0 - 1.0 / p)
    })
}

/// Amdahl's serial fraction fitted to (workers, speedup) by least squares
/// on y = f·x (module doc), clamped to [0, 1]; `None` without p > 1.
pub fn amdahl_fit(points: &[(u64, f64)]) -> Option<f64> {
    let (mut xy, mut xx) = (0.0, 0.0);
    for &(workers, speedup) in points.iter().filter(|(workers, _)| *workers > 1) {
        let p = workers as f64;
        let x = 1.0 - 1.0 / p;
        let y = 1.0 / speedup - 1.0 / p;
        xy += x * y;
        xx += x * x;
    }
    (xx > 0.0).then(|| (xy / xx).clamp(0.0, 1.0))
}

/// Amdahl's law: the speedup at p workers of work with serial fraction f.
pub fn amdahl(serial_fraction: f64, workers: u64) -> f64 {
    let p = workers as f64;
    1.0 / (serial_fraction + (1.0 - serial_fraction) / p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn once(t: f64) -> Total {
        Total::of(&[t]).unwrap()
    }

    #[test]
    fn labels_name_a_mode_and_its_workers() {
        assert_eq!(parse_label("parallel-j4"), Some((Some("parallel"), 4)));
        assert_eq!(
            parse_label("gnu-parallel-j16"),
            Some((Some("gnu-parallel"), 16))
        );
        assert_eq!(parse_label("j8"), Some((None, 8)));
        for not in ["parallel", "parallel-j", "-j4", "j0", "parallel-jx", "jj4"] {
            assert_eq!(parse_label(not), None, "{not}");
        }
        assert_eq!(label(Some("threads"), 2), "threads-j2");
        assert_eq!(label(None, 2), "j2");
    }

    #[test]
    fn the_table_and_the_fit_match_a_hand_computation() {
        // T_1 = 8; T_2 = 5, T_4 = 3.5: S = 1.6, 16/7.
        let runs = [
            (Some("parallel-j1".to_owned()), 1, once(8.0)),
            (Some("parallel-j2".to_owned()), 2, once(5.0)),
            (Some("parallel-j4".to_owned()), 4, once(3.5)),
        ];
        let table = scaling(&runs, &once(8.0)).unwrap();
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        close(table.points[1].speedup, 1.6);
        close(table.points[1].efficiency, 0.8);
        // e_2 = (1/1.6 − 1/2) / (1/2) = (0.625 − 0.5) · 2 = 0.25
        close(table.points[1].karp_flatt.unwrap(), 0.25);
        // e_4 = (7/16 − 1/4) / (3/4) = (3/16) · (4/3) = 0.25
        close(table.points[2].karp_flatt.unwrap(), 0.25);
        assert_eq!(table.points[0].karp_flatt, None);
        // x = 1/2, 3/4; y = 1/8, 3/16: Σxy = 1/16 + 9/64 = 13/64,
        // Σx² = 1/4 + 9/16 = 13/16, f = 1/4 exactly.
        close(table.serial_fraction.unwrap(), 0.25);
        close(table.amdahl_limit.unwrap(), 4.0);
        let (p, s) = table.predicted.unwrap();
        assert_eq!(p, 8);
        // 1 / (1/4 + (3/4)/8) = 1 / (11/32) = 32/11
        close(s, 32.0 / 11.0);
    }

    #[test]
    fn perfect_scaling_has_no_limit_and_a_fit_stays_in_range() {
        let runs = [
            (None, 1, once(4.0)),
            (None, 2, once(2.0)),
            (None, 4, once(1.0)),
        ];
        let table = scaling(&runs, &once(4.0)).unwrap();
        assert_eq!(table.serial_fraction, Some(0.0));
        assert_eq!(table.amdahl_limit, None);
        assert_eq!(table.predicted, Some((8, 8.0)));
        // Superlinear: f < 0 is clamped to 0; slower with more: f ≤ 1.
        assert_eq!(amdahl_fit(&[(2, 3.0)]), Some(0.0));
        assert_eq!(amdahl_fit(&[(2, 0.5)]), Some(1.0));
        assert_eq!(amdahl_fit(&[(1, 1.0)]), None);
        assert!(scaling(&runs, &once(0.0)).is_none());
    }
}
