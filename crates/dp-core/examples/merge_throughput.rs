//! Measures [`Merger::merge`] on what dp-agg folds: `--digests` (1000)
//! 201-point digests of 1000 values each merged into one of 4001 points,
//! on two inputs: distinct files (uniform `%.6f` values, a file each) and
//! bench-agg's (8 files' digests over and over).
//!
//! ```text
//! cargo run --release -p dp-core --example merge_throughput -- [--digests N] [--runs N]
//! ```
//!
//! Prints the best and median time of a merge, its nanoseconds per point
//! merged, and a fingerprint of the merged points' bits: two builds that
//! print the same fingerprint merged to the bit.

#[path = "common/options.rs"]
mod options;

use std::io::{self, Write};
use std::time::{Duration, Instant};

use dp_core::digest::{Digest, Merger};
use dp_core::stats::summarize;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The points of a fold (dp-agg's `FOLD_POINTS`).
const FOLD_POINTS: usize = 4001;

fn main() -> anyhow::Result<()> {
    let (mut digests, mut runs) = (1000usize, 20usize);
    options::read_numbers(&mut [("digests", &mut digests), ("runs", &mut runs)])?;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let files: Vec<Digest> = (0..digests).map(|_| digest_of_a_file(&mut rng)).collect();
    let repeated: Vec<Digest> = (0..digests).map(|i| files[i % 8].clone()).collect();
    let mut merger = Merger::default();
    let mut out = io::stdout().lock();
    for (name, input) in [("distinct files", &files), ("8 files repeated", &repeated)] {
        let refs: Vec<&Digest> = input.iter().collect();
        let points: usize = input.iter().map(|digest| digest.q.len()).sum();
        let mut times = Vec::with_capacity(runs);
        let mut merged = merger.merge(&refs, FOLD_POINTS);
        for _ in 0..runs {
            let start = Instant::now();
            merged = merger.merge(&refs, FOLD_POINTS);
            times.push(start.elapsed());
        }
        times.sort();
        let (best, median) = (times[0], times[times.len() / 2]);
        let per_point = |time: Duration| time.as_nanos() as f64 / points as f64;
        writeln!(
            out,
            "{name}: {digests} digests, {points} points: best {:.2} ms ({:.1} ns a point), \
             median {:.2} ms; fingerprint {:016x}",
            best.as_secs_f64() * 1e3,
            per_point(best),
            median.as_secs_f64() * 1e3,
            fingerprint(&merged),
        )?;
    }
    Ok(())
}

/// The digest of a file of 1000 uniform values written as `%.6f`.
fn digest_of_a_file(rng: &mut ChaCha8Rng) -> Digest {
    let mut values: Vec<f64> = (0..1000)
        .map(|_| (rng.random_range(0.0..100.0f64) * 1e6).round() / 1e6)
        .collect();
    summarize(&mut values, &[]).digest
}

/// FNV-1a over the merged digest's count, bound and points' bits.
fn fingerprint(digest: &Digest) -> u64 {
    let words = [digest.count, digest.rank_err]
        .into_iter()
        .chain(digest.q.iter().map(|x| x.to_bits()));
    words.fold(0xcbf2_9ce4_8422_2325, |hash, word| {
        (hash ^ word).wrapping_mul(0x0100_0000_01b3)
    })
}
