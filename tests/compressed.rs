//! Compressed data files through the real tools (docs/reference.md,
//! "Compressed files"): dp-gen writes them, dp-stats and dp-agg read them
//! by their magic bytes, whatever their names.

use std::fs;
use std::path::Path;

use dp_testkit::{Make, dp};
use serde_json::Value;

/// What a record says of its text: everything but where and when.
const OF_THE_TEXT: [&str; 12] = [
    "count", "invalid", "sum", "min", "max", "mean", "median", "q1", "q3", "variance", "checksum",
    "digest",
];

/// Writes `files` files of dp-gen's seed 5 into `dir`, compressed so.
fn generate(dir: &Path, compress: &str, files: u32) {
    dp("dp-gen")
        .args(["--seed", "5", "--count", "3000", "--files"])
        .arg(files.to_string())
        .arg("--dir")
        .arg(dir)
        .args(["--compress", compress])
        .run()
        .success();
}

fn stats_of(path: &Path) -> Value {
    let ran = dp("dp-stats").arg(path).run();
    ran.success();
    ran.record()
}

fn assert_same_text(got: &Value, expected: &Value, what: &str) {
    for field in OF_THE_TEXT {
        assert_eq!(got[field], expected[field], "{what}: {field}");
    }
}

#[test]
fn every_format_reads_as_its_text_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    generate(&dir.path().join("none"), "none", 1);
    let plain = dir.path().join("none/data1.txt");
    let expected = stats_of(&plain);
    assert_eq!(expected["count"], 3000);
    for (compress, magic) in [
        ("gz", &[0x1f, 0x8b][..]),
        ("zst", &[0x28, 0xb5, 0x2f, 0xfd]),
        ("xz", &[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]),
    ] {
        generate(&dir.path().join(compress), compress, 1);
        // Named .txt, as dp-gen names every data file.
        let path = dir.path().join(compress).join("data1.txt");
        assert!(fs::read(&path).unwrap().starts_with(magic), "{compress}");
        assert_same_text(&stats_of(&path), &expected, compress);
    }
    // A .gz that holds plain text is text.
    let fake = dir.path().join("plain.gz");
    fs::copy(&plain, &fake).unwrap();
    assert_same_text(&stats_of(&fake), &expected, "plain.gz");
}

#[test]
fn compressed_stdin_and_concatenated_members_read_fully() {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), "gz", 2);
    let first = fs::read(dir.path().join("data1.txt")).unwrap();
    let second = fs::read(dir.path().join("data2.txt")).unwrap();
    let ran = dp("dp-stats").arg("-").stdin(first.clone()).run();
    ran.success();
    assert_same_text(
        &ran.record(),
        &stats_of(&dir.path().join("data1.txt")),
        "gzip on stdin",
    );
    // `cat data1.txt.gz data2.txt.gz | dp-stats -`: both members.
    let both = [first, second].concat();
    let ran = dp("dp-stats").arg("-").stdin(both.clone()).run();
    ran.success();
    assert_eq!(ran.record()["count"], 6000);
    // Zero padding after the members, as gzip(1) allows; anything else
    // there fails the file (a tar-like tail, a second upload appended).
    let padded = [&both[..], &[0; 1000]].concat();
    let ran = dp("dp-stats").arg("-").stdin(padded).run();
    ran.success();
    assert_eq!(ran.record()["count"], 6000);
    let garbage = [&both[..], b"junk\n"].concat();
    let ran = dp("dp-stats").arg("-").stdin(garbage).run();
    ran.code_is(1);
    assert_eq!(
        ran.record()["error"],
        "trailing garbage after the gzip stream"
    );
    ran.stderr_has("dp-stats: -: trailing garbage after the gzip stream");
}

#[test]
fn a_corrupt_or_truncated_stream_fails_its_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for compress in ["gz", "zst", "xz"] {
        let sub = dir.path().join(compress);
        generate(&sub, compress, 1);
        let bytes = fs::read(sub.join("data1.txt")).unwrap();
        let truncated = sub.join("truncated.txt");
        fs::write(&truncated, &bytes[..bytes.len() * 2 / 3]).unwrap();
        let mut corrupt = bytes.clone();
        let middle = corrupt.len() / 2;
        for byte in &mut corrupt[middle..middle + 8] {
            *byte ^= 0x5a;
        }
        let corrupted = sub.join("corrupt.txt");
        fs::write(&corrupted, corrupt).unwrap();
        paths.extend([truncated, corrupted]);
    }
    generate(&dir.path().join("none"), "none", 1);
    let good = dir.path().join("none/data1.txt");
    paths.push(good.clone());
    let ran = dp("dp-stats").args(&paths).run();
    ran.code_is(1);
    let records = ran.records();
    assert_eq!(records.len(), 7, "{}", ran.stdout);
    for (record, path) in records.iter().zip(&paths) {
        assert_eq!(record["path"], path.to_str().unwrap());
    }
    for (i, format) in ["gzip", "zstd", "xz"].into_iter().enumerate() {
        let (truncated, corrupt) = (&records[2 * i], &records[2 * i + 1]);
        assert_eq!(truncated["type"], "error");
        assert_eq!(truncated["error"], format!("truncated {format} stream"));
        assert_eq!(corrupt["error"], format!("corrupt {format} stream"));
        ran.stderr_has(&format!(
            "dp-stats: {}: truncated {format} stream",
            paths[2 * i].display()
        ));
    }
    assert_eq!(records[6]["type"], "stats");
    assert_same_text(&records[6], &stats_of(&good), "the good file");
}

#[test]
fn dp_agg_reads_compressed_files_again_for_exact_quantiles() {
    let dir = tempfile::tempdir().unwrap();
    let summary = |compress: &str| {
        let sub = dir.path().join(compress);
        generate(&sub, compress, 3);
        let ran = dp_testkit::shell(
            &format!("dp-stats {compress}/*.txt | dp-agg --format json"),
            dir.path(),
        );
        ran.success();
        ran.records()
            .into_iter()
            .find(|record| record["type"] == "summary")
            .unwrap()
    };
    let plain = summary("none");
    assert_eq!(plain["quantiles"], "exact");
    for compress in ["gz", "zst", "xz"] {
        let compressed = summary(compress);
        assert_eq!(compressed["quantiles"], "exact", "{compress}");
        for field in ["count", "median", "q1", "q3"] {
            assert_eq!(compressed[field], plain[field], "{compress}: {field}");
        }
    }
}

#[test]
fn make_compare_runs_on_zstd_data_and_make_data_rewrites_it_plain() {
    let make = Make::new(&["FILES=3", "COUNT=200", "DELAY=0", "COMPRESS=zst"]);
    let out = make.ok(&["compare"]);
    assert!(out.contains("Results identical across runs: yes"), "{out}");
    let data = make.data_dir.join("data1.txt");
    assert!(
        fs::read(&data)
            .unwrap()
            .starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
    );
    let ran = make.run(&["verify"]);
    ran.success();
    // The same data asked for plain is not what is there: written again.
    let out = make.ok(&["data", "COMPRESS=none"]);
    assert!(out.contains("data: wrote 3 files"), "{out}");
    assert!(!fs::read(&data).unwrap().starts_with(&[0x28, 0xb5]));
    make.ok(&["verify", "COMPRESS=none"]);
}
