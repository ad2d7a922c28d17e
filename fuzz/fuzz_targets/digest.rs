//! Digests built from any numbers: those that validate give quantiles
//! inside [min, max] of their points with a bound in [0, 1], and merge (at
//! any number of points) into a digest that validates, counts them all and
//! stays inside too; thinning keeps a digest valid, of the same count.
#![no_main]

use arbitrary::Arbitrary;
use dp_core::digest::{Digest, KIND, VERSION};
use libfuzzer_sys::fuzz_target;

/// Counts and bounds mostly small (so shapes that validate are common),
/// sometimes anything a record may claim.
#[derive(Debug, Arbitrary)]
enum Number {
    Small(u16),
    Any(u64),
}

impl Number {
    fn get(&self) -> u64 {
        match *self {
            Self::Small(n) => u64::from(n),
            Self::Any(n) => n,
        }
    }
}

#[derive(Debug, Arbitrary)]
struct Input {
    digests: Vec<(Number, Number, Vec<f64>)>,
    p: f64,
    points: u16,
}

fuzz_target!(|input: Input| {
    let digests: Vec<Digest> = input
        .digests
        .iter()
        .take(16)
        .map(|(count, rank_err, q)| Digest {
            kind: KIND.to_owned(),
            version: VERSION,
            count: count.get(),
            rank_err: rank_err.get(),
            q: q.clone(),
        })
        .filter(|digest| digest.validate().is_ok())
        .collect();
    let refs: Vec<&Digest> = digests.iter().collect();
    // Digests of more than u64::MAX values in all: a known limit of
    // dp-core (Union::new sums the counts unchecked), not explored here.
    let Some(total) = refs.iter().try_fold(0u64, |sum, d| sum.checked_add(d.count)) else {
        return;
    };
    let with_values: Vec<&Digest> = refs.iter().copied().filter(|d| d.count > 0).collect();
    if with_values.is_empty() {
        return;
    }
    let min = with_values.iter().map(|d| d.q[0]).fold(f64::INFINITY, f64::min);
    let max = with_values
        .iter()
        .map(|d| *d.q.last().unwrap())
        .fold(f64::NEG_INFINITY, f64::max);
    let p = if (0.0..=1.0).contains(&input.p) { input.p } else { 0.5 };
    let inside = |digests: &[&Digest]| {
        let estimate = Digest::quantile(digests, p).expect("values give a quantile");
        assert!(
            (min..=max).contains(&estimate.value),
            "quantile {p} = {} outside [{min}, {max}]",
            estimate.value
        );
        assert!((0.0..=1.0).contains(&estimate.rank_err), "{estimate:?}");
    };
    inside(&refs);
    for digest in &with_values {
        if let Some(thinned) = digest.thinned() {
            thinned.validate().expect("a thinned digest validates");
            assert_eq!(thinned.count, digest.count);
            assert!(thinned.q.len() < digest.q.len());
        }
    }
    let merged = Digest::merge(&refs, usize::from(input.points));
    merged.validate().expect("a merged digest validates");
    assert_eq!(merged.count, total);
    inside(&[&merged]);
});
