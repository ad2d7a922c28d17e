//! With `--embed-font` SVGs carry their font: Noto Sans as `@font-face` data
//! URLs, one per face the text uses, so any browser draws what the layout
//! measured. Without it they stay small.

mod common;

use common::*;

/// The SVG dp-plot writes for `kind` from the fixture runs, with `--embed-font`.
fn chart_svg(kind: &str) -> String {
    svg_of(kind, &["--embed-font"])
}

/// The SVG dp-plot writes for `kind` from the fixture runs, with `flags`.
fn svg_of(kind: &str, flags: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chart.svg");
    let fixture = data("runs.jsonl");
    let mut args = vec![
        "--kind",
        kind,
        "-o",
        out.to_str().unwrap(),
        fixture.to_str().unwrap(),
    ];
    args.extend_from_slice(flags);
    let ran = dp_plot(&args).run();
    ran.success();
    std::fs::read_to_string(&out).unwrap()
}

#[test]
fn the_test_decoder_agrees_with_rfc_4648() {
    for (plain, encoded) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64_decode(encoded).unwrap(), plain.as_bytes());
    }
    assert!(base64_decode("Zm9").is_err());
    assert!(base64_decode("Zm9*").is_err());
}

#[test]
fn without_embed_font_svgs_stay_small_and_use_the_viewers_fonts() {
    for kind in ["comparison", "timeline"] {
        let svg = svg_of(kind, &[]);
        assert!(!svg.contains("@font-face"), "{kind}");
        assert!(svg.len() < 50_000, "{kind}: {} bytes", svg.len());
        assert!(svg.contains(r#"font-family="Noto Sans, sans-serif""#));
    }
}

#[test]
fn every_svg_embeds_the_regular_and_bold_faces_its_text_uses_once() {
    for kind in ["comparison", "timeline"] {
        let svg = chart_svg(kind);
        // Both charts have a bold title and regular labels.
        assert!(svg.contains(r#"font-weight="bold""#), "{kind}: bold text");
        let faces = svg_font_faces(&svg);
        let weights: Vec<&str> = faces.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(weights, ["normal", "bold"], "{kind}: one @font-face each");
        for ((weight, base64), font) in faces
            .iter()
            .zip([ttf_noto_sans::REGULAR, ttf_noto_sans::BOLD])
        {
            let bytes = base64_decode(base64).unwrap_or_else(|e| panic!("{kind} {weight}: {e}"));
            assert!(
                bytes.starts_with(&[0, 1, 0, 0]) || bytes.starts_with(b"OTTO"),
                "{kind} {weight}: not a TrueType/OpenType font: {:02x?}",
                &bytes[..4.min(bytes.len())]
            );
            assert!(
                bytes == font,
                "{kind} {weight}: not the font the layout measured"
            );
        }
        // The rules name the family the text asks for first.
        assert!(svg.contains(r#"font-family="Noto Sans, sans-serif""#));
        assert_eq!(svg.matches(r#"font-family: "Noto Sans";"#).count(), 2);
    }
}

#[test]
fn the_fonts_sit_in_defs_right_after_the_root_tag() {
    let svg = chart_svg("comparison");
    assert_eq!(svg_size(&svg), (1000, 600));
    let root_end = svg.find('>').unwrap() + 1;
    assert!(svg.starts_with("<svg "));
    assert_eq!(
        &svg[root_end..root_end + "\n<defs><style>".len()],
        "\n<defs><style>"
    );
    let defs_end = svg.find("</style></defs>").expect("defs closed");
    assert_eq!(svg.matches("<defs>").count(), 1);
    assert!(defs_end < svg.find("<text ").unwrap(), "fonts before text");
    assert!(svg.ends_with("</svg>\n"), "{:?}", &svg[svg.len() - 20..]);
    // Nothing in the style needs XML escaping.
    let style = &svg[root_end + "\n<defs><style>".len()..defs_end];
    assert!(!style.contains(['&', '<']), "style text is plain XML");
}
