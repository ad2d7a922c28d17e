//! The PNG canvas: plotters' bitmap backend, with text drawn by us.
//!
//! plotters 0.3.7 places each glyph at a whole pixel and ignores its left
//! side bearing, so words come out unevenly spaced ("paral l el"). Here
//! glyphs sit at their exact (sub-pixel) pen positions, kerned, and are
//! blended by coverage; everything else goes to the bitmap backend as is.

use ab_glyph::{Font, PxScale, ScaleFont, point};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontTransform,
};

use crate::font;

pub struct Raster<'a> {
    bitmap: BitMapBackend<'a>,
}

impl<'a> Raster<'a> {
    /// A canvas over an RGB buffer of `width × height × 3` bytes.
    pub fn new(pixels: &'a mut [u8], size: (u32, u32)) -> Self {
        Self {
            bitmap: BitMapBackend::with_buffer(pixels, size),
        }
    }
}

type Result<E> = std::result::Result<(), DrawingErrorKind<E>>;
type BitmapError = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

impl DrawingBackend for Raster<'_> {
    type ErrorType = BitmapError;

    fn get_size(&self) -> (u32, u32) {
        self.bitmap.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<BitmapError> {
        self.bitmap.ensure_prepared()
    }

    fn present(&mut self) -> Result<BitmapError> {
        self.bitmap.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<BitmapError> {
        self.bitmap.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<BitmapError> {
        self.bitmap.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<BitmapError> {
        self.bitmap.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<BitmapError> {
        self.bitmap.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<BitmapError> {
        self.bitmap.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<BitmapError> {
        self.bitmap.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<BitmapError> {
        self.bitmap.blit_bitmap(pos, size, src)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        (x, y): BackendCoord,
    ) -> Result<BitmapError> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let face = font::face(style.style());
        // The size plotters measures text with, so measured and drawn agree.
        let font = face.as_scaled(PxScale::from(style.size() as f32));
        let width = advance(&font, text);
        let left = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        let baseline = match style.anchor().v_pos {
            VPos::Top => font.ascent(),
            VPos::Center => (font.ascent() + font.descent()) / 2.0,
            VPos::Bottom => font.descent(),
        };
        let place = |dx: i32, dy: i32| match style.transform() {
            FontTransform::Rotate90 => (x - dy, y + dx),
            FontTransform::Rotate180 => (x - dx, y - dy),
            FontTransform::Rotate270 => (x + dy, y - dx),
            _ => (x + dx, y + dy),
        };

        let mut caret = left;
        let mut previous = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(previous) = previous {
                caret += font.kern(previous, id);
            }
            previous = Some(id);
            let glyph = id.with_scale_and_position(font.scale(), point(caret, baseline));
            caret += font.h_advance(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let mut covered = Vec::new();
            outline.draw(|gx, gy, coverage| {
                if coverage > 0.0 {
                    covered.push((gx, gy, coverage));
                }
            });
            for (gx, gy, coverage) in covered {
                let dx = bounds.min.x as i32 + gx as i32;
                let dy = bounds.min.y as i32 + gy as i32;
                let pixel = BackendColor {
                    alpha: color.alpha * f64::from(coverage.min(1.0)),
                    rgb: color.rgb,
                };
                self.bitmap.draw_pixel(place(dx, dy), pixel)?;
            }
        }
        Ok(())
    }
}

/// Width of `text` at the font's scale: advances plus kerning.
fn advance<F: Font, SF: ScaleFont<F>>(font: &SF, text: &str) -> f32 {
    let mut width = 0.0;
    let mut previous = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(previous) = previous {
            width += font.kern(previous, id);
        }
        width += font.h_advance(id);
        previous = Some(id);
    }
    width
}
