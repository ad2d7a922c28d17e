//! `--max-memory` over compressed files (docs/reference.md, "Big inputs"):
//! what decompresses a file counts in the limit, and a stream whose window
//! the limit cannot give fails that file by name, the others still
//! processed; given the room, it gives the record of its plain text. The
//! same in dp-stats and in dp-agg's exact re-reading. The files are made by
//! the real `xz` and `zstd` (scripts/test-deps.sh).

use std::path::Path;

use dp_testkit::{dp, installed, shell, skip};
use serde_json::{Map, Value};

/// Writes `plain.txt` and, made by the real commands, `nine.xz` (`xz -9`:
/// a 64 MiB dictionary), `long.zst` (`zstd --long=27` from a pipe: a
/// 128 MiB window) and `six.xz` (`xz`'s default -6: 8 MiB); gives what
/// dp-stats' record of `plain.txt` says of its text, or `None` (the test
/// skips) without xz or zstd.
fn compressed(test: &str, dir: &Path) -> Option<Value> {
    for program in ["xz", "zstd"] {
        if !installed(program) {
            skip(
                test,
                &format!("{program} is not installed (scripts/test-deps.sh)"),
            );
            return None;
        }
    }
    shell(
        "seq 1 50000 > plain.txt && xz -9 < plain.txt > nine.xz && \
         xz < plain.txt > six.xz && cp six.xz six-again.xz && \
         cat plain.txt | zstd -q --long=27 > long.zst",
        dir,
    )
    .success();
    let ran = dp("dp-stats").current_dir(dir).arg("plain.txt").run();
    ran.success();
    Some(of_the_text(&ran.record()))
}

/// What a record says of its text, whatever file held it and however many
/// passes it took (a tight limit may take two).
fn of_the_text(record: &Value) -> Value {
    let fields = [
        "type", "count", "invalid", "sum", "min", "max", "mean", "median", "q1", "q3", "variance",
        "checksum", "digest",
    ];
    let picked: Map<String, Value> = fields
        .iter()
        .map(|&field| (field.to_owned(), record[field].clone()))
        .collect();
    Value::Object(picked)
}

#[test]
fn a_window_over_the_limit_fails_that_file_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let Some(plain) = compressed(
        "a_window_over_the_limit_fails_that_file_by_name",
        dir.path(),
    ) else {
        return;
    };
    for jobs in ["1", "2"] {
        let ran = dp("dp-stats")
            .current_dir(dir.path())
            .args(["--max-memory", "32M", "-j", jobs])
            .args(["nine.xz", "plain.txt", "long.zst"])
            .run();
        ran.code_is(1);
        let records = ran.records();
        for (record, path, needs) in [
            (
                &records[0],
                "nine.xz",
                "68 MiB to decompress (xz dictionary of 64 MiB)",
            ),
            (
                &records[2],
                "long.zst",
                "131 MiB to decompress (zstd window of 128 MiB)",
            ),
        ] {
            assert_eq!(record["type"], "error", "-j {jobs}: {record}");
            assert_eq!(record["path"], path);
            let error = record["error"].as_str().unwrap();
            assert!(
                error.starts_with(&format!("needs {needs}, over the "))
                    && error.ends_with(" MiB that --max-memory 32M leaves for it"),
                "-j {jobs}: {error}"
            );
            ran.stderr_has(&format!("dp-stats: {path}: needs {needs}"));
        }
        assert_eq!(of_the_text(&records[1]), plain, "-j {jobs}");
    }
    // On stdin, the same.
    let ran = dp("dp-stats")
        .args(["--max-memory", "32M", "-"])
        .stdin(std::fs::read(dir.path().join("nine.xz")).unwrap())
        .run();
    ran.code_is(1);
    ran.stderr_has("dp-stats: -: needs 68 MiB to decompress (xz dictionary of 64 MiB)");
    // Given the room, the same files give the plain text's record.
    let ran = dp("dp-stats")
        .current_dir(dir.path())
        .args(["--max-memory", "256M", "nine.xz", "long.zst"])
        .run();
    ran.success();
    for record in ran.records() {
        assert_eq!(of_the_text(&record), plain, "{}", record["path"]);
        assert_eq!(record["passes"], 1, "{}", record["path"]);
    }
}

#[test]
fn decompressors_that_do_not_fit_together_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    let Some(plain) = compressed(
        "decompressors_that_do_not_fit_together_take_turns",
        dir.path(),
    ) else {
        return;
    };
    // -j 2 sets 15 MiB aside for reading: 25 MiB are left, and each
    // six.xz needs 15 MiB. The second waits for the first.
    let ran = dp("dp-stats")
        .current_dir(dir.path())
        .args(["--max-memory", "40M", "-j", "2"])
        .args(["six.xz", "six-again.xz", "six.xz", "plain.txt"])
        .run();
    ran.success();
    for record in ran.records() {
        assert_eq!(of_the_text(&record), plain, "{}", record["path"]);
    }
    // With room for the dictionary but not the pieces ahead (15 MiB), it
    // is decompressed a piece at a time (12 MiB).
    let ran = dp("dp-stats")
        .current_dir(dir.path())
        .args(["--max-memory", "16M", "six.xz"])
        .run();
    ran.success();
    assert_eq!(of_the_text(&ran.record()), plain);
    // Under what one needs, each fails alone, by name.
    let ran = dp("dp-stats")
        .current_dir(dir.path())
        .args(["--max-memory", "12M", "six.xz", "plain.txt"])
        .run();
    ran.code_is(1);
    ran.stderr_has(
        "dp-stats: six.xz: needs 12 MiB to decompress (xz dictionary of 8 MiB), \
         over the 7 MiB that --max-memory 12M leaves for it",
    );
    assert_eq!(of_the_text(&ran.records()[1]), plain);
}

#[test]
fn dp_agg_reads_compressed_files_again_within_the_same_limit() {
    let dir = tempfile::tempdir().unwrap();
    let test = "dp_agg_reads_compressed_files_again_within_the_same_limit";
    if compressed(test, dir.path()).is_none() {
        return;
    }
    shell("dp-stats plain.txt six.xz > compressed.jsonl", dir.path()).success();
    shell(
        "cp plain.txt again.txt && dp-stats plain.txt again.txt > plain.jsonl",
        dir.path(),
    )
    .success();
    let exact = |records: &str, limit: &str| {
        shell(
            &format!("dp-agg --format json --exact --max-memory {limit} {records}"),
            dir.path(),
        )
    };
    let plain = exact("plain.jsonl", "64M");
    plain.success();
    let plain = &plain.records()[0];
    assert_eq!(plain["quantiles"], "exact");
    let ran = exact("compressed.jsonl", "64M");
    ran.success();
    let summary = &ran.records()[0];
    for field in ["quantiles", "count", "median", "q1", "q3"] {
        assert_eq!(summary[field], plain[field], "{field}");
    }
    // dp-agg sets one block aside for reading: 10 MiB of 12 are left, and
    // six.xz needs 12 at the least. Its exact quantiles fail, by name.
    let ran = exact("compressed.jsonl", "12M");
    ran.code_is(1).stderr_has(
        "--exact: cannot read six.xz: needs 12 MiB to decompress (xz dictionary of 8 MiB), \
         over the 10 MiB that --max-memory 12M leaves for it",
    );
}
