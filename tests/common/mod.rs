//! What the Makefile's tests share beyond dp_testkit: the results a mode
//! left in OUT_DIR, and `make compare`'s comparison block read back.

#![allow(dead_code)] // each test file uses its own part

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use dp_testkit::{Make, names_in};
use serde_json::Value;

/// The result names of data files 1..=N, sorted as [`names_in`] sorts them.
pub fn result_names(files: usize) -> Vec<String> {
    let mut names: Vec<String> = (1..=files)
        .map(|i| format!("data{i}.txt.stats.json"))
        .collect();
    names.sort();
    names
}

/// What a mode's directory holds once its results are written: the
/// results and the manifest that lists them.
pub fn mode_dir_names(files: usize) -> Vec<String> {
    let mut names = result_names(files);
    names.insert(0, dp_core::manifest::FILE_NAME.to_owned());
    names
}

/// The results among `names` (no manifest, no joblog).
pub fn only_results(names: Vec<String>) -> Vec<String> {
    names
        .into_iter()
        .filter(|name| name.ends_with(".stats.json"))
        .collect()
}

/// Where MODE writes its results: `OUT_DIR/MODE`.
pub fn mode_dir(make: &Make, mode: &str) -> PathBuf {
    make.out_dir().join(mode)
}

/// MODE's results, file name → record; each must be one whole record.
pub fn results(make: &Make, mode: &str) -> BTreeMap<String, Value> {
    let dir = mode_dir(make, mode);
    names_in(&dir)
        .into_iter()
        .filter(|name| name.ends_with(".stats.json"))
        .map(|name| {
            let path = dir.join(&name);
            let text = fs::read_to_string(&path).unwrap();
            let mut records = dp_testkit::records(&text);
            assert!(
                text.ends_with('\n') && records.len() == 1,
                "{} is not one record: {text:?}",
                path.display()
            );
            let record = records.remove(0);
            assert_eq!(record["type"], "stats", "{}", path.display());
            (name, record)
        })
        .collect()
}

/// The records of `OUT_DIR/comparison.json`.
pub fn comparison_json(make: &Make) -> Vec<Value> {
    dp_testkit::records(&fs::read_to_string(make.out_dir().join("comparison.json")).unwrap())
}

/// The `=== Performance Comparison ===` block that ends `make compare`'s
/// stdout, checked line by line against the text report's form
/// (docs/reference.md, "Runs"); returns the speedup. `sleep`: each file's
/// sleeping delay, which its average time must be near (spinning files
/// share the cores and take longer; `None` checks no duration).
pub fn performance_comparison(stdout: &str, files: usize, sleep: Option<f64>) -> f64 {
    let block = &stdout[stdout
        .rfind("=== Performance Comparison ===")
        .unwrap_or_else(|| panic!("no comparison block in:\n{stdout}"))..];
    // make compare's last line, after the block, names the HTML report.
    let block = block
        .split_once("\n\ncompare: ")
        .map_or(block, |(block, _)| block);
    let lines: Vec<&str> = block.lines().collect();
    assert_eq!(lines.len(), 13, "{block}");
    let mut totals = Vec::new();
    for (heading, at) in [("Sequential Execution:", 2), ("Parallel Execution:", 7)] {
        assert_eq!(lines[at - 1], "", "{block}");
        assert_eq!(lines[at], heading, "{block}");
        let seconds = |line: &str, label: &str| -> f64 {
            line.strip_prefix(label)
                .and_then(|rest| rest.strip_suffix(" seconds"))
                .unwrap_or_else(|| panic!("{line:?} is not {label:?} N seconds"))
                .parse()
                .unwrap()
        };
        totals.push(seconds(lines[at + 1], "- Total time: "));
        assert_eq!(lines[at + 2], format!("- Processed {files} files"));
        let average = seconds(lines[at + 3], "- Average time per file: ");
        if let Some(delay) = sleep {
            assert!(
                (delay..delay * 1.5 + 0.05).contains(&average),
                "average {average} s for a delay of {delay} s"
            );
        }
    }
    assert_eq!(lines[11], "", "{block}");
    // `4.74x faster with ...`, or on a machine too busy to gain anything,
    // `0.98x (1.02x slower) with ...`.
    let speedup = lines[12]
        .strip_prefix("Speed Improvement: ")
        .and_then(|rest| rest.split_once('x'))
        .filter(|(_, rest)| {
            rest.starts_with(" faster with parallel execution")
                || (rest.starts_with(" (") && rest.contains("x slower) with parallel execution"))
        })
        .map(|(number, _)| number)
        .unwrap_or_else(|| panic!("last line: {:?}", lines[12]));
    assert!(
        speedup.len() >= 4 && speedup.as_bytes()[speedup.len() - 3] == b'.',
        "{speedup} has not two decimals"
    );
    let speedup: f64 = speedup.parse().unwrap();
    // Totals are shown rounded to 0.01 s, the speedup to 0.01: the exact
    // ratio lies between those of the totals' rounding bounds.
    let (lowest, highest) = (
        (totals[0] - 0.005) / (totals[1] + 0.005),
        (totals[0] + 0.005) / (totals[1] - 0.005).max(0.0005),
    );
    assert!(
        (lowest - 0.005..=highest + 0.005).contains(&speedup),
        "speedup {speedup} but totals {totals:?}"
    );
    speedup
}

/// The last line of make compare's (or scaling's, NAME) output, after a
/// blank line: where the HTML report PAGE is, in OUT_DIR.
pub fn page_line(name: &str, out_dir: &std::path::Path, page: &str) -> String {
    format!(
        "\n{name}: the report with its charts, for a browser: {}\n",
        out_dir.join(page).display()
    )
}
