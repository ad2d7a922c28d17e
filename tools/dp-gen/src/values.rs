//! The values of one data file: a distribution, and a random stream that
//! depends only on the seed and the file's index.
//!
//! Each file has its own ChaCha8 stream: the key comes from the seed, the
//! stream number is the file's index. So file 3 holds the same bytes whether
//! it is written alone, among 5 files or 500, by 1 thread or 8.

use std::fmt;

use dp_core::splitmix::SplitMix64;
use rand::rngs::ChaCha8Rng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution as _, Exp1, StandardNormal};

use crate::decimal::FixedDecimal;

/// The distribution the values are drawn from, with its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Uniform on `[min, max)` (before rounding to the decimals).
    Uniform {
        min: f64,
        max: f64,
    },
    Normal {
        mean: f64,
        stddev: f64,
    },
    /// Exponential with the given mean (rate 1/mean), values ≥ 0.
    Exponential {
        mean: f64,
    },
}

impl Distribution {
    /// Checks the parameters; the error names the flag at fault.
    pub fn validated(self) -> Result<Self, String> {
        let finite = |name: &str, value: f64| {
            if value.is_finite() {
                Ok(())
            } else {
                Err(format!("{name} must be a finite number, not {value}"))
            }
        };
        match self {
            Self::Uniform { min, max } => {
                finite("--min", min)?;
                finite("--max", max)?;
                if min >= max {
                    return Err(format!("--min ({min}) must be less than --max ({max})"));
                }
                if !(max - min).is_finite() {
                    return Err(format!("--min {min} .. --max {max} is too wide a range"));
                }
            }
            Self::Normal { mean, stddev } => {
                finite("--mean", mean)?;
                finite("--stddev", stddev)?;
                if stddev <= 0.0 {
                    return Err(format!("--stddev must be greater than 0, not {stddev}"));
                }
                // Draws reach some 40 standard deviations at most.
                if !(mean.abs() + 1e3 * stddev).is_finite() {
                    return Err(format!("--stddev {stddev} is too large"));
                }
            }
            Self::Exponential { mean } => {
                finite("--mean", mean)?;
                if mean <= 0.0 {
                    return Err(format!(
                        "--mean of an exponential distribution must be greater than 0, not {mean}"
                    ));
                }
                // Exp1 draws stay below some 750.
                if !(1e3 * mean).is_finite() {
                    return Err(format!("--mean {mean} is too large"));
                }
            }
        }
        Ok(self)
    }
}

/// As in records: `uniform(min=0,max=100)`, `normal(mean=50,stddev=10)`,
/// `exponential(mean=1)`.
impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Uniform { min, max } => write!(f, "uniform(min={min},max={max})"),
            Self::Normal { mean, stddev } => write!(f, "normal(mean={mean},stddev={stddev})"),
            Self::Exponential { mean } => write!(f, "exponential(mean={mean})"),
        }
    }
}

/// The values of file `index`, formatted one a line.
pub struct ValueStream {
    rng: ChaCha8Rng,
    distribution: Distribution,
    format: FixedDecimal,
}

impl ValueStream {
    pub fn new(distribution: Distribution, decimals: u32, seed: u64, index: u64) -> Self {
        let mut rng = ChaCha8Rng::from_seed(key_from_seed(seed));
        rng.set_stream(index);
        Self {
            rng,
            distribution,
            format: FixedDecimal::new(decimals),
        }
    }

    /// The next value, before rounding.
    #[inline]
    pub fn next_value(&mut self) -> f64 {
        match self.distribution {
            Distribution::Uniform { min, max } => {
                // 53 random bits: every float in [0, 1) that is a multiple of 2^-53.
                let unit = (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
                min + (max - min) * unit
            }
            Distribution::Normal { mean, stddev } => {
                let z: f64 = StandardNormal.sample(&mut self.rng);
                mean + stddev * z
            }
            Distribution::Exponential { mean } => {
                let e: f64 = Exp1.sample(&mut self.rng);
                mean * e
            }
        }
    }

    /// Appends the next value and its `\n` to `out`.
    #[inline]
    pub fn push_line(&mut self, out: &mut Vec<u8>) {
        let value = self.next_value();
        self.format.push(value, out);
        out.push(b'\n');
    }
}

/// Spreads a 64-bit seed over ChaCha's 256-bit key with the project's own
/// SplitMix64 (rather than `seed_from_u64`), so the data never depends on a
/// library's choice of expansion: four outputs, little-endian.
fn key_from_seed(seed: u64) -> [u8; 32] {
    let mut random = SplitMix64(seed);
    let mut key = [0u8; 32];
    for word in key.chunks_exact_mut(8) {
        word.copy_from_slice(&random.next_u64().to_le_bytes());
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    const UNIFORM: Distribution = Distribution::Uniform {
        min: 0.0,
        max: 100.0,
    };

    fn lines(distribution: Distribution, seed: u64, index: u64, count: usize) -> Vec<u8> {
        let mut stream = ValueStream::new(distribution, 6, seed, index);
        let mut out = Vec::new();
        for _ in 0..count {
            stream.push_line(&mut out);
        }
        out
    }

    fn sample(distribution: Distribution, count: usize) -> Vec<f64> {
        let mut stream = ValueStream::new(distribution, 6, 7, 1);
        (0..count).map(|_| stream.next_value()).collect()
    }

    fn mean_and_stddev(values: &[f64]) -> (f64, f64) {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, variance.sqrt())
    }

    #[test]
    fn a_file_depends_on_seed_and_index_only() {
        assert_eq!(lines(UNIFORM, 42, 3, 100), lines(UNIFORM, 42, 3, 100));
        assert_ne!(lines(UNIFORM, 42, 3, 100), lines(UNIFORM, 42, 4, 100));
        assert_ne!(lines(UNIFORM, 42, 3, 100), lines(UNIFORM, 43, 3, 100));
    }

    #[test]
    fn the_data_of_a_seed_does_not_change_between_versions() {
        // Pinned bytes: if this fails, published seeds now give other data
        // (a new rand_distr algorithm, say). Change it only on purpose, and
        // say so in the release notes.
        let normal = Distribution::Normal {
            mean: 50.0,
            stddev: 10.0,
        };
        let exponential = Distribution::Exponential { mean: 1.0 };
        for (distribution, index, pinned) in [
            (UNIFORM, 1, "79.089923\n15.601523\n82.564596\n"),
            (UNIFORM, 2, "84.128587\n29.733878\n4.484267\n"),
            (normal, 1, "62.867966\n36.063705\n54.017800\n"),
            (exponential, 1, "2.479421\n0.419519\n0.306886\n"),
        ] {
            let got = String::from_utf8(lines(distribution, 42, index, 3)).unwrap();
            assert_eq!(got, pinned, "{distribution} file {index}");
        }
    }

    #[test]
    fn uniform_values_stay_in_range_and_fill_it() {
        let values = sample(
            Distribution::Uniform {
                min: -5.0,
                max: 5.0,
            },
            100_000,
        );
        assert!(values.iter().all(|v| (-5.0..5.0).contains(v)));
        let (mean, stddev) = mean_and_stddev(&values);
        // Uniform on [-5, 5): mean 0, stddev 10/√12 ≈ 2.887; 5σ/√n bounds.
        assert!(mean.abs() < 0.05, "mean {mean}");
        assert!((stddev - 2.887).abs() < 0.03, "stddev {stddev}");
    }

    #[test]
    fn normal_values_have_the_asked_mean_and_stddev() {
        let values = sample(
            Distribution::Normal {
                mean: 50.0,
                stddev: 10.0,
            },
            100_000,
        );
        let (mean, stddev) = mean_and_stddev(&values);
        assert!((mean - 50.0).abs() < 0.16, "mean {mean}");
        assert!((stddev - 10.0).abs() < 0.12, "stddev {stddev}");
    }

    #[test]
    fn exponential_values_are_positive_with_the_asked_mean() {
        let values = sample(Distribution::Exponential { mean: 2.0 }, 100_000);
        assert!(values.iter().all(|&v| v >= 0.0));
        let (mean, stddev) = mean_and_stddev(&values);
        assert!((mean - 2.0).abs() < 0.032, "mean {mean}");
        assert!((stddev - 2.0).abs() < 0.06, "stddev {stddev}");
    }

    #[test]
    fn bad_parameters_name_the_flag() {
        let err = |d: Distribution| d.validated().unwrap_err();
        assert!(
            err(Distribution::Uniform { min: 5.0, max: 5.0 })
                .contains("--min (5) must be less than --max (5)")
        );
        assert!(
            err(Distribution::Uniform {
                min: f64::NAN,
                max: 5.0
            })
            .starts_with("--min")
        );
        assert!(
            err(Distribution::Uniform {
                min: -1e308,
                max: 1e308
            })
            .contains("too wide")
        );
        assert!(
            err(Distribution::Normal {
                mean: 0.0,
                stddev: 0.0
            })
            .starts_with("--stddev")
        );
        assert!(
            err(Distribution::Normal {
                mean: 0.0,
                stddev: -1.0
            })
            .starts_with("--stddev")
        );
        assert!(err(Distribution::Exponential { mean: 0.0 }).starts_with("--mean"));
        assert!(err(Distribution::Exponential { mean: -2.0 }).starts_with("--mean"));
        assert!(
            Distribution::Normal {
                mean: -3.0,
                stddev: 0.5
            }
            .validated()
            .is_ok()
        );
    }

    #[test]
    fn labels_show_the_parameters() {
        assert_eq!(UNIFORM.to_string(), "uniform(min=0,max=100)");
        let normal = Distribution::Normal {
            mean: 50.0,
            stddev: 2.5,
        };
        assert_eq!(normal.to_string(), "normal(mean=50,stddev=2.5)");
        let exponential = Distribution::Exponential { mean: 1.0 };
        assert_eq!(exponential.to_string(), "exponential(mean=1)");
    }
}
