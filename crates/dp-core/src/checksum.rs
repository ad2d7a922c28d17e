//! The checksum of a data file's text as it was read, so that dp-agg can
//! tell whether a file it reads again still holds what was measured: a
//! file edited in place keeps its name and may keep its count, min and max.
//!
//! XXH3-64 (xxhash-rust): a non-cryptographic hash that runs at several
//! GB/s, an order of magnitude above dp's parser, so hashing everything
//! read costs little; the `stats` record carries it as `xxh3:` and 16 hex
//! digits.

use std::io::{self, Read};

use xxhash_rust::xxh3::Xxh3;

/// A reader that hashes every byte it hands on.
pub struct Checksummed<R> {
    inner: R,
    hasher: Xxh3,
}

impl<R: Read> Checksummed<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Xxh3::new(),
        }
    }

    /// The checksum of what was read so far, as records carry it.
    pub fn checksum(&self) -> String {
        format!("xxh3:{:016x}", self.hasher.digest())
    }
}

impl<R: Read> Read for Checksummed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// The checksum of `bytes` whole, as [`Checksummed`] gives it.
pub fn of(bytes: &[u8]) -> String {
    format!("xxh3:{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_in_pieces_gives_the_checksum_of_the_whole() {
        let text = b"1\n2\n3.5\n".repeat(1000);
        let mut reader = Checksummed::new(&text[..]);
        let mut sink = [0u8; 7];
        while reader.read(&mut sink).unwrap() > 0 {}
        assert_eq!(reader.checksum(), of(&text));
        assert_ne!(of(b"1\n2\n"), of(b"1\n3\n"));
        assert_eq!(of(b"").len(), "xxh3:".len() + 16);
    }
}
