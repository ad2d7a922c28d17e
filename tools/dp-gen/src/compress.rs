//! `--compress`: data files written gzip, zstd or xz compressed, under
//! their usual names (docs/reference.md, "Compressed files"): dp's readers
//! tell the format by its magic bytes, so the Makefile's rules, result
//! names and resuming stay as they are for plain text.

use std::io::{self, Write};

use clap::ValueEnum;
use dp_core::source::Format;

/// How dp-gen stores the text of a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Compress {
    /// Plain text
    #[default]
    None,
    /// gzip, level 6 (gzip's default)
    Gz,
    /// zstd, level 3 with a checksum (the zstd command's defaults)
    Zst,
    /// xz, level 6 (xz's default)
    Xz,
}

impl Compress {
    /// The format a file written this way has, as dp's readers see it.
    pub fn format(self) -> Format {
        match self {
            Compress::None => Format::Plain,
            Compress::Gz => Format::Gzip,
            Compress::Zst => Format::Zstd,
            Compress::Xz => Format::Xz,
        }
    }

    /// Writes the text `write` makes through this compression into `out`,
    /// finishing the stream.
    pub fn write<W: Write>(
        self,
        out: W,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        match self {
            Compress::None => {
                let mut out = out;
                write(&mut out)
            }
            Compress::Gz => {
                let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::new(6));
                write(&mut encoder)?;
                encoder.finish().map(drop)
            }
            Compress::Zst => {
                let mut encoder = zstd::stream::write::Encoder::new(out, 3)?;
                // Without it a changed literal would read as other values.
                encoder.include_checksum(true)?;
                write(&mut encoder)?;
                encoder.finish().map(drop)
            }
            Compress::Xz => {
                let mut encoder = liblzma::write::XzEncoder::new(out, 6);
                write(&mut encoder)?;
                encoder.finish().map(drop)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn each_compression_reads_back_as_its_text_and_format() {
        for compress in [Compress::None, Compress::Gz, Compress::Zst, Compress::Xz] {
            let mut bytes = Vec::new();
            compress
                .write(&mut bytes, |out| out.write_all(b"1\n2\n"))
                .unwrap();
            assert_eq!(Format::of(&bytes), compress.format());
            let mut text = String::new();
            dp_core::source::from_reader(io::Cursor::new(bytes))
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            assert_eq!(text, "1\n2\n", "{compress:?}");
        }
    }
}
