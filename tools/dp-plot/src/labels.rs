//! The words and numbers written on charts: durations, ratios, axis ticks,
//! and text cut to fit the room it has.

/// A duration as people compare them: `15.02 s`, with more decimals below
/// a second so short runs keep three significant digits (`0.053 s`).
pub fn seconds(s: f64) -> String {
    if s >= 1.0 || s == 0.0 {
        format!("{s:.2} s")
    } else if s >= 0.01 {
        format!("{s:.3} s")
    } else {
        format!("{:.2} ms", s * 1000.0)
    }
}

/// `4.96×`
pub fn times(ratio: f64) -> String {
    format!("{ratio:.2}×")
}

/// An axis tick: as few decimals as the value needs (`0`, `2.5`, `0.25`),
/// without float noise such as `0.30000000000000004`.
pub fn tick(v: f64) -> String {
    // Six decimals: enough for ticks of a run that took microseconds, few
    // enough to round float noise away.
    let text = format!("{v:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// A count with its noun: `1 file`, `5 files`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A round step (1, 2 or 5 × 10ⁿ) that divides `span` into at most `max`
/// parts.
pub fn nice_step(span: f64, max: usize) -> f64 {
    let raw = span / max.max(1) as f64;
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&step| step >= raw)
        .unwrap_or(10.0 * magnitude)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(seconds(15.0234), "15.02 s");
        assert_eq!(seconds(0.0527), "0.053 s");
        assert_eq!(seconds(0.00123), "1.23 ms");
        assert_eq!(seconds(0.0), "0.00 s");
        assert_eq!(times(15.02 / 3.03), "4.96×");
        assert_eq!(tick(0.30000000000000004), "0.3");
        assert_eq!(tick(10.0), "10");
        assert_eq!(tick(-0.0), "0");
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(0.0002), "0.0002");
        assert_eq!(count(1, "file"), "1 file");
        assert_eq!(count(500, "file"), "500 files");
    }

    #[test]
    fn steps_are_round_and_bounded() {
        assert_eq!(nice_step(500.0, 8), 100.0);
        assert_eq!(nice_step(15.0, 8), 2.0);
        assert_eq!(nice_step(40.0, 8), 5.0);
        assert_eq!(nice_step(0.0, 8), 1.0);
    }
}
