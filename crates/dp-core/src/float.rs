//! What the statistics and the digest both need of floats: their order as
//! integers, and the point between two of them without overflow.

/// The bit pattern of a float as an unsigned integer in the floats' order
/// (IEEE 754 totalOrder).
#[inline(always)]
pub(crate) fn sort_key(x: f64) -> u64 {
    let bits = x.to_bits();
    // Negative floats: flip all bits; positive: flip the sign bit.
    bits ^ ((((bits as i64) >> 63) as u64) | 1 << 63)
}

/// The float whose [`sort_key`] is `key`.
pub(crate) fn from_sort_key(key: u64) -> f64 {
    f64::from_bits(if key >> 63 == 1 { key ^ 1 << 63 } else { !key })
}

/// x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋]): NumPy's default "linear"
/// quantile, Python's `statistics.quantiles(method="inclusive")`.
pub(crate) fn interpolate(lower: f64, upper: f64, fraction: f64) -> f64 {
    let plain = lower + fraction * (upper - lower);
    if plain.is_finite() {
        plain
    } else {
        // Only for values beyond ±9e307, whose difference overflows (or
        // whose interpolation rounds past f64::MAX): the weighted ends do
        // not, and the result is kept between them, where it lies.
        (lower * (1.0 - fraction) + upper * fraction)
            .max(lower)
            .min(upper)
    }
}

/// The mean of the two middle values, as Python's `statistics.median`
/// computes it: `(a + b) / 2`, halving first only where the sum overflows.
pub(crate) fn midpoint(a: f64, b: f64) -> f64 {
    let mid = (a + b) / 2.0;
    if mid.is_finite() {
        mid
    } else {
        a / 2.0 + b / 2.0
    }
}
