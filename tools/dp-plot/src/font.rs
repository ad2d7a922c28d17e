//! The embedded font: Noto Sans, compiled in (and written into SVGs made with
//! `--embed-font`), so charts render the same on a machine with no fonts.

use std::sync::{Once, OnceLock};

use ab_glyph::FontRef;
use plotters::style::{FontFamily, FontStyle, register_font};

/// The family every chart asks for. SVGs made with `--embed-font` carry Noto
/// Sans under its first name ([`embed_in_svg`]); other viewers use their own
/// Noto Sans or sans-serif.
pub const FAMILY: FontFamily<'static> = FontFamily::Name("Noto Sans, sans-serif");

/// Registers Noto Sans (regular and bold) under [`FAMILY`] with plotters, which
/// plotters uses to measure text. Runs once; must run before any text is
/// measured or drawn.
pub fn register() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        let family = FAMILY.as_str();
        // The fonts are compiled in and known to parse (a unit test checks).
        let regular = register_font(family, FontStyle::Normal, ttf_noto_sans::REGULAR);
        let bold = register_font(family, FontStyle::Bold, ttf_noto_sans::BOLD);
        debug_assert!(
            regular.is_ok() && bold.is_ok(),
            "embedded Noto Sans is invalid"
        );
    });
}

/// The face for `style` (bold, or regular for anything else), for drawing
/// glyphs ourselves.
pub fn face(style: FontStyle) -> &'static FontRef<'static> {
    static REGULAR: OnceLock<FontRef<'static>> = OnceLock::new();
    static BOLD: OnceLock<FontRef<'static>> = OnceLock::new();
    let (cell, bytes) = match style {
        FontStyle::Bold => (&BOLD, ttf_noto_sans::BOLD),
        _ => (&REGULAR, ttf_noto_sans::REGULAR),
    };
    cell.get_or_init(|| FontRef::try_from_slice(bytes).expect("embedded Noto Sans parses"))
}

/// `svg` with the faces its text uses (regular, bold) embedded as
/// `@font-face` rules in a `<defs><style>` right after the root tag, so a
/// viewer draws exactly the font the layout measured.
pub fn embed_in_svg(svg: &str) -> String {
    // plotters marks bold text `font-weight="bold"` and no other text.
    let texts = svg.matches("<text ").count();
    let bold = svg.matches(r#"font-weight="bold""#).count();
    let used: Vec<FontStyle> = [
        (texts > bold).then_some(FontStyle::Normal),
        (bold > 0).then_some(FontStyle::Bold),
    ]
    .into_iter()
    .flatten()
    .collect();
    let root_end = match svg.find('>') {
        Some(at) if svg.starts_with("<svg") && !used.is_empty() => at + 1,
        _ => return svg.to_owned(),
    };
    let style = format!("\n<defs><style>{}\n</style></defs>", font_faces(&used));
    let mut embedded = String::with_capacity(svg.len() + style.len());
    embedded += &svg[..root_end];
    embedded += &style;
    embedded += &svg[root_end..];
    embedded
}

/// CSS `@font-face` rules for the faces `styles` (bold, or regular for
/// anything else) under [`FAMILY`]'s first name, the fonts inlined as
/// data: URLs: what a page or an SVG carries to draw text in the very font
/// its layout was measured with.
pub fn font_faces(styles: &[FontStyle]) -> String {
    let name = FAMILY.as_str().split(',').next().unwrap_or_default().trim();
    let mut rules = String::new();
    for style in styles {
        let (weight, bytes) = match style {
            FontStyle::Bold => ("bold", ttf_noto_sans::BOLD),
            _ => ("normal", ttf_noto_sans::REGULAR),
        };
        rules += &format!(
            "\n@font-face {{ font-family: \"{name}\"; font-weight: {weight}; \
             src: url(data:font/ttf;base64,{}) format(\"truetype\"); }}",
            crate::base64::encode(bytes)
        );
    }
    rules
}

/// [`font_faces`] of both faces, for a page whose text may use either.
pub fn every_font_face() -> String {
    font_faces(&[FontStyle::Normal, FontStyle::Bold])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ab_glyph::Font;

    #[test]
    fn embedded_faces_parse_and_have_the_glyphs_charts_use() {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            let face = face(style);
            for c in "×…·0123456789 sfilesAZaz".chars() {
                assert_ne!(face.glyph_id(c).0, 0, "{c:?} missing");
            }
        }
    }

    #[test]
    fn svg_embeds_only_the_faces_its_text_uses() {
        let svg = |body: &str| format!("<svg width=\"10\">\n{body}</svg>\n");
        let regular = r#"<text font-style="normal">a</text>"#;
        let bold = r#"<text font-weight="bold">b</text>"#;
        let weights = |svg: &str| {
            let embedded = embed_in_svg(svg);
            assert!(embedded.starts_with("<svg width=\"10\">\n<defs><style>") || embedded == svg);
            assert!(embedded.ends_with("</svg>\n"));
            ["normal", "bold"]
                .into_iter()
                .filter(|w| embedded.contains(&format!("font-weight: {w};")))
                .collect::<Vec<_>>()
        };
        assert_eq!(weights(&svg(regular)), ["normal"]);
        assert_eq!(weights(&svg(bold)), ["bold"]);
        assert_eq!(
            weights(&svg(&format!("{regular}{bold}"))),
            ["normal", "bold"]
        );
        assert_eq!(weights(&svg("<rect/>")), Vec::<&str>::new());
        assert_eq!(embed_in_svg(&svg("<rect/>")), svg("<rect/>"));
    }
}
