//! The one door chart text goes through: a drawing backend that hands
//! every text on to the backend it wraps without C0 control characters
//! ([`dp_core::names::without_controls`]). Run labels, file names, hosts and
//! titles come from input and flags; a `\u{7}` in one would make an SVG
//! invalid XML (1.0 allows no C0 control but tab and line ends) and draws
//! nothing useful in a PNG. Both formats draw through this backend, so no
//! chart text, present or future, can skip it.

use dp_core::names::without_controls;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// `DB`, drawing only plain text.
pub struct PlainText<DB>(pub DB);

type Result<E> = std::result::Result<(), DrawingErrorKind<E>>;

impl<DB: DrawingBackend> DrawingBackend for PlainText<DB> {
    type ErrorType = DB::ErrorType;

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<DB::ErrorType> {
        self.0.draw_text(&without_controls(text), style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> std::result::Result<(u32, u32), DrawingErrorKind<DB::ErrorType>> {
        self.0.estimate_text_size(&without_controls(text), style)
    }

    // The rest as `DB` does it.

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<DB::ErrorType> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<DB::ErrorType> {
        self.0.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<DB::ErrorType> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<DB::ErrorType> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<DB::ErrorType> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<DB::ErrorType> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<DB::ErrorType> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<DB::ErrorType> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<DB::ErrorType> {
        self.0.blit_bitmap(pos, size, src)
    }
}

#[cfg(test)]
mod tests {
    use plotters::prelude::*;

    use super::*;

    #[test]
    fn svg_text_loses_its_controls_and_keeps_the_rest() {
        let mut svg = String::new();
        {
            let root = PlainText(SVGBackend::with_string(&mut svg, (200, 100))).into_drawing_area();
            let style = TextStyle::from(("sans-serif", 12).into_font());
            root.draw_text("r\u{7}un\u{0}\ta<b", &style, (10, 10))
                .unwrap();
            root.present().unwrap();
        }
        assert!(svg.contains("\nrun a&lt;b\n"), "{svg}");
        assert!(
            !svg.chars().any(|c| c.is_ascii_control() && c != '\n'),
            "{svg}"
        );
    }
}
