//! What dp-plot's tests share beyond dp-testkit: stats records to draw,
//! and reading back the PNG and SVG dp-plot writes.

#![allow(dead_code)] // each test file uses its own share of the helpers

use std::path::PathBuf;

use dp_core::digest::Digest;
use dp_core::record::{Record, StatsRecord};
use dp_testkit::{Cmd, dp};

/// A file under tests/data.
pub fn data(name: &str) -> PathBuf {
    dp_testkit::fixture(env!("CARGO_MANIFEST_DIR"), name)
}

/// dp-plot with `args`, ready to run.
pub fn dp_plot(args: &[&str]) -> Cmd {
    dp("dp-plot").args(args)
}

/// One `stats` record line for `path` in `run`, worked on from `start` to
/// `end` (Unix seconds) by process `pid`.
pub fn stats_line(run: &str, path: &str, start: f64, end: f64, pid: u32) -> String {
    let record = Record::Stats(Box::new(StatsRecord {
        path: path.into(),
        run: Some(run.into()),
        count: 3,
        invalid: 0,
        sum: Some(6.0),
        min: Some(1.0),
        max: Some(3.0),
        mean: Some(2.0),
        median: Some(2.0),
        q1: Some(1.5),
        q3: Some(2.5),
        variance: Some(1.0),
        stddev: Some(1.0),
        percentiles: Vec::new(),
        started_at: start,
        finished_at: end,
        elapsed_s: end - start,
        delay_s: 0.0,
        host: "test".into(),
        pid,
        digest: Digest {
            kind: "quantiles".into(),
            version: 1,
            count: 3,
            rank_err: 0,
            q: vec![1.0, 2.0, 3.0],
        },
        notes: Vec::new(),
        checksum: None,
        cpu_s: None,
        max_rss_kib: None,
        workers: None,
        repeat: None,
        passes: None,
    }));
    let mut line = Vec::new();
    dp_core::io::to_json_line(&record, &mut line).unwrap();
    String::from_utf8(line).unwrap()
}

/// `files` records of a run whose jobs each take `each_s`, `jobs` at a time.
pub fn run_lines(run: &str, files: usize, jobs: usize, each_s: f64) -> String {
    let t0 = 1_700_000_000.0;
    (0..files)
        .map(|i| {
            let start = t0 + (i / jobs) as f64 * each_s;
            stats_line(
                run,
                &format!("/data/data{}.txt", i + 1),
                start,
                start + each_s,
                100 + i as u32,
            )
        })
        .collect()
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.len() > 24, "PNG too short: {} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "first chunk is IHDR");
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// The RGB pixels of a PNG dp-plot wrote.
pub fn png_pixels(bytes: &[u8]) -> Vec<[u8; 3]> {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG data decodes");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf[..info.buffer_size()]
        .chunks_exact(3)
        .map(|p| [p[0], p[1], p[2]])
        .collect()
}

/// Width and height from an SVG's root element, after checking it is one.
pub fn svg_size(text: &str) -> (u32, u32) {
    assert!(text.starts_with("<svg "), "SVG root element: {:.80}", text);
    assert!(text.trim_end().ends_with("</svg>"), "SVG is closed");
    let root = &text[..text.find('>').unwrap()];
    let attr = |name: &str| -> u32 {
        let at = root.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        root[at..at + root[at..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    (attr("width"), attr("height"))
}

/// The text of every `<text>` element of an SVG.
pub fn svg_texts(text: &str) -> Vec<String> {
    text.split("<text ")
        .skip(1)
        .map(|element| {
            let body = &element[element.find('>').unwrap() + 1..];
            body[..body.find("</text>").unwrap()].trim().to_owned()
        })
        .collect()
}

/// Decodes standard, padded base64 (RFC 4648), or says why it is not.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if !text.len().is_multiple_of(4) {
        return Err(format!("length {} is not a multiple of 4", text.len()));
    }
    let data = text.trim_end_matches('=');
    if text.len() - data.len() > 2 {
        return Err("more than two '=' of padding".into());
    }
    let mut bytes = Vec::with_capacity(data.len() * 3 / 4);
    let (mut bits, mut held) = (0u32, 0);
    for c in data.bytes() {
        let value = ALPHABET
            .iter()
            .position(|&a| a == c)
            .ok_or_else(|| format!("{:?} is not in the alphabet", char::from(c)))?;
        bits = bits << 6 | value as u32;
        held += 6;
        if held >= 8 {
            held -= 8;
            bytes.push((bits >> held) as u8);
        }
    }
    Ok(bytes)
}

/// The `data:` URLs of an SVG's `@font-face` rules: (font-weight, base64 text).
pub fn svg_font_faces(svg: &str) -> Vec<(String, String)> {
    svg.split("@font-face")
        .skip(1)
        .map(|rule| {
            let value = |key: &str, end: char| {
                let at = rule
                    .find(key)
                    .unwrap_or_else(|| panic!("{key} in @font-face"))
                    + key.len();
                rule[at..at + rule[at..].find(end).unwrap()].to_owned()
            };
            (
                value("font-weight: ", ';'),
                value("url(data:font/ttf;base64,", ')'),
            )
        })
        .collect()
}
