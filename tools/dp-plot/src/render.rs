//! Turning a chart into PNG or SVG bytes and writing them atomically.

use std::io::Write;
use std::path::Path;

use anyhow::anyhow;
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use crate::font;
use crate::plain_text::PlainText;
use crate::raster::Raster;
use crate::theme::{self, Theme};

/// What drawing on backend `DB` gives: `T`, or the backend's error.
pub type Drawn<DB, T = ()> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A plot with seconds or runs on its axes, both continuous.
pub type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A picture that can draw itself on any plotters backend.
pub trait Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, theme: &Theme) -> Drawn<DB>;
}

/// A chart's title, bold and centred in `area`, cut to fit its width.
pub fn draw_title<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Theme,
    title: &str,
) -> Drawn<DB> {
    let (width, height) = area.dim_in_pixel();
    let style = t.bold(t.title, theme::TEXT, HPos::Center, VPos::Center);
    let title = t.fit(title, &style, width - 2 * t.px(16.0) as u32);
    area.draw_text(&title, &style, (width as i32 / 2, height as i32 / 2))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    /// SVG, carrying its font when `embed_font` (about 265 KB a face).
    Svg {
        embed_font: bool,
    },
}

impl Format {
    /// The format named by the output file's extension.
    pub fn from_path(path: &Path, embed_font: bool) -> anyhow::Result<Self> {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match extension.as_deref() {
            Some("png") => Ok(Self::Png),
            Some("svg") => Ok(Self::Svg { embed_font }),
            _ => Err(dp_core::cli::usage(format!(
                "cannot tell the format of '{}': name the output FILE.png or FILE.svg",
                dp_core::names::shown(&path.display().to_string())
            ))),
        }
    }
}

/// Draws `chart` at `size` and writes it to `path` (whole or not at all).
pub fn write(
    chart: &impl Chart,
    format: Format,
    size: (u32, u32),
    path: &Path,
) -> anyhow::Result<dp_core::manifest::Identity> {
    let bytes = match format {
        Format::Png => png(chart, size)?,
        Format::Svg { embed_font } => svg(chart, size, embed_font)?.into_bytes(),
    };
    dp_core::atomic::write_atomic(path, |out| Ok(out.write_all(&bytes)?))
}

/// The chart as an SVG document; with `embed_font`, carrying the font its
/// text was measured with.
pub fn svg(chart: &impl Chart, size: (u32, u32), embed_font: bool) -> anyhow::Result<String> {
    let mut text = String::new();
    {
        let root = PlainText(SVGBackend::with_string(&mut text, size)).into_drawing_area();
        let theme = Theme::for_size(size.0, size.1).for_viewer_fonts();
        chart.draw(&root, &theme).map_err(drawing_failed)?;
        root.present().map_err(drawing_failed)?;
    }
    Ok(if embed_font {
        font::embed_in_svg(&text)
    } else {
        text
    })
}

/// The chart as a PNG file's bytes: drawn into an RGB buffer, then encoded.
pub fn png(chart: &impl Chart, (width, height): (u32, u32)) -> anyhow::Result<Vec<u8>> {
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = PlainText(Raster::new(&mut pixels, (width, height))).into_drawing_area();
        chart
            .draw(&root, &Theme::for_size(width, height))
            .map_err(drawing_failed)?;
        root.present().map_err(drawing_failed)?;
    }
    let mut bytes = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(::png::ColorType::Rgb);
    encoder.set_depth(::png::BitDepth::Eight);
    encoder.set_compression(::png::Compression::Best);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(bytes)
}

fn drawing_failed(err: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("cannot draw the chart: {err}")
}
