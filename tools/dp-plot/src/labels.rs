//! The words and numbers written on charts: durations, speedups, axis ticks,
//! and text cut to fit the room it has.

use plotters::style::TextStyle;

/// A duration as people compare them: `15.02 s`.
pub fn seconds(s: f64) -> String {
    format!("{s:.2} s")
}

/// How many times faster than the baseline, or `None` rather than a
/// division by zero.
pub fn speedup(baseline_s: f64, run_s: f64) -> Option<f64> {
    (baseline_s > 0.0 && run_s > 0.0).then(|| baseline_s / run_s)
}

/// `4.96×`
pub fn times(ratio: f64) -> String {
    format!("{ratio:.2}×")
}

/// An axis tick: as few decimals as the value needs (`0`, `2.5`, `0.25`),
/// without float noise such as `0.30000000000000004`.
pub fn tick(v: f64) -> String {
    let text = format!("{v:.3}");
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

/// Width in pixels of `text` drawn in `style`.
pub fn width(text: &str, style: &TextStyle) -> u32 {
    style.font.box_size(text).map_or(0, |(w, _)| w)
}

/// `text`, or as much of its start as fits in `max_px` followed by `…`.
pub fn fit(text: &str, style: &TextStyle, max_px: u32) -> String {
    if width(text, style) <= max_px {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    // Binary search the longest prefix that fits with its ellipsis.
    let (mut lo, mut hi) = (0, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().chain(['…'].iter()).collect();
        if width(&candidate, style) <= max_px {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    if lo == 0 {
        return String::new();
    }
    chars[..lo].iter().chain(['…'].iter()).collect()
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
    use crate::theme::Theme;
    use plotters::style::RGBColor;
    use plotters::style::text_anchor::{HPos, VPos};

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(seconds(15.0234), "15.02 s");
        assert_eq!(times(15.02 / 3.03), "4.96×");
        assert_eq!(tick(0.30000000000000004), "0.3");
        assert_eq!(tick(10.0), "10");
        assert_eq!(tick(-0.0), "0");
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(count(1, "file"), "1 file");
        assert_eq!(count(500, "file"), "500 files");
    }

    #[test]
    fn speedup_refuses_zero_times() {
        assert_eq!(speedup(15.0, 3.0), Some(5.0));
        assert_eq!(speedup(15.0, 0.0), None);
        assert_eq!(speedup(0.0, 3.0), None);
    }

    #[test]
    fn steps_are_round_and_bounded() {
        assert_eq!(nice_step(500.0, 8), 100.0);
        assert_eq!(nice_step(15.0, 8), 2.0);
        assert_eq!(nice_step(40.0, 8), 5.0);
        assert_eq!(nice_step(0.0, 8), 1.0);
    }

    #[test]
    fn long_text_is_cut_to_fit_with_an_ellipsis() {
        let style = Theme::for_size(1000, 600).text(14.0, RGBColor(0, 0, 0), HPos::Left, VPos::Top);
        let long = "a_rather_long_file_name_that_will_not_fit.txt";
        let full = width(long, &style);
        assert!(full > 100, "the font measures text: {full}");
        let cut = fit(long, &style, 100);
        assert!(
            cut.ends_with('…') && long.starts_with(cut.trim_end_matches('…')),
            "{cut}"
        );
        assert!(width(&cut, &style) <= 100);
        assert_eq!(fit("short", &style, 100), "short");
    }
}
