//! Digests built from any numbers: those that validate give quantiles
//! inside [min, max] of their points with a bound in [0, 1], and merge into
//! a digest that validates, counts them all and stays inside too.
#![no_main]

use arbitrary::Arbitrary;
use dp_core::digest::{Digest, KIND, VERSION};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    digests: Vec<(u16, u16, Vec<f64>)>,
    p: f64,
    points: u16,
}

fuzz_target!(|input: Input| {
    let digests: Vec<Digest> = input
        .digests
        .into_iter()
        .take(16)
        .map(|(count, rank_err, q)| Digest {
            kind: KIND.to_owned(),
            version: VERSION,
            count: u64::from(count),
            rank_err: u64::from(rank_err),
            q,
        })
        .filter(|digest| digest.validate().is_ok())
        .collect();
    let refs: Vec<&Digest> = digests.iter().collect();
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
        assert!((0.0..=1.0).contains(&estimate.rank_err));
    };
    inside(&refs);
    let merged = Digest::merge(&refs, usize::from(input.points));
    merged.validate().expect("a merged digest validates");
    assert_eq!(merged.count, refs.iter().map(|d| d.count).sum::<u64>());
    inside(&[&merged]);
});
