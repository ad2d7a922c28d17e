//! Tests of `summarize`, `Moments` and `CompensatedSum` against independent
//! references: exact values from Python's `fractions` and `statistics`
//! (scripts/reference/stats_reference.py, committed under tests/data/stats),
//! a naive sort-and-formula implementation, and exact integer arithmetic.

use dp_core::stats::{CompensatedSum, Moments, Part, Summary, summarize};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal, Normal};
use serde_json::Value;

const U: f64 = f64::EPSILON / 2.0;

// ---------------------------------------------------------------------------
// Python reference fixtures

const REFERENCE: &str = include_str!("data/stats/reference.jsonl");

/// Collects every mismatch of a run, so one failure report shows them all.
#[derive(Default)]
struct Mismatches(Vec<String>);

impl Mismatches {
    /// Checks `got` against `[value, tolerance]` strings from the fixture.
    fn float(&mut self, what: &str, expected: &Value, got: Option<f64>) {
        let (want, tol) = pair(expected);
        match got {
            Some(got) if (got - want).abs() <= tol => {}
            got => self
                .0
                .push(format!("{what}: expected {want:e} ± {tol:e}, got {got:?}")),
        }
    }

    fn exact<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, want: T, got: T) {
        if want != got {
            self.0
                .push(format!("{what}: expected {want:?}, got {got:?}"));
        }
    }

    fn assert_none(self) {
        assert!(
            self.0.is_empty(),
            "{} mismatches:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

fn float(value: &Value) -> f64 {
    value
        .as_str()
        .expect("floats are strings in the fixture")
        .parse()
        .expect("a float")
}

fn pair(value: &Value) -> (f64, f64) {
    (float(&value[0]), float(&value[1]))
}

/// The values a fixture's `generate` spec stands for, computed with the
/// same IEEE-754 operations as the Python script.
fn generate(spec: &Value) -> Vec<f64> {
    let mut r = spec["seed"].as_u64().unwrap();
    let count = spec["count"].as_u64().unwrap();
    (0..count)
        .map(|_| {
            r = r * 48271 % 2_147_483_647;
            let t = r as f64 / 2f64.powi(31);
            match spec["kind"].as_str().unwrap() {
                "offset" => spec["offset"].as_f64().unwrap() + t * spec["spread"].as_f64().unwrap(),
                "power4" => t * t * t * t * spec["scale"].as_f64().unwrap(),
                "ties" => (r % 7) as f64,
                kind => panic!("unknown kind {kind}"),
            }
        })
        .collect()
}

fn strings(value: &Value) -> Vec<f64> {
    value.as_array().unwrap().iter().map(float).collect()
}

struct Case {
    name: String,
    parts: Vec<Vec<f64>>,
    percentiles: Vec<f64>,
    expected: Value,
}

impl Case {
    fn values(&self) -> Vec<f64> {
        self.parts.concat()
    }
}

fn reference_cases() -> Vec<Case> {
    REFERENCE
        .lines()
        .map(|line| {
            let case: Value = serde_json::from_str(line).unwrap();
            let parts = if let Some(spec) = case.get("generate") {
                vec![generate(spec)]
            } else if let Some(parts) = case.get("parts") {
                parts.as_array().unwrap().iter().map(strings).collect()
            } else {
                vec![strings(&case["values"])]
            };
            Case {
                name: case["name"].as_str().unwrap().to_owned(),
                parts,
                percentiles: strings(&case["percentiles"]),
                expected: case["expected"].clone(),
            }
        })
        .collect()
}

/// The committed fixture is what the committed script writes (where
/// python3 is installed: the script needs nothing else).
#[test]
fn the_reference_fixture_is_up_to_date_with_its_script() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("scripts/reference/stats_reference.py");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reference.jsonl");
    let run = std::process::Command::new("python3")
        .arg(&script)
        .arg(&out)
        .output();
    match run {
        Err(err) => eprintln!("python3 not found ({err}): fixture freshness not checked"),
        Ok(run) => {
            assert!(
                run.status.success(),
                "{}",
                String::from_utf8_lossy(&run.stderr)
            );
            let written = std::fs::read_to_string(&out).unwrap();
            assert!(
                written == REFERENCE,
                "tests/data/stats/reference.jsonl differs from what {} writes: run it again",
                script.display()
            );
        }
    }
}

#[test]
fn summarize_matches_the_python_reference() {
    let cases = reference_cases();
    assert!(cases.len() >= 20, "the fixture lost cases: {}", cases.len());
    let mut mismatches = Mismatches::default();
    for case in &cases {
        let name = &case.name;
        let expected = &case.expected;
        let summary = summarize(&mut case.values(), &case.percentiles);
        mismatches.exact(
            &format!("{name}.count"),
            expected["count"].as_u64(),
            Some(summary.count),
        );
        mismatches.float(&format!("{name}.sum"), &expected["sum"], summary.sum);
        let fields: [(&str, Option<f64>); 8] = [
            ("min", summary.min),
            ("max", summary.max),
            ("mean", summary.mean),
            ("median", summary.median),
            ("q1", summary.q1),
            ("q3", summary.q3),
            ("variance", summary.variance),
            ("stddev", summary.stddev),
        ];
        for (field, got) in fields {
            match expected.get(field) {
                Some(want) => mismatches.float(&format!("{name}.{field}"), want, got),
                None => mismatches.exact(&format!("{name}.{field}"), None, got),
            }
        }
        let want_percentiles = expected.get("percentiles").and_then(Value::as_array);
        for (i, (p, got)) in summary.percentiles.iter().enumerate() {
            let want = &want_percentiles.unwrap()[i];
            mismatches.exact(&format!("{name}.percentile[{i}]"), float(&want[0]), *p);
            mismatches.float(
                &format!("{name}.p{p}"),
                &want.as_array().unwrap()[1..].into(),
                Some(*got),
            );
        }
        mismatches.exact(
            &format!("{name}.percentiles.len"),
            case.percentiles.len(),
            summary.percentiles.len(),
        );
        mismatches.exact(
            &format!("{name}.digest"),
            strings(&expected["digest"]),
            summary.digest.q.clone(),
        );
        mismatches.exact(
            &format!("{name}.digest.count"),
            summary.count,
            summary.digest.count,
        );
    }
    mismatches.assert_none();
}

#[test]
fn moments_merged_from_parts_match_the_python_reference() {
    let mut mismatches = Mismatches::default();
    let cases: Vec<Case> = reference_cases()
        .into_iter()
        .filter(|c| c.parts.len() > 1)
        .collect();
    assert!(cases.len() >= 3, "the fixture lost its parts cases");
    for case in &cases {
        let name = &case.name;
        let expected = &case.expected;
        let merged: Moments = case
            .parts
            .iter()
            .map(|part| Moments::from(&summarize(&mut part.clone(), &[])))
            .collect();
        mismatches.exact(
            &format!("{name}.count"),
            expected["count"].as_u64(),
            Some(merged.count),
        );
        mismatches.float(&format!("{name}.sum"), &expected["sum"], merged.sum().ok());
        mismatches.float(&format!("{name}.min"), &expected["min"], merged.min());
        mismatches.float(&format!("{name}.max"), &expected["max"], merged.max());
        mismatches.float(
            &format!("{name}.mean"),
            &expected["mean"],
            merged.mean().unwrap(),
        );
        mismatches.float(
            &format!("{name}.variance"),
            &expected["variance"],
            merged.variance().unwrap(),
        );
        mismatches.float(
            &format!("{name}.stddev"),
            &expected["stddev"],
            merged.stddev().unwrap(),
        );
    }
    mismatches.assert_none();
}

/// The fixture's parts would catch a mean of means or a mean of variances:
/// both are far outside the tolerance the merged values must meet.
#[test]
fn a_mean_of_means_would_fail_the_merge_tests() {
    let case = reference_cases()
        .into_iter()
        .find(|c| c.name == "parts_sizes_and_levels")
        .unwrap();
    let summaries: Vec<Summary> = case
        .parts
        .iter()
        .map(|part| summarize(&mut part.clone(), &[]))
        .collect();
    let with_values: Vec<&Summary> = summaries.iter().filter(|s| s.count > 0).collect();
    let mean_of_means =
        with_values.iter().map(|s| s.mean.unwrap()).sum::<f64>() / with_values.len() as f64;
    let multi: Vec<&Summary> = with_values
        .iter()
        .copied()
        .filter(|s| s.count > 1)
        .collect();
    let mean_of_variances =
        multi.iter().map(|s| s.variance.unwrap()).sum::<f64>() / multi.len() as f64;
    let (mean, mean_tol) = pair(&case.expected["mean"]);
    let (variance, variance_tol) = pair(&case.expected["variance"]);
    assert!((mean_of_means - mean).abs() > 1e6 * mean_tol.max(1e-12 * mean.abs()));
    assert!((mean_of_variances - variance).abs() > 1e6 * variance_tol.max(1e-12 * variance));
}

// ---------------------------------------------------------------------------
// A naive reference: sort, then the formulas of docs/reference.md, "Values and
// statistics".

struct Naive {
    sorted: Vec<f64>,
}

impl Naive {
    fn new(values: &[f64]) -> Self {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Self { sorted }
    }

    fn quantile(&self, percent: f64) -> f64 {
        let h = (self.sorted.len() - 1) as f64 * percent / 100.0;
        let below = h.floor() as usize;
        let t = h - below as f64;
        if t == 0.0 {
            self.sorted[below]
        } else {
            let (a, b) = (self.sorted[below], self.sorted[below + 1]);
            a + t * (b - a)
        }
    }

    fn median(&self) -> f64 {
        let n = self.sorted.len();
        if n % 2 == 1 {
            self.sorted[n / 2]
        } else {
            (self.sorted[n / 2 - 1] + self.sorted[n / 2]) / 2.0
        }
    }

    /// Point j of the digest: rank round(j (n - 1) / 200), halves up.
    fn digest(&self) -> Vec<f64> {
        let n = self.sorted.len() as u128;
        if n <= 201 {
            return self.sorted.clone();
        }
        (0..=200u128)
            .map(|j| self.sorted[((2 * j * (n - 1) + 200) / 400) as usize])
            .collect()
    }
}

/// Data shapes that stress different paths: few or many values, ties,
/// order, tails, outliers, negative zero.
fn random_values(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    let kind = rng.random_range(0..13);
    let normal = Normal::new(rng.random_range(-1e3..1e3), rng.random_range(1e-3..1e3)).unwrap();
    let mut values: Vec<f64> = (0..n)
        .map(|i| match kind {
            0 => rng.random::<f64>(),
            1 => normal.sample(rng),
            2 => rng.random_range(0..5) as f64 - 2.0,
            3 => LogNormal::new(0.0, 3.0).unwrap().sample(rng),
            4 => Exp::new(0.01).unwrap().sample(rng),
            5 => i as f64 * 0.5,
            6 => (n - i) as f64,
            7 if rng.random_bool(0.001) => [1e300, -1e300, 1e-300, 0.0][rng.random_range(0..4)],
            7 => normal.sample(rng),
            8 => [-0.0, 0.0, 1.0][rng.random_range(0..3)],
            // Zero-inflated: a crowded bucket with one common value.
            10 if rng.random_bool(0.7) => 0.0,
            10 => normal.sample(rng).abs(),
            // One value a fifth of the time, among values close to it.
            11 if rng.random_bool(0.2) => 5.0,
            11 => 5.0 + rng.random_range(-1e-3..1e-3),
            // Nearly all values in a sliver of the range: crowded buckets
            // of distinct values.
            12 if rng.random_bool(0.01) => rng.random_range(0.0..1e6),
            12 => rng.random_range(0.0..1e-9),
            _ => normal.sample(rng) * 1e-9 + 1e9,
        })
        .collect();
    if rng.random_bool(0.2) {
        values.sort_by(f64::total_cmp);
    }
    values
}

fn random_percentiles(rng: &mut ChaCha8Rng) -> Vec<f64> {
    (0..rng.random_range(0..6))
        .map(|_| match rng.random_range(0..4) {
            0 => 0.0,
            1 => 100.0,
            2 => rng.random_range(0..=100) as f64,
            _ => rng.random_range(0.0..=100.0),
        })
        .collect()
}

/// Equal as numbers, and NaN never (so -0.0 == 0.0: the order statistics
/// may pick either zero).
fn same(a: f64, b: f64) -> bool {
    a == b
}

fn check_against_naive(values: &[f64], percentiles: &[f64], what: &str) {
    let naive = Naive::new(values);
    let summary = summarize(&mut values.to_vec(), percentiles);
    let n = values.len();
    assert_eq!(summary.count, n as u64, "{what}");
    if n == 0 {
        assert_eq!(summary.median, None, "{what}");
        assert!(summary.digest.q.is_empty(), "{what}");
        return;
    }
    let checks = [
        ("min", naive.sorted[0], summary.min.unwrap()),
        ("max", naive.sorted[n - 1], summary.max.unwrap()),
        ("median", naive.median(), summary.median.unwrap()),
        ("q1", naive.quantile(25.0), summary.q1.unwrap()),
        ("q3", naive.quantile(75.0), summary.q3.unwrap()),
    ];
    for (field, want, got) in checks {
        assert!(
            same(want, got),
            "{what}: {field} expected {want:e}, got {got:e}"
        );
    }
    for (&p, &(got_p, got)) in percentiles.iter().zip(&summary.percentiles) {
        let want = naive.quantile(p);
        assert!(
            p == got_p && same(want, got),
            "{what}: p{p} expected {want:e}, got {got:e}"
        );
    }
    let digest = naive.digest();
    assert_eq!(
        digest.len(),
        summary.digest.q.len(),
        "{what}: digest points"
    );
    for (j, (&want, &got)) in digest.iter().zip(&summary.digest.q).enumerate() {
        assert!(
            same(want, got),
            "{what}: digest point {j} expected {want:e}, got {got:e}"
        );
    }
}

#[test]
fn quantiles_and_digest_points_equal_the_sorted_definition() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for case in 0..400 {
        let n = match case % 10 {
            0..=5 => rng.random_range(0..300),
            6..=8 => rng.random_range(300..5000),
            _ => rng.random_range(0..3),
        };
        let values = random_values(&mut rng, n);
        let percentiles = random_percentiles(&mut rng);
        check_against_naive(&values, &percentiles, &format!("case {case}, n = {n}"));
    }
}

/// Large inputs go through the histogram: every data shape, including the
/// ones it cannot split (ties) and the ones it splits badly (tails).
#[test]
fn quantiles_of_large_inputs_equal_the_sorted_definition() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for case in 0..36 {
        let n = rng.random_range(65_536..250_000);
        let values = random_values(&mut rng, n);
        let percentiles = random_percentiles(&mut rng);
        check_against_naive(
            &values,
            &percentiles,
            &format!("large case {case}, n = {n}"),
        );
    }
}

/// A crowded bucket with its common value and, set aside, close values on
/// both sides of it, where wanted ranks fall.
#[test]
fn quantiles_around_a_crowded_common_value_equal_the_sorted_definition() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let values: Vec<f64> = (0..200_000)
        .map(|_| match rng.random_range(0..100) {
            0..40 => 0.3,
            40..45 => 0.3 - rng.random_range(1e-12..1e-9),
            45..50 => 0.3 + rng.random_range(1e-12..1e-9),
            _ => rng.random_range(-1.0..1.0),
        })
        .collect();
    let percentiles: Vec<f64> = (0..=100).map(f64::from).collect();
    check_against_naive(&values, &percentiles, "crowded common value");
}

/// Wanted ranks exactly at the edges of a crowded bucket's common value:
/// n − 1 = 200,000 puts digest points (and p30, p70) on ranks 60,000 (the
/// first 0.3) and 140,000 (the first value above the 0.3s).
#[test]
fn ranks_at_the_edges_of_a_common_value_are_exact() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut values: Vec<f64> = [(-1.0, 50_000), (0.3, 80_000), (1.0, 50_001)]
        .into_iter()
        .flat_map(|(x, count)| std::iter::repeat_n(x, count))
        .collect();
    values.extend((0..10_000).map(|_| 0.3 - rng.random_range(1e-12..1e-9)));
    values.extend((0..10_000).map(|_| 0.3 + rng.random_range(1e-12..1e-9)));
    let mut shuffled = Vec::with_capacity(values.len());
    while !values.is_empty() {
        shuffled.push(values.swap_remove(rng.random_range(0..values.len())));
    }
    assert_eq!(shuffled.len(), 200_001);
    check_against_naive(&shuffled, &[30.0, 70.0], "edges of a common value");
}

/// A crowded bucket whose values mostly differ from its common one: the
/// histogram gives up and selection runs among all values.
#[test]
fn quantiles_of_a_crowded_sliver_equal_the_sorted_definition() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let values: Vec<f64> = (0..200_000)
        .map(|_| match rng.random_range(0..100) {
            0..30 => 0.0,
            30..95 => 1e-12 * (1.0 + rng.random_range(0.0..1e-4)),
            _ => rng.random_range(0.0..1.0),
        })
        .collect();
    check_against_naive(&values, &[1.0, 50.0, 99.0], "crowded sliver");
}

// ---------------------------------------------------------------------------
// Sums and variances against exact integer arithmetic: values that are
// multiples of 2^-20 below 2^20 in magnitude are exact integers once scaled.

const SCALE: f64 = (1u64 << 20) as f64;

struct Exact {
    n: i128,
    sum: i128,
    sum_of_squares: i128,
    sum_abs: f64,
}

impl Exact {
    fn new(values: &[f64]) -> Self {
        let scaled: Vec<i128> = values.iter().map(|&x| (x * SCALE) as i128).collect();
        for (&x, &s) in values.iter().zip(&scaled) {
            assert_eq!(s as f64, x * SCALE, "{x} is not a multiple of 2^-20");
        }
        Self {
            n: values.len() as i128,
            sum: scaled.iter().sum(),
            sum_of_squares: scaled.iter().map(|&s| s * s).sum(),
            sum_abs: values.iter().map(|x| x.abs()).sum(),
        }
    }

    /// Correctly rounded: the scaled sum is below 2^80, one rounding.
    fn sum(&self) -> f64 {
        self.sum as f64 / SCALE
    }

    /// Within one ulp (two roundings).
    fn mean(&self) -> f64 {
        self.sum as f64 / (self.n as f64 * SCALE)
    }

    /// n Σx² − (Σx)², exact, over n (n − 1): within two ulps.
    fn variance(&self) -> f64 {
        let numerator = self.n * self.sum_of_squares - self.sum * self.sum;
        numerator as f64 / ((self.n * (self.n - 1)) as f64 * SCALE * SCALE)
    }
}

fn ulp(x: f64) -> f64 {
    let x = x.abs();
    f64::from_bits(x.to_bits() + 1) - x
}

/// Multiples of 2^-20 around a level, spread as asked.
fn grid_values(rng: &mut ChaCha8Rng, n: usize, level: f64, spread: f64) -> Vec<f64> {
    (0..n)
        .map(|_| ((level + rng.random_range(-spread..spread)) * SCALE).round() / SCALE)
        .collect()
}

#[test]
fn sum_mean_and_variance_are_accurate_against_exact_arithmetic() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    // (level, spread): centred, far from zero with a tiny spread (where a
    // one-pass or naive two-pass variance loses most digits), cancelling.
    let shapes = [
        (0.0, 1000.0),
        (524_000.0, 0.01),
        (1000.0, 1.0),
        (0.0, 0.001),
    ];
    for case in 0..60 {
        let (level, spread) = shapes[case % shapes.len()];
        let n = rng.random_range(2..if case % 5 == 0 { 200_000 } else { 3000 });
        let values = grid_values(&mut rng, n, level, spread);
        let exact = Exact::new(&values);
        let summary = summarize(&mut values.clone(), &[]);
        let what = format!("case {case}: n = {n}, level {level}, spread {spread}");
        let sum_tol = ulp(exact.sum()) + 2.0 * n as f64 * U * U * exact.sum_abs;
        let checks = [
            ("sum", exact.sum(), summary.sum.unwrap(), sum_tol),
            (
                "mean",
                exact.mean(),
                summary.mean.unwrap(),
                2.0 * ulp(exact.mean()) + sum_tol / n as f64,
            ),
            (
                "variance",
                exact.variance(),
                summary.variance.unwrap(),
                10.0 * ulp(exact.variance()),
            ),
        ];
        for (field, want, got, tol) in checks {
            assert!(
                (want - got).abs() <= tol,
                "{what}: {field} expected {want:e} ± {tol:e}, got {got:e} (off by {:.1} ulp)",
                (want - got).abs() / ulp(want)
            );
        }
    }
}

#[test]
fn moments_merged_over_random_splits_equal_the_concatenation() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for case in 0..40 {
        // Parts of very different sizes and levels, some empty.
        let parts: Vec<Vec<f64>> = (0..rng.random_range(1..12))
            .map(|_| {
                let n = [0, 1, 2, rng.random_range(3..50), rng.random_range(50..5000)]
                    [rng.random_range(0..5)];
                let level = [0.0, -1e3, 1e5, 524_000.0][rng.random_range(0..4)];
                let spread = rng.random_range(0.001..100.0);
                grid_values(&mut rng, n, level, spread)
            })
            .collect();
        let all = parts.concat();
        if all.len() < 2 {
            continue;
        }
        let exact = Exact::new(&all);
        let merged: Moments = parts
            .iter()
            .map(|part| {
                let s = summarize(&mut part.clone(), &[]);
                Moments::from(&s)
            })
            .collect();
        let whole = summarize(&mut all.clone(), &[]);
        let what = format!(
            "case {case}: parts of {:?} values",
            parts.iter().map(Vec::len).collect::<Vec<_>>()
        );
        assert_eq!(merged.count, all.len() as u64, "{what}");
        assert_eq!(
            (merged.min(), merged.max()),
            (whole.min, whole.max),
            "{what}"
        );
        // What the rounded means of the parts allow (see the Python script).
        let means: Vec<f64> = parts
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| Exact::new(p).mean())
            .collect();
        let spread = means.iter().copied().fold(f64::MIN, f64::max)
            - means.iter().copied().fold(f64::MAX, f64::min);
        let e = 4.0 * U * means.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let n = all.len() as f64;
        let sum_tol = 2.0 * ulp(exact.sum()) + 4.0 * n * U * U * exact.sum_abs;
        let variance_tol =
            10.0 * ulp(exact.variance()) + n * (2.0 * spread * e + e * e) / (n - 1.0);
        let checks = [
            ("sum", exact.sum(), merged.sum().unwrap(), sum_tol),
            (
                "mean",
                exact.mean(),
                merged.mean().unwrap().unwrap(),
                2.0 * ulp(exact.mean()) + sum_tol / n,
            ),
            (
                "variance",
                exact.variance(),
                merged.variance().unwrap().unwrap(),
                variance_tol,
            ),
        ];
        for (field, want, got, tol) in checks {
            assert!(
                (want - got).abs() <= tol,
                "{what}: {field} expected {want:e} ± {tol:e}, got {got:e}"
            );
        }
    }
}

#[test]
fn moments_of_nothing_merge_as_identity() {
    let mut moments = Moments::of_part(&Part {
        count: 3,
        sum: Some(6.0),
        min: Some(1.0),
        max: Some(3.0),
        mean: Some(2.0),
        variance: Some(1.0),
        stddev: Some(1.0),
    });
    let before = moments;
    moments.merge(&Moments::default());
    moments.merge(&Moments::of_part(&Part {
        sum: Some(0.0),
        ..Part::default()
    }));
    assert_eq!(moments, before);
    let mut empty = Moments::default();
    assert_eq!(
        (empty.mean(), empty.variance(), empty.min(), empty.sum()),
        (Ok(None), Ok(None), None, Ok(0.0))
    );
    empty.merge(&before);
    assert_eq!(empty, before);
    let single = Moments::of_part(&Part {
        count: 1,
        sum: Some(5.0),
        min: Some(5.0),
        max: Some(5.0),
        mean: Some(5.0),
        variance: None,
        stddev: None,
    });
    assert_eq!(
        (single.mean(), single.variance(), single.stddev()),
        (Ok(Some(5.0)), Ok(None), Ok(None))
    );
}

// ---------------------------------------------------------------------------
// CompensatedSum and edge cases

#[test]
fn compensated_sum_keeps_what_naive_summation_loses() {
    let sum: CompensatedSum = [1e16, 1.0, -1e16].into_iter().collect();
    assert_eq!(sum.value(), 1.0);
    assert_eq!(
        [1e16, 1.0, -1e16].iter().sum::<f64>(),
        0.0,
        "naive summation loses the 1"
    );
    // A hundred thousand tenths: naive summation drifts, this does not.
    let tenths: CompensatedSum = std::iter::repeat_n(0.1, 100_000).collect();
    assert_eq!(tenths.value(), 10_000.0);
    let mut parts = CompensatedSum::new();
    parts.add_sum(&[1e16, 1.0].into_iter().collect());
    parts.add_sum(&[-1e16, 0.5].into_iter().collect());
    assert_eq!(parts.value(), 1.5);
    let overflow: CompensatedSum = [f64::MAX, f64::MAX].into_iter().collect();
    assert_eq!(overflow.value(), f64::INFINITY);
}

#[test]
fn summary_of_no_values_is_null_with_sum_zero() {
    let summary = summarize(&mut [], &[50.0]);
    assert_eq!((summary.count, summary.sum), (0, Some(0.0)));
    assert_eq!(
        (summary.min, summary.mean, summary.median, summary.variance),
        (None, None, None, None)
    );
    assert!(summary.percentiles.is_empty());
    assert_eq!(summary.digest.count, 0);
}

#[test]
fn extreme_values_do_not_overflow_the_median_or_quantiles() {
    let summary = summarize(
        &mut [f64::MAX, f64::MAX * 0.75, -f64::MAX, f64::MAX],
        &[50.0, 10.0],
    );
    let median = summary.median.unwrap();
    assert!(
        (median / (f64::MAX * 0.875) - 1.0).abs() < 1e-15,
        "median {median:e}"
    );
    let q = summary.percentiles[1].1;
    assert!(q.is_finite() && q < 0.0, "p10 of values spanning ±MAX: {q}");
}

#[test]
#[should_panic(expected = "not in 0..=100")]
fn percentiles_beyond_100_are_refused() {
    summarize(&mut [1.0, 2.0], &[100.5]);
}

// ---------------------------------------------------------------------------
// Values near the ends of f64's range

/// One case: the values and what Python's `fractions` (exact rationals,
/// rounded once to a float; the square root by `decimal` at 80 digits)
/// gives for them. `None`: beyond f64's range.
struct Huge {
    values: &'static [f64],
    sum: Option<f64>,
    mean: f64,
    median: f64,
    q1: f64,
    q3: f64,
    variance: Option<f64>,
    stddev: Option<f64>,
}

/// The expected values were computed with
/// ```python
/// from fractions import Fraction as F; from decimal import Decimal, getcontext
/// getcontext().prec = 80
/// fx = [F(x) for x in xs]; n = len(fx); mean = sum(fx) / n
/// var = sum((x - mean) ** 2 for x in fx) / (n - 1)
/// sd = (Decimal(var.numerator) / Decimal(var.denominator)).sqrt()
/// # float(q) for each, OverflowError (or inf) giving None; quantiles as
/// # y[lo] + t (y[lo + 1] - y[lo]) in fractions, h = (n - 1) p / 100
/// ```
/// (statistics.median and statistics.quantiles themselves give inf and nan
/// for some of these: they add before halving.)
const HUGE: &[Huge] = &[
    Huge {
        values: &[1e200, -1e200],
        sum: Some(0.0),
        mean: 0.0,
        median: 0.0,
        q1: -5e199,
        q3: 5e199,
        variance: None, // 2e400
        stddev: Some(1.414213562373095e200),
    },
    Huge {
        values: &[1e153, -1e153],
        sum: Some(0.0),
        mean: 0.0,
        median: 0.0,
        q1: -5e152,
        q3: 5e152,
        variance: Some(2e306),
        stddev: Some(1.414213562373095e153),
    },
    Huge {
        values: &[1e154, -1e154],
        sum: Some(0.0),
        mean: 0.0,
        median: 0.0,
        q1: -5e153,
        q3: 5e153,
        variance: None, // 2e308
        stddev: Some(1.414213562373095e154),
    },
    Huge {
        values: &[1e308, 1e308],
        sum: None, // 2e308
        mean: 1e308,
        median: 1e308,
        q1: 1e308,
        q3: 1e308,
        variance: Some(0.0),
        stddev: Some(0.0),
    },
    Huge {
        // The running sum overflows, the sum does not.
        values: &[1e308, 1e308, -1e308, -1e308, 1.0],
        sum: Some(1.0),
        mean: 0.2,
        median: 1.0,
        q1: -1e308,
        q3: 1e308,
        variance: None,
        stddev: Some(1e308),
    },
    Huge {
        values: &[-1e308, 1e308],
        sum: Some(0.0),
        mean: 0.0,
        median: 0.0,
        q1: -5e307,
        q3: 5e307,
        variance: None,
        stddev: Some(1.4142135623730951e308),
    },
    Huge {
        values: &[f64::MAX, -f64::MAX],
        sum: Some(0.0),
        mean: 0.0,
        median: 0.0,
        q1: -8.988465674311579e307,
        q3: 8.988465674311579e307,
        variance: None,
        stddev: None, // √2 · f64::MAX
    },
    Huge {
        values: &[f64::MAX, f64::MAX, f64::MAX],
        sum: None,
        mean: f64::MAX,
        median: f64::MAX,
        q1: f64::MAX,
        q3: f64::MAX,
        variance: Some(0.0),
        stddev: Some(0.0),
    },
    Huge {
        values: &[1e300, -1e300, 3.0],
        sum: Some(3.0),
        mean: 1.0,
        median: 3.0,
        q1: -5e299,
        q3: 5e299,
        variance: None,
        stddev: Some(1e300),
    },
    Huge {
        values: &[1.5e308, 1.7e308, 1.6e308, 1.75e308],
        sum: None,
        mean: 1.6375e308,
        median: 1.6499999999999999e308,
        q1: 1.575e308,
        q3: 1.7124999999999999e308,
        variance: None,
        stddev: Some(1.1086778913041725e307),
    },
    Huge {
        // Not huge, but the mean's own rounding: 0.30000000000000004 / 3
        // rounds to 0.10000000000000002, above the max.
        values: &[0.1, 0.1, 0.1],
        sum: Some(0.30000000000000004),
        mean: 0.1,
        median: 0.1,
        q1: 0.1,
        q3: 0.1,
        variance: Some(0.0),
        stddev: Some(0.0),
    },
];

#[test]
fn statistics_beyond_f64s_range_are_none_with_a_note_and_the_others_exact() {
    let mut mismatches = Mismatches::default();
    for case in HUGE {
        let summary = summarize(&mut case.values.to_vec(), &[]);
        let what = format!("{:?}", case.values);
        mismatches.exact(&format!("{what}.sum"), case.sum, summary.sum);
        mismatches.exact(&format!("{what}.mean"), Some(case.mean), summary.mean);
        mismatches.exact(&format!("{what}.median"), Some(case.median), summary.median);
        mismatches.exact(&format!("{what}.variance"), case.variance, summary.variance);
        // Two roundings (the variance, its root): within an ulp.
        let stddev_ok = match (case.stddev, summary.stddev) {
            (Some(want), Some(got)) => (want - got).abs() <= ulp(want),
            (want, got) => want == got,
        };
        if !stddev_ok {
            mismatches.exact(&format!("{what}.stddev"), case.stddev, summary.stddev);
        }
        for (name, want, got) in [("q1", case.q1, summary.q1), ("q3", case.q3, summary.q3)] {
            // A few roundings of the interpolation.
            let tol = 8.0 * U * want.abs();
            match got {
                Some(got) if (got - want).abs() <= tol => {}
                got => mismatches.exact(&format!("{what}.{name}"), Some(want), got),
            }
        }
        let mut notes = Vec::new();
        for (statistic, expected) in [
            ("sum", case.sum),
            ("variance", case.variance),
            ("stddev", case.stddev),
        ] {
            if expected.is_none() {
                notes.push(format!("{statistic}: exceeds f64's range"));
            }
        }
        mismatches.exact(&format!("{what}.notes"), notes, summary.notes);
    }
    mismatches.assert_none();
}

/// Scaling by a power of two is exact, and so is every statistic's answer
/// to it: the values times 2^k give the statistics of the values times 2^k
/// exactly, or none with a note where that is beyond f64's range, whether
/// their squares (2^520 and up, on the overflow path) or their sums
/// (2^1010) overflow or not.
#[test]
fn values_scaled_by_a_power_of_two_give_their_statistics_scaled_exactly() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut representable_on_the_overflow_path = 0;
    // In two steps: 2^k itself overflows for k ≥ 1024.
    let up = |x: f64, k: i32| x * 2f64.powi(k / 2) * 2f64.powi(k - k / 2);
    for case in 0..200 {
        let n = rng.random_range(1..if case % 10 == 0 { 20_000 } else { 300 });
        let values: Vec<f64> = match case % 3 {
            0 => (0..n).map(|_| rng.random_range(0.0..1e4)).collect(),
            1 => (0..n).map(|_| rng.random_range(-1e4..1e4)).collect(),
            _ => (0..n)
                .map(|_| 5e3 + rng.random_range(-1.0..1.0) * 1e-4)
                .collect(),
        };
        let plain = summarize(&mut values.clone(), &[10.0, 90.0]);
        // 2^520: the squares overflow, the tight values' variance does not.
        for k in [10, 400, 520, 700, 1010] {
            let mut scaled: Vec<f64> = values.iter().map(|&x| up(x, k)).collect();
            let summary = summarize(&mut scaled, &[10.0, 90.0]);
            let what = format!("case {case}: {n} values × 2^{k}");
            let expect = |statistic: Option<f64>, degree: i32| {
                statistic
                    .map(|x| up(x, k * degree))
                    .filter(|x| x.is_finite())
            };
            assert_eq!(summary.sum, expect(plain.sum, 1), "{what}: sum");
            assert_eq!(summary.mean, expect(plain.mean, 1), "{what}: mean");
            assert_eq!(summary.median, expect(plain.median, 1), "{what}: median");
            assert_eq!(summary.q3, expect(plain.q3, 1), "{what}: q3");
            let variance = expect(plain.variance, 2);
            assert_eq!(summary.variance, variance, "{what}: variance");
            if k >= 520 && variance.is_some_and(|v| v > 0.0) {
                representable_on_the_overflow_path += 1;
            }
            assert_eq!(summary.stddev, expect(plain.stddev, 1), "{what}: stddev");
            assert_eq!(
                summary.variance.is_none() && n >= 2,
                summary
                    .notes
                    .contains(&"variance: exceeds f64's range".to_owned()),
                "{what}: {:?}",
                summary.notes
            );
            assert_eq!(
                summary.sum.is_none(),
                summary
                    .notes
                    .contains(&"sum: exceeds f64's range".to_owned()),
                "{what}: {:?}",
                summary.notes
            );
            for (got, want) in summary.percentiles.iter().zip(&plain.percentiles) {
                assert_eq!(got.1, up(want.1, k), "{what}: p{}", want.0);
            }
        }
    }
    assert!(representable_on_the_overflow_path > 10);
}
