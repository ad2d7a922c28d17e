//! Measures the statistics: `summarize` on random values beside a full sort
//! and a single median selection of the same values; `summarize` with its
//! histogram beside the fallback it would otherwise take (selecting among
//! all the values in place) on several shapes of data; and
//! `Digest::quantile` over many 201-point digests.
//!
//! ```text
//! cargo run --release -p dp-core --example stats_throughput -- [--values N] [--digests N] [--runs N]
//! ```
//!
//! Each approach runs `--runs` times (5) on a fresh copy of the same values,
//! interleaved so that machine noise hits them alike; best and median times
//! are printed, and ratios of the medians.

#[path = "common/options.rs"]
mod options;

use std::io::{self, Write};
use std::time::{Duration, Instant};

use dp_core::digest::{Digest, POINTS, point_rank};
use dp_core::stats::{Selection, summarize, summarize_with};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

/// A name and what it does to the values.
type Approach = (&'static str, fn(&mut [f64]));

fn main() -> anyhow::Result<()> {
    let (mut values, mut digests, mut runs) = (10_000_000usize, 100_000usize, 5usize);
    options::read_numbers(&mut [
        ("values", &mut values),
        ("digests", &mut digests),
        ("runs", &mut runs),
    ])?;
    let mut out = io::stdout().lock();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    // `%.6f` data, as dp-gen writes it.
    let data: Vec<f64> = (0..values)
        .map(|_| (rng.random::<f64>() * 100.0 * 1e6).round() / 1e6)
        .collect();
    against_sorting(&data, runs, &mut out)?;
    histogram_against_in_place(&data, &mut rng, runs, &mut out)?;
    digest_quantiles(digests, &mut rng, runs, &mut out)
}

/// `summarize` beside what a plain implementation would do instead.
fn against_sorting(data: &[f64], runs: usize, out: &mut impl Write) -> anyhow::Result<()> {
    let approaches: [Approach; 3] = [
        ("summarize", |v| {
            std::hint::black_box(summarize(v, &[]));
        }),
        ("sort_unstable_by(total_cmp)", |v| {
            v.sort_unstable_by(f64::total_cmp)
        }),
        ("select_nth_unstable (median)", |v| {
            let middle = v.len() / 2;
            v.select_nth_unstable_by(middle, f64::total_cmp);
        }),
    ];
    let mut times = measure(&approaches, data, runs);
    let values = data.len();
    writeln!(out, "{values} uniform values, {runs} runs (best / median):")?;
    let base = median(&mut times[0].clone());
    for ((name, _), samples) in approaches.iter().zip(&mut times) {
        let (best, mid) = (best(samples), median(samples));
        writeln!(
            out,
            "  {name:<30} {:>8.1} ms / {:>8.1} ms  {:>6.2} ns/value  {:>5.2}x summarize",
            best.as_secs_f64() * 1e3,
            mid.as_secs_f64() * 1e3,
            mid.as_secs_f64() * 1e9 / values as f64,
            mid.as_secs_f64() / base.as_secs_f64(),
        )?;
    }
    Ok(())
}

/// `summarize` with the histogram and by the fallback it would otherwise
/// take (selecting among all the values in place), on the same values of
/// several shapes: uniform `data` and shapes drawn from `rng` of as many
/// values. The histogram must earn its keep on ties, tails, zero-inflated
/// and sorted data as well.
fn histogram_against_in_place(
    data: &[f64],
    rng: &mut ChaCha8Rng,
    runs: usize,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let values = data.len();
    writeln!(
        out,
        "summarize with the histogram / in place, {values} values of each shape (best / median of {runs}):"
    )?;
    let normal = Normal::new(50.0, 10.0).expect("valid normal");
    let exponential = rand_distr::Exp::new(1.0).expect("valid rate");
    let lognormal = rand_distr::LogNormal::new(0.0, 2.0).expect("valid sigma");
    let mut sorted = data.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let shapes: [(&str, Vec<f64>); 7] = [
        ("uniform", data.to_vec()),
        ("normal", (0..values).map(|_| normal.sample(rng)).collect()),
        (
            "exponential",
            (0..values).map(|_| exponential.sample(rng)).collect(),
        ),
        (
            "lognormal(0, 2)",
            (0..values).map(|_| lognormal.sample(rng)).collect(),
        ),
        (
            "half zeros",
            (0..values)
                .map(|i| if i % 2 == 0 { 0.0 } else { data[i] })
                .collect(),
        ),
        (
            "integers 0..7",
            (0..values).map(|i| (i % 7) as f64).collect(),
        ),
        ("sorted", sorted),
    ];
    let both_ways: [Approach; 2] = [
        ("histogram", |v| {
            std::hint::black_box(summarize(v, &[]));
        }),
        ("in place", |v| {
            std::hint::black_box(summarize_with(v, &[], Selection::InPlace));
        }),
    ];
    for (name, shape) in &shapes {
        let percentiles = [1.0, 99.0];
        assert_eq!(
            summarize(&mut shape.clone(), &percentiles),
            summarize_with(&mut shape.clone(), &percentiles, Selection::InPlace),
            "{name}: both ways give the same statistics"
        );
        let mut times = measure(&both_ways, shape, runs);
        let [histogram, in_place] = [0, 1].map(|i| (best(&times[i]), median(&mut times[i])));
        let ms = |time: Duration| time.as_secs_f64() * 1e3;
        writeln!(
            out,
            "  {name:<16} {:>7.1} / {:>7.1} ms   {:>7.1} / {:>7.1} ms   {:>5.2}x best  {:>5.2}x median",
            ms(histogram.0),
            ms(histogram.1),
            ms(in_place.0),
            ms(in_place.1),
            ms(in_place.0) / ms(histogram.0),
            ms(in_place.1) / ms(histogram.1),
        )?;
    }
    Ok(())
}

/// `Digest::quantile` and `Digest::merge` over digests as dp-stats would
/// send them: files of 10^3..10^6 values from normal distributions with
/// different centres.
fn digest_quantiles(
    digests: usize,
    rng: &mut ChaCha8Rng,
    runs: usize,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let parts: Vec<Digest> = (0..digests)
        .map(|_| {
            let count = 10f64.powf(rng.random_range(3.0..6.0)) as u64;
            let normal = Normal::new(rng.random_range(0.0..10.0), 3.0).expect("valid normal");
            let mut q: Vec<f64> = (0..POINTS).map(|_| normal.sample(rng)).collect();
            q.sort_unstable_by(f64::total_cmp);
            debug_assert_eq!(point_rank(count, POINTS, POINTS - 1), count - 1);
            Digest::from_order_statistics(count, q)
        })
        .collect();
    let refs: Vec<&Digest> = parts.iter().collect();
    writeln!(
        out,
        "Digest::quantile over {digests} digests of {POINTS} points:"
    )?;
    for p in [0.5, 0.25, 0.99, 0.001] {
        let mut samples = Vec::new();
        let mut estimate = None;
        for _ in 0..runs {
            let start = Instant::now();
            estimate = Digest::quantile(&refs, p);
            samples.push(start.elapsed());
        }
        let estimate = estimate.expect("digests hold values");
        writeln!(
            out,
            "  p = {p:<6} {:>8.1} ms / {:>8.1} ms  value {:.6}  rank_err {:.4}%",
            best(&samples).as_secs_f64() * 1e3,
            median(&mut samples).as_secs_f64() * 1e3,
            estimate.value,
            estimate.rank_err * 100.0,
        )?;
    }
    let few = &refs[..refs.len().min(100)];
    let start = Instant::now();
    let merged = Digest::merge(few, POINTS);
    writeln!(
        out,
        "Digest::merge of {} digests into {POINTS} points: {:.1} ms (rank_err {})",
        few.len(),
        start.elapsed().as_secs_f64() * 1e3,
        merged.rank_err
    )?;
    Ok(())
}

/// Each approach's times over `runs` rounds, each on a fresh copy of
/// `data`, interleaved so that machine noise hits them alike.
fn measure(approaches: &[Approach], data: &[f64], runs: usize) -> Vec<Vec<Duration>> {
    let mut scratch = data.to_vec();
    let mut times = vec![Vec::new(); approaches.len()];
    for _ in 0..runs {
        for (i, (_, run)) in approaches.iter().enumerate() {
            scratch.copy_from_slice(data);
            let start = Instant::now();
            run(&mut scratch);
            times[i].push(start.elapsed());
        }
    }
    times
}

fn best(samples: &[Duration]) -> Duration {
    samples.iter().copied().min().unwrap_or_default()
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}
