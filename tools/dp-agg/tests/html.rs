//! The HTML face as a file: self-contained, the numbers of the other faces,
//! every string escaped, the per-file table capped. What a browser makes of
//! it is tested in the root package (tests/html.rs, headless Chromium).

mod common;

use common::{at, data_dir, dp_agg, error_record, stats_record, values};

#[test]
fn the_page_carries_everything_and_fetches_nothing() {
    let html = dp_agg(&data_dir(), &["--format", "html", "runs.jsonl"], "");
    html.code_is(0);
    let page = &html.stdout;
    assert!(page.starts_with("<!DOCTYPE html>\n"), "{page}");
    assert!(page.trim_end().ends_with("</html>"));
    // SVG's namespace is a name, not a request; nothing else names a URL.
    let without_namespace = page.replace(r#"xmlns="http://www.w3.org/2000/svg""#, "");
    for fetch in ["http:", "https:", "src=", "<link", "@import"] {
        assert!(!without_namespace.contains(fetch), "the page holds {fetch}");
    }
    assert!(page.contains("@font-face") && page.contains("data:font/ttf;base64,"));
    assert!(
        page.contains("default-src 'none'"),
        "no Content-Security-Policy"
    );
    // The comparison and timeline charts, inline.
    assert_eq!(page.matches("<svg ").count(), 2);

    // The speedup as the text face prints it.
    let text = dp_agg(&data_dir(), &["runs.jsonl"], "");
    let line = text
        .stdout
        .lines()
        .find(|l| l.starts_with("Speed Improvement: "))
        .unwrap();
    let speedup = line["Speed Improvement: ".len()..]
        .split(" with")
        .next()
        .unwrap();
    assert!(
        page.contains(&format!("<strong>{speedup}</strong>")),
        "{speedup}"
    );
}

#[test]
fn every_string_from_the_input_is_escaped() {
    let dir = common::temp_dir();
    let run = Some("<i>run</i>");
    let data = values(1, 10, 5.0, 1.0);
    let records = [
        stats_record(r#"a<b>&"c'.txt"#, run, &data, at(0.0)),
        error_record("<script>x.txt", run, "<b>gone</b>"),
    ]
    .concat();
    let ran = dp_agg(
        dir.path(),
        &[
            "--no-exact",
            "--format",
            "html",
            "--setting",
            "WHO=<u>me</u>",
            "--command",
            "make compare X='<s>'",
        ],
        &records,
    );
    ran.code_is(1);
    let page = &ran.stdout;
    for raw in ["<i>", "<b>", "<u>", "<s>", "<script>x"] {
        assert!(!page.contains(raw), "{raw} reached the page as markup");
    }
    for escaped in [
        "&lt;i&gt;run&lt;/i&gt;",
        "a&lt;b&gt;&amp;&quot;c&#39;.txt",
        "&lt;script&gt;x.txt",
        "&lt;b&gt;gone&lt;/b&gt;",
        "<td>WHO</td><td>&lt;u&gt;me&lt;/u&gt;</td>",
        "make compare X=&#39;&lt;s&gt;&#39;",
    ] {
        assert!(page.contains(escaped), "no {escaped}");
    }
}

#[test]
fn the_file_table_stops_at_the_limit_and_says_how_many_more() {
    let dir = common::temp_dir();
    let data = values(2, 5, 5.0, 1.0);
    let records: String = (1..=7)
        .map(|i| stats_record(&format!("data{i}.txt"), Some("r"), &data, at(i as f64)))
        .collect();
    let ran = dp_agg(
        dir.path(),
        &["--no-exact", "--format", "html", "--files-limit", "3"],
        &records,
    );
    ran.code_is(0);
    assert_eq!(ran.stdout.matches("<tr><td>r</td><td>data").count(), 3);
    ran.stdout_has("r: 4 more files not shown");
}

#[test]
fn a_setting_must_be_name_equals_value() {
    dp_agg(
        &data_dir(),
        &["--format", "html", "--setting", "novalue", "runs.jsonl"],
        "",
    )
    .code_is(2)
    .stderr_has("'novalue' is not NAME=VALUE");
}
