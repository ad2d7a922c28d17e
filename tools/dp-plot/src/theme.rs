//! How charts look: text sizes that scale with the picture, and the colours.

use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontStyle, RGBColor, TextStyle};

use crate::font;

/// Tableau 10: distinct, colour-blind-friendly, readable on white.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xba, 0xb0, 0xac),
];

pub const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
pub const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);
pub const AXIS: RGBColor = RGBColor(0x88, 0x88, 0x88);
/// Outline of a job that exited non-zero.
pub const FAILED: RGBColor = RGBColor(0xb0, 0x00, 0x20);

/// The `i`th categorical colour (cycling once the palette runs out).
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// A darker shade of `c`, for outlines.
pub fn darker(c: RGBColor) -> RGBColor {
    let d = |v: u8| (f64::from(v) * 0.7) as u8;
    RGBColor(d(c.0), d(c.1), d(c.2))
}

/// Text sizes in pixels for a picture of a given size: designed at
/// 1000×600 and scaled with the smaller side, within limits that keep text
/// legible on small pictures and sane on posters.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub scale: f64,
    /// Room allowed for text beyond what Noto Sans measures: an SVG may carry
    /// Noto Sans (`--embed-font`), but a viewer that ignores `@font-face` (librsvg 2.54 does)
    /// draws with its own sans-serif font, often wider.
    pub text_slack: f64,
    pub title: f64,
    pub heading: f64,
    pub label: f64,
    pub small: f64,
    /// The smallest text drawn: row names squeezed by many rows.
    pub tiny: f64,
}

impl Theme {
    pub fn for_size(width: u32, height: u32) -> Self {
        let scale = (f64::from(width) / 1000.0)
            .min(f64::from(height) / 600.0)
            .clamp(0.6, 3.0);
        Self {
            scale,
            text_slack: 1.0,
            title: 26.0 * scale,
            heading: 18.0 * scale,
            label: 16.0 * scale,
            small: 15.0 * scale,
            tiny: 12.0 * scale,
        }
    }

    /// The same theme for pictures whose text the viewer draws (SVG).
    pub fn for_viewer_fonts(self) -> Self {
        Self {
            text_slack: 1.15,
            ..self
        }
    }

    /// Room in pixels that `text` drawn in `style` needs: measured as
    /// drawn, without its control characters ([`crate::plain_text`]).
    pub fn width(&self, text: &str, style: &TextStyle) -> u32 {
        let text = dp_core::names::without_controls(text);
        let measured = style.font.box_size(&text).map_or(0, |(w, _)| w);
        (f64::from(measured) * self.text_slack).ceil() as u32
    }

    /// `text`, or as much of its start as fits in `max_px` followed by `…`.
    pub fn fit(&self, text: &str, style: &TextStyle, max_px: u32) -> String {
        if self.width(text, style) <= max_px {
            return text.to_owned();
        }
        let chars: Vec<char> = text.chars().collect();
        let with_ellipsis = |n: usize| chars[..n].iter().chain(['…'].iter()).collect::<String>();
        // Binary search the longest prefix that fits with its ellipsis.
        let (mut lo, mut hi) = (0, chars.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if self.width(&with_ellipsis(mid), style) <= max_px {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if lo == 0 {
            String::new()
        } else {
            with_ellipsis(lo)
        }
    }

    /// `n` design pixels at this picture's scale.
    pub fn px(&self, n: f64) -> i32 {
        (n * self.scale).round() as i32
    }

    pub fn text(&self, size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
        self.styled(size, FontStyle::Normal, color, h, v)
    }

    pub fn bold(&self, size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
        self.styled(size, FontStyle::Bold, color, h, v)
    }

    fn styled(
        &self,
        size: f64,
        style: FontStyle,
        color: RGBColor,
        h: HPos,
        v: VPos,
    ) -> TextStyle<'static> {
        font::register();
        FontDesc::new(font::FAMILY, size, style)
            .color(&color)
            .pos(Pos::new(h, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_to_fit_with_an_ellipsis() {
        let theme = Theme::for_size(1000, 600);
        let style = theme.text(theme.label, TEXT, HPos::Left, VPos::Top);
        let long = "a_rather_long_file_name_that_will_not_fit.txt";
        let full = theme.width(long, &style);
        assert!(full > 200, "the font measures text: {full}");
        let cut = theme.fit(long, &style, 100);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(long.starts_with(cut.trim_end_matches('…')), "{cut}");
        assert!(theme.width(&cut, &style) <= 100);
        assert_eq!(theme.fit("short", &style, 100), "short");
        assert_eq!(theme.fit(long, &style, 1), "");
    }

    #[test]
    fn svg_text_gets_room_for_wider_viewer_fonts() {
        let png = Theme::for_size(1000, 600);
        let svg = png.for_viewer_fonts();
        let style = png.text(png.label, TEXT, HPos::Left, VPos::Top);
        assert!(svg.width("sequential", &style) > png.width("sequential", &style));
    }

    #[test]
    fn text_scales_with_the_picture_within_limits() {
        assert_eq!(Theme::for_size(1000, 600).scale, 1.0);
        assert_eq!(Theme::for_size(2000, 1200).scale, 2.0);
        assert_eq!(Theme::for_size(200, 150).scale, 0.6);
    }
}
