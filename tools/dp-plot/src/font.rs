//! The embedded font: Noto Sans, compiled in, so charts render the same on a
//! machine with no fonts installed.

use std::sync::{Once, OnceLock};

use ab_glyph::FontRef;
use plotters::style::{FontFamily, FontStyle, register_font};

/// The family every chart asks for. SVG viewers are told it as is: Noto
/// Sans where they have it, else their own sans-serif.
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
}
