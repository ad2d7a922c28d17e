//! Base64 (RFC 4648, standard alphabet, padded), to embed fonts in SVG as
//! `data:` URLs without a dependency for a dozen lines.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `bytes` in base64: every 3 bytes become 4 characters; a last group of 1
/// or 2 bytes is padded with `=` to 4.
pub fn encode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b = [
            group[0],
            *group.get(1).unwrap_or(&0),
            *group.get(2).unwrap_or(&0),
        ];
        let bits = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        // A group of n bytes carries n + 1 characters of data.
        for i in 0..4 {
            if i <= group.len() {
                text.push(char::from(ALPHABET[(bits >> (18 - 6 * i) & 0x3f) as usize]));
            } else {
                text.push('=');
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_the_rfc_4648_test_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), encoded, "{plain:?}");
        }
    }

    #[test]
    fn uses_all_64_characters_and_every_bit() {
        // 0x00 0x10 0x83 … : each 3 bytes spell 4 consecutive alphabet letters.
        let bytes: Vec<u8> = (0u32..16)
            .flat_map(|g| {
                let bits = (4 * g) << 18 | (4 * g + 1) << 12 | (4 * g + 2) << 6 | (4 * g + 3);
                [(bits >> 16) as u8, (bits >> 8) as u8, bits as u8]
            })
            .collect();
        assert_eq!(encode(&bytes).as_bytes(), ALPHABET);
        assert_eq!(encode(&[0xff, 0xff, 0xff]), "////");
    }
}
