//! Tests of the digest against the data it summarises: estimates checked
//! against exact quantiles of the concatenated values (sorted here), for
//! exact digests, merged, thinned and resampled ones, on skewed data and
//! files with disjoint ranges; validation of bad shapes; the record size.

use dp_core::digest::{Digest, Estimate, KIND, POINTS, VERSION, point_rank, shape_rank_err};
use dp_core::stats::summarize;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal, Normal};

fn digest_of(values: &[f64]) -> Digest {
    summarize(&mut values.to_vec(), &[]).digest
}

/// The concatenated values, sorted: the exact answers.
struct Truth {
    sorted: Vec<f64>,
}

impl Truth {
    fn new(files: &[Vec<f64>]) -> Self {
        let mut sorted = files.concat();
        sorted.sort_by(f64::total_cmp);
        Self { sorted }
    }

    fn n(&self) -> usize {
        self.sorted.len()
    }

    /// The inclusive quantile at fractional rank h, clamped to 0..=n-1.
    fn at_rank(&self, h: f64) -> f64 {
        let h = h.clamp(0.0, (self.n() - 1) as f64);
        let below = h.floor() as usize;
        let t = h - below as f64;
        if t == 0.0 {
            self.sorted[below]
        } else {
            let (a, b) = (self.sorted[below], self.sorted[below + 1]);
            a + t * (b - a)
        }
    }

    fn quantile(&self, p: f64) -> f64 {
        self.at_rank((self.n() - 1) as f64 * p)
    }

    /// How far, in ranks, `value` is from rank h: 0 if it lies between the
    /// values of the ranks around h, else the distance to the nearest rank
    /// holding it.
    fn rank_distance(&self, value: f64, h: f64) -> f64 {
        let below = self.sorted.partition_point(|&x| x < value) as f64;
        let through = self.sorted.partition_point(|&x| x <= value) as f64;
        // Ranks holding `value` (or between which it falls): [below - 1, through].
        if h < below - 1.0 {
            below - 1.0 - h
        } else if h > through {
            h - through
        } else {
            0.0
        }
    }

    /// Checks an estimate of quantile p against its own bound and against a
    /// bound given as a fraction of n; returns the rank distance seen.
    fn check(&self, estimate: Estimate, p: f64, fraction: f64, what: &str) -> f64 {
        let n = self.n() as f64;
        let h = (n - 1.0) * p;
        let bound = (estimate.rank_err * n).round();
        let value = estimate.value;
        let (low, high) = (self.at_rank(h - bound), self.at_rank(h + bound));
        assert!(
            low <= value && value <= high,
            "{what}, p = {p}: {value} is outside [{low}, {high}], the values of ranks {h} ± {bound} (stated bound)"
        );
        let slack = fraction * n;
        let (low, high) = (self.at_rank(h - slack), self.at_rank(h + slack));
        assert!(
            low <= value && value <= high,
            "{what}, p = {p}: {value} is outside [{low}, {high}], the values of ranks {h} ± {slack} ({}%)",
            fraction * 100.0
        );
        self.rank_distance(value, h)
    }
}

const PS: [f64; 9] = [0.5, 0.25, 0.75, 0.01, 0.99, 0.0, 1.0, 0.1, 0.9];

fn refs(digests: &[Digest]) -> Vec<&Digest> {
    digests.iter().collect()
}

/// A hundred files of various sizes and shapes, as `(label, files)`.
fn scenarios(rng: &mut ChaCha8Rng) -> Vec<(&'static str, Vec<Vec<f64>>)> {
    let size = |rng: &mut ChaCha8Rng| match rng.random_range(0..4) {
        0 => rng.random_range(1..200),
        1 => rng.random_range(200..2000),
        _ => rng.random_range(2000..20_000),
    };
    let files = |rng: &mut ChaCha8Rng, make: &dyn Fn(&mut ChaCha8Rng, usize) -> f64| {
        (0..100)
            .map(|i| {
                let n = size(rng);
                (0..n).map(|_| make(rng, i)).collect::<Vec<f64>>()
            })
            .collect::<Vec<_>>()
    };
    let exponential = Exp::new(0.5).unwrap();
    let lognormal = LogNormal::new(1.0, 2.0).unwrap();
    vec![
        ("exponential", files(rng, &|rng, _| exponential.sample(rng))),
        ("lognormal", files(rng, &|rng, _| lognormal.sample(rng))),
        (
            "disjoint ranges",
            files(rng, &|rng, i| 1000.0 * i as f64 + rng.random::<f64>()),
        ),
        (
            "levels and spreads",
            files(rng, &|rng, i| {
                Normal::new(i as f64 * 10.0, 1.0 + i as f64)
                    .unwrap()
                    .sample(rng)
            }),
        ),
        (
            "ties",
            files(rng, &|rng, i| {
                ((i % 7) as f64 + rng.random_range(0..3) as f64).round()
            }),
        ),
        (
            "sizes from 1 to 100k",
            (0..100)
                .map(|i: usize| {
                    let n = [1, 2, 10, 250, 100_000][i % 5];
                    (0..n).map(|_| exponential.sample(rng) - 1.0).collect()
                })
                .collect(),
        ),
    ]
}

#[test]
fn point_ranks_are_rounded_evenly_spaced_ranks() {
    for count in [2u64, 3, 201, 202, 1000, 12_345, 10_000_000, u64::MAX / 3] {
        for points in [2usize, 3, 11, 101, 201] {
            if points as u64 > count {
                continue;
            }
            let ranks: Vec<u64> = (0..points).map(|j| point_rank(count, points, j)).collect();
            assert_eq!((ranks[0], ranks[points - 1]), (0, count - 1));
            let intervals = (points - 1) as u64;
            let (narrow, wide) = ((count - 1) / intervals, (count - 1).div_ceil(intervals));
            let mut widest = 0;
            for (j, pair) in ranks.windows(2).enumerate() {
                let gap = pair[1] - pair[0];
                assert!(
                    gap == narrow || gap == wide,
                    "count {count}, {points} points: gap {gap} at {j}, not {narrow} or {wide}"
                );
                widest = widest.max(gap);
            }
            for (j, &rank) in ranks.iter().enumerate() {
                // round(j s), halves up, in exact integers.
                let exact = (2 * j as u128 * (count - 1) as u128 + (points - 1) as u128)
                    / (2 * (points - 1) as u128);
                assert_eq!(rank as u128, exact, "count {count}, {points} points, j {j}");
            }
            let exact_digest = points as u64 == count;
            let want = if exact_digest { 0 } else { widest - 1 };
            assert_eq!(
                shape_rank_err(count, points),
                want,
                "count {count}, {points} points"
            );
        }
    }
}

#[test]
fn summarize_builds_exact_digests_up_to_201_values() {
    for n in [0usize, 1, 2, 200, 201, 202, 5000] {
        let values: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1013) as f64).collect();
        let digest = digest_of(&values);
        assert_eq!((digest.kind.as_str(), digest.version), (KIND, VERSION));
        assert_eq!(digest.count, n as u64);
        assert_eq!(digest.q.len(), n.min(POINTS));
        assert_eq!(digest.is_exact(), n <= POINTS);
        assert_eq!(
            digest.rank_err,
            if n <= POINTS {
                0
            } else {
                shape_rank_err(n as u64, POINTS)
            }
        );
        digest.validate().unwrap();
    }
}

#[test]
fn exact_digests_give_the_exact_quantiles_of_the_concatenation() {
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    for case in 0..200 {
        let files: Vec<Vec<f64>> = (0..rng.random_range(1..30))
            .map(|_| {
                let n = rng.random_range(0..=POINTS);
                (0..n)
                    .map(|_| (rng.random_range(-50.0..50.0f64) * 8.0).round() / 8.0)
                    .collect()
            })
            .collect();
        let truth = Truth::new(&files);
        let digests: Vec<Digest> = files.iter().map(|f| digest_of(f)).collect();
        let mut ps = PS.to_vec();
        ps.extend((0..5).map(|_| rng.random::<f64>()));
        for p in ps {
            let estimate = Digest::quantile(&refs(&digests), p);
            if truth.n() == 0 {
                assert_eq!(estimate, None);
                continue;
            }
            let estimate = estimate.unwrap();
            let want = truth.quantile(p);
            assert!(
                estimate.value == want && estimate.rank_err == 0.0,
                "case {case}, p = {p}: expected {want} exactly, got {estimate:?}"
            );
        }
    }
}

#[test]
fn merged_quantiles_of_100_files_are_within_their_bound_and_half_a_percent() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for (label, files) in scenarios(&mut rng) {
        let truth = Truth::new(&files);
        let digests: Vec<Digest> = files.iter().map(|f| digest_of(f)).collect();
        let mut worst: f64 = 0.0;
        for p in PS {
            let estimate = Digest::quantile(&refs(&digests), p).unwrap();
            assert!(
                estimate.rank_err <= 0.005,
                "{label}: stated bound {}",
                estimate.rank_err
            );
            worst = worst.max(truth.check(estimate, p, 0.005, label));
        }
        // Seen with --nocapture: how far inside the bound the estimates are.
        eprintln!("{label}: {} values, worst rank distance {worst}", truth.n());
    }
}

#[test]
fn a_single_digest_reads_as_linear_interpolation_between_its_points() {
    // n - 1 = 2^14, so every rank/(n - 1) is exact and reads back as that rank.
    const N: u64 = (1 << 14) + 1;
    let values: Vec<f64> = (0..N).map(|i| (i as f64).powi(2)).collect();
    let digest = digest_of(&values);
    assert_eq!(digest.q.len(), POINTS);
    let n = values.len() as f64;
    for j in 0..POINTS - 1 {
        let (r0, r1) = (point_rank(N, POINTS, j), point_rank(N, POINTS, j + 1));
        let at_point = Digest::quantile(&[&digest], r0 as f64 / (n - 1.0)).unwrap();
        assert_eq!(at_point.value, digest.q[j], "at point {j}");
        // A rank between two points: i/g of the way from one to the next.
        let i = (r1 - r0) / 3;
        let rank = r0 + i;
        let within = Digest::quantile(&[&digest], rank as f64 / (n - 1.0)).unwrap();
        let (a, b) = (digest.q[j], digest.q[j + 1]);
        let want = a + (i as f64 / (r1 - r0) as f64) * (b - a);
        assert!(
            (within.value - want).abs() <= 1e-9 * want.abs().max(1.0),
            "between points {j} and {}: expected {want}, got {}",
            j + 1,
            within.value
        );
    }
}

#[test]
fn thinned_digests_keep_their_shape_and_honour_their_bound() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let normal = Normal::new(5.0, 2.0).unwrap();
    for n in [60usize, 150, 201, 202, 5_000, 100_000] {
        let values: Vec<f64> = (0..n).map(|_| normal.sample(&mut rng)).collect();
        let truth = Truth::new(std::slice::from_ref(&values));
        let mut digest = digest_of(&values);
        let mut steps = 0;
        while let Some(thinner) = digest.thinned() {
            steps += 1;
            let what = format!(
                "n = {n}, thinned {steps} times to {} points",
                thinner.q.len()
            );
            thinner.validate().unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(thinner.count, digest.count, "{what}");
            assert!(
                thinner.q.len() <= digest.q.len() / 2 + 1,
                "{what}: not about half"
            );
            assert!(thinner.q.len() >= 11, "{what}: too thin");
            assert!(
                thinner.rank_err >= digest.rank_err,
                "{what}: the bound shrank"
            );
            assert!(!thinner.is_exact(), "{what}");
            assert_eq!(
                (thinner.q[0], thinner.q[thinner.q.len() - 1]),
                (truth.sorted[0], truth.sorted[n - 1]),
                "{what}: min and max must stay"
            );
            for p in PS {
                let estimate = Digest::quantile(&[&thinner], p).unwrap();
                truth.check(estimate, p, 1.0, &what);
            }
            digest = thinner;
        }
        assert!(
            steps >= 1,
            "n = {n}: a digest of {} points did not thin",
            digest.q.len()
        );
        assert!(
            digest.q.len() < 41,
            "n = {n}: stopped thinning at {} points",
            digest.q.len()
        );
    }
}

#[test]
fn thinned_digests_merge_within_their_bound() {
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let (label, files) = scenarios(&mut rng).swap_remove(1);
    let truth = Truth::new(&files);
    let thinned: Vec<Digest> = files
        .iter()
        .map(|f| {
            let digest = digest_of(f);
            digest.thinned().and_then(|d| d.thinned()).unwrap_or(digest)
        })
        .collect();
    for p in PS {
        let estimate = Digest::quantile(&refs(&thinned), p).unwrap();
        // Twice thinned: 51 points, about 2% of each file, more for small ones.
        assert!(
            estimate.rank_err < 0.05,
            "{label}: stated bound {}",
            estimate.rank_err
        );
        truth.check(estimate, p, 0.05, label);
    }
}

#[test]
fn merged_digests_are_valid_and_honour_their_bound() {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    for (label, files) in scenarios(&mut rng) {
        let truth = Truth::new(&files);
        let digests: Vec<Digest> = files.iter().map(|f| digest_of(f)).collect();
        let merged = Digest::merge(&refs(&digests), POINTS);
        merged.validate().unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(merged.count, truth.n() as u64, "{label}");
        assert_eq!(merged.q.len(), POINTS, "{label}");
        assert_eq!(merged.q[0], truth.sorted[0], "{label}: min");
        assert_eq!(
            merged.q[POINTS - 1],
            truth.sorted[truth.n() - 1],
            "{label}: max"
        );
        for p in PS {
            let estimate = Digest::quantile(&[&merged], p).unwrap();
            truth.check(estimate, p, 0.011, label);
        }
        // Merging the merged digest again with a few more files stays valid.
        let again = Digest::merge(&[&merged, &digests[0], &digests[1]], 101);
        again
            .validate()
            .unwrap_or_else(|e| panic!("{label}, merged twice: {e}"));
        assert_eq!(
            again.count,
            merged.count + digests[0].count + digests[1].count
        );
    }
}

#[test]
fn exact_digests_merge_into_an_exact_digest_while_they_fit() {
    let files = [vec![3.0, 1.0, 2.0], vec![], vec![10.0, -4.0], vec![2.0]];
    let digests: Vec<Digest> = files.iter().map(|f| digest_of(f)).collect();
    let merged = Digest::merge(&refs(&digests), POINTS);
    assert_eq!(merged.q, vec![-4.0, 1.0, 2.0, 2.0, 3.0, 10.0]);
    assert!(merged.is_exact() && merged.rank_err == 0);
    let coarser = Digest::merge(&refs(&digests), 3);
    assert_eq!(
        coarser.q,
        vec![-4.0, 2.0, 10.0],
        "ranks 0, 2.5 → 3 (halves up), 5"
    );
    assert_eq!(coarser.rank_err, shape_rank_err(6, 3));
    assert_eq!(Digest::merge(&[], POINTS), digest_of(&[]));
}

#[test]
fn quantile_of_nothing_or_a_bad_p_is_none() {
    let empty = digest_of(&[]);
    let some = digest_of(&[1.0, 2.0, 3.0]);
    assert_eq!(Digest::quantile(&[], 0.5), None);
    assert_eq!(Digest::quantile(&[&empty, &empty], 0.5), None);
    for p in [-0.01, 1.01, f64::NAN, f64::INFINITY] {
        assert_eq!(Digest::quantile(&[&some], p), None, "p = {p}");
    }
    let with_empty = Digest::quantile(&[&empty, &some, &empty], 0.5);
    assert_eq!(with_empty, Digest::quantile(&[&some], 0.5));
    assert_eq!(with_empty.unwrap().value, 2.0);
}

#[test]
fn validate_rejects_bad_shapes_with_a_reason() {
    let good = digest_of(&(0..1000).map(f64::from).collect::<Vec<_>>());
    good.validate().unwrap();
    digest_of(&[]).validate().unwrap();
    digest_of(&[7.0]).validate().unwrap();
    type Spoil = Box<dyn Fn(&mut Digest)>;
    let bad: Vec<(&str, Spoil)> = vec![
        ("kind", Box::new(|d| d.kind = "tdigest".into())),
        ("version", Box::new(|d| d.version = 2)),
        ("cannot have", Box::new(|d| d.q.clear())),
        ("cannot have", Box::new(|d| d.q.truncate(1))),
        ("cannot have", Box::new(|d| d.count = 100)),
        ("cannot have", Box::new(|d| d.count = 0)),
        ("not finite", Box::new(|d| d.q[5] = f64::NAN)),
        ("not finite", Box::new(|d| d.q[200] = f64::INFINITY)),
        ("not sorted", Box::new(|d| d.q.swap(3, 4))),
        ("below", Box::new(|d| d.rank_err = 0)),
        ("exceeds", Box::new(|d| d.rank_err = 1000)),
    ];
    for (reason, spoil) in bad {
        let mut digest = good.clone();
        spoil(&mut digest);
        match digest.validate() {
            Err(message) => assert!(
                message.contains(reason),
                "{message:?} should say {reason:?}"
            ),
            Ok(()) => panic!("accepted a digest with a bad {reason}: {digest:?}"),
        }
    }
}

#[test]
fn a_digest_of_six_decimal_data_serializes_to_about_2_kb_and_reads_back_exactly() {
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let values: Vec<f64> = (0..10_000)
        .map(|_| {
            format!("{:.6}", rng.random_range(0.0..100.0))
                .parse()
                .unwrap()
        })
        .collect();
    let digest = digest_of(&values);
    let json = serde_json::to_string(&digest).unwrap();
    assert!(json.len() < 2400, "{} bytes: {json}", json.len());
    assert!(json.starts_with(r#"{"kind":"quantiles","version":1,"count":10000,"rank_err":"#));
    let back: Digest = serde_json::from_str(&json).unwrap();
    assert_eq!(back, digest);
}

/// Sums, means and the points of full-precision data need every digit of
/// their shortest form read back exactly (serde_json's `float_roundtrip`).
#[test]
fn full_precision_floats_read_back_exactly() {
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let mut q: Vec<f64> = (0..POINTS).map(|_| rng.random_range(-1e3..1e3)).collect();
    q.push(154.41827426741565);
    q.sort_by(f64::total_cmp);
    let digest = Digest::from_order_statistics(10_000, q);
    let back: Digest = serde_json::from_str(&serde_json::to_string(&digest).unwrap()).unwrap();
    let differ = digest
        .q
        .iter()
        .zip(&back.q)
        .filter(|(a, b)| a.to_bits() != b.to_bits());
    assert_eq!(differ.count(), 0, "points changed by a JSON round trip");
}

#[test]
fn thousands_of_digests_merge_within_their_bound() {
    let mut rng = ChaCha8Rng::seed_from_u64(16);
    let files: Vec<Vec<f64>> = (0..3000)
        .map(|i| {
            let normal = Normal::new((i % 17) as f64, 1.0 + (i % 5) as f64).unwrap();
            (0..rng.random_range(100..1500))
                .map(|_| normal.sample(&mut rng))
                .collect()
        })
        .collect();
    let truth = Truth::new(&files);
    let digests: Vec<Digest> = files.iter().map(|f| digest_of(f)).collect();
    for p in PS {
        let estimate = Digest::quantile(&refs(&digests), p).unwrap();
        truth.check(estimate, p, 0.005, "3000 files");
    }
}

/// The merged points are readings of ΣU at their ranks: what the bisection
/// of [`Digest::quantile`] finds at the same ranks, up to rounding (a
/// millionth of the range of the data here; the two solve the same linear
/// pieces in different orders).
#[test]
fn merged_points_are_the_bisection_readings_at_their_ranks() {
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    let mut cases = scenarios(&mut rng);
    cases.push((
        "huge values",
        (0..20)
            .map(|i| {
                let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
                (0..500)
                    .map(|k| sign * f64::MAX * (k as f64 / 500.0))
                    .collect()
            })
            .collect(),
    ));
    for (label, files) in cases {
        let digests: Vec<Digest> = files.iter().map(|f| digest_of(f)).collect();
        let count: u64 = digests.iter().map(|d| d.count).sum();
        for points in [101, POINTS, 4001] {
            let merged = Digest::merge(&refs(&digests), points);
            if merged.is_exact() {
                continue;
            }
            let range = merged.q[merged.q.len() - 1] / 2.0 - merged.q[0] / 2.0;
            for (j, &got) in merged.q.iter().enumerate() {
                let rank = point_rank(count, merged.q.len(), j);
                // (count − 1)·p is the rank, or a hair off it: the
                // interpolation towards the next rank then moves by a hair.
                let p = rank as f64 / (count - 1) as f64;
                let reading = Digest::quantile(&refs(&digests), p).unwrap().value;
                assert!(
                    (got / 2.0 - reading / 2.0).abs() <= 1e-6 * range,
                    "{label}, {points} points, point {j} (rank {rank}): sweep {got}, bisection {reading}"
                );
            }
        }
    }
}

/// dp-agg folds a thousand digests at a time into one of 4001 points: the
/// merged bound is the inputs' sum plus its own gap term, and the folds of
/// folds still hold the true quantiles of the concatenated data within it.
#[test]
fn a_thousand_digests_fold_into_4001_points_within_the_summed_bound() {
    let mut rng = ChaCha8Rng::seed_from_u64(19);
    let files: Vec<Vec<f64>> = (0..2000)
        .map(|i| {
            let normal = Normal::new((i % 13) as f64, 1.0 + (i % 3) as f64).unwrap();
            (0..rng.random_range(300..1200))
                .map(|_| normal.sample(&mut rng))
                .collect()
        })
        .collect();
    let truth = Truth::new(&files);
    let digests: Vec<Digest> = files.iter().map(|f| digest_of(f)).collect();
    let folds: Vec<Digest> = digests
        .chunks(1000)
        .map(|batch| {
            let fold = Digest::merge(&refs(batch), 4001);
            let inputs: u64 = batch.iter().map(|d| d.rank_err).sum();
            assert_eq!(fold.rank_err, inputs + shape_rank_err(fold.count, 4001));
            fold.validate().unwrap();
            fold
        })
        .collect();
    let inputs: u64 = digests.iter().map(|d| d.rank_err).sum();
    for p in PS {
        let estimate = Digest::quantile(&refs(&folds), p).unwrap();
        assert!(estimate.rank_err * (truth.n() as f64) >= inputs as f64);
        truth.check(estimate, p, 0.005, "2 folds of 1000");
    }
    let root = Digest::merge(&refs(&folds), 4001);
    for p in PS {
        let estimate = Digest::quantile(&[&root], p).unwrap();
        truth.check(estimate, p, 0.006, "a fold of folds");
    }
}

#[test]
fn a_merged_bound_is_capped_at_the_farthest_rank() {
    // Found by fuzz/digest: 3 points of 58,852 values with rank_err 58,669,
    // merged into 2 points, summed a bound of 117,519, which was capped at
    // the count (58,852) and so failed validation.
    let digest = Digest {
        kind: KIND.to_owned(),
        version: VERSION,
        count: 58_852,
        rank_err: 58_669,
        q: vec![
            -7.268364691688116e182,
            -7.029406503450604e182,
            7.420489e-317,
        ],
    };
    digest.validate().unwrap();
    let merged = Digest::merge(&[&digest], 2);
    assert_eq!(merged.rank_err, 58_851);
    merged.validate().unwrap();
}

/// Counts that add up past u64 (only hostile records have them) give no
/// quantile and an empty merge, never a panic or a wrapped count.
#[test]
fn counts_past_u64_give_no_union() {
    let huge = |count: u64| Digest {
        kind: dp_core::digest::KIND.to_owned(),
        version: dp_core::digest::VERSION,
        count,
        rank_err: count - 1,
        q: vec![1.0, 2.0],
    };
    let (a, b) = (
        huge(18_446_741_866_054_517_121),
        huge(12_804_210_592_339_571_121),
    );
    assert!(a.validate().is_ok() && b.validate().is_ok());
    assert_eq!(Digest::quantile(&[&a, &b], 0.5), None);
    assert_eq!(Digest::merge(&[&a, &b], 10).count, 0);
}
