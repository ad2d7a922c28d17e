//! docs/reference.md kept true to the code, where that is cheap: its
//! sections are there, every field table names exactly the fields its
//! record serializes, the Makefile's variables (with their defaults) and
//! targets are the ones it documents, and the tests scripts/test-deps.sh
//! says will skip exist.

use std::collections::BTreeSet;
use std::fs;

use dp_core::digest::Digest;
use dp_core::manifest::{Identity, WrittenRecord};
use dp_core::record::{
    ComparisonRecord, Difference, ErrorRecord, FileRecord, HostShare, Prediction, QuantileMethod,
    Record, RunComparison, ScalingPoint, ScalingRecord, StatsRecord, SummaryRecord, TotalTime,
    VerifyRecord,
};
use serde_json::Value;

/// The sections other files point at, by name.
const SECTIONS: [&str; 9] = [
    "Records",
    "Values and statistics",
    "Digest",
    "Runs",
    "HTML report",
    "Exit status",
    "Makefile",
    "Progress",
    "Install",
];

fn read(path: &str) -> String {
    let path = dp_testkit::repo().join(path);
    fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn reference() -> String {
    read("docs/reference.md")
}

/// The text of `## NAME`, up to the next `## ` heading.
fn section<'a>(doc: &'a str, name: &str) -> &'a str {
    let heading = format!("\n## {name}\n");
    let start = doc
        .find(&heading)
        .unwrap_or_else(|| panic!("docs/reference.md has no section {name:?}"))
        + heading.len();
    let end = doc[start..]
        .find("\n## ")
        .map_or(doc.len(), |at| start + at);
    &doc[start..end]
}

/// The text between the first pair of backticks in `text`.
fn first_code(text: &str) -> Option<&str> {
    let start = text.find('`')? + 1;
    let end = start + text[start..].find('`')?;
    Some(&text[start..end])
}

/// The cells of a table row (`| a | b |`), trimmed; `None` for other lines.
fn cells(line: &str) -> Option<Vec<&str>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    Some(inner.split('|').map(str::trim).collect())
}

/// Each `### ` subsection of `text`: its heading's first code span and the
/// names in the first column of its tables.
fn tables(text: &str) -> Vec<(String, BTreeSet<String>)> {
    let mut found: Vec<(String, BTreeSet<String>)> = Vec::new();
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("### ") {
            let name = first_code(heading)
                .unwrap_or_else(|| panic!("heading {heading:?} names no record in `code`"));
            found.push((name.to_owned(), BTreeSet::new()));
        } else if let (Some(row), Some((_, fields))) = (cells(line), found.last_mut())
            && let Some(field) = first_code(row[0])
        {
            fields.insert(field.to_owned());
        }
    }
    found
}

/// One record of each type, every optional field present, so that its
/// serialized form shows every field there is. Every struct is spelled out
/// in full: a new field fails to compile here until it has a sample value.
fn samples() -> Vec<Record> {
    let error = ErrorRecord {
        path: "data2.txt".into(),
        run: Some("sequential".into()),
        error: "'abc' is not a finite number".into(),
        line: Some(17),
        repeat: Some(2),
    };
    vec![
        Record::File(FileRecord {
            path: "data1.txt".into(),
            index: 1,
            count: 3,
            seed: 42,
            dist: "uniform(min=0,max=100)".into(),
            bytes: 30,
        }),
        Record::Verify(VerifyRecord {
            path: "data1.txt".into(),
            index: 1,
            ok: false,
            reason: Some("holds 2 values, expected 3".into()),
        }),
        Record::Stats(Box::new(StatsRecord {
            path: "data1.txt".into(),
            run: Some("sequential".into()),
            count: 3,
            invalid: 1,
            sum: Some(6.0),
            min: Some(1.0),
            max: Some(3.0),
            mean: Some(2.0),
            median: Some(2.0),
            q1: Some(1.5),
            q3: Some(2.5),
            variance: Some(1.0),
            stddev: Some(1.0),
            percentiles: vec![(90.0, 2.8)],
            started_at: 1.0,
            finished_at: 2.0,
            elapsed_s: 1.0,
            delay_s: 0.0,
            host: "localhost".into(),
            pid: 7,
            digest: Digest::from_order_statistics(3, vec![1.0, 2.0, 3.0]),
            notes: vec!["variance: exceeds f64's range".into()],
            checksum: Some(dp_core::checksum::of(b"1\n2\n3\n")),
            cpu_s: Some(0.001),
            max_rss_kib: Some(2048),
            workers: Some(5),
            repeat: Some(1),
            passes: Some(1),
        })),
        Record::Error(error.clone()),
        Record::Summary(Box::new(SummaryRecord {
            run: Some("sequential".into()),
            files: 1,
            failed: 1,
            errors: vec![error],
            count: 3,
            sum: Some(6.0),
            min: Some(1.0),
            max: Some(3.0),
            mean: Some(2.0),
            median: Some(2.0),
            q1: Some(1.5),
            q3: Some(2.5),
            variance: Some(1.0),
            stddev: Some(1.0),
            notes: vec!["sum unknown: data3.txt's sum exceeds f64's range".into()],
            quantiles: QuantileMethod::Digest,
            rank_err: Some(0.0),
            started_at: Some(1.0),
            finished_at: Some(2.0),
            wall_s: Some(1.0),
            mean_elapsed_s: Some(1.0),
            sum_elapsed_s: 1.0,
            skipped_lines: 0,
            unread_sources: 0,
            repeats: 3,
            total_s: Some(TotalTime {
                mean: 1.0,
                stddev: Some(0.01),
                min: 0.99,
                max: 1.01,
            }),
            cpu_s: Some(0.5),
            cores_busy: Some(0.5),
            max_rss_kib: Some(2048),
            hosts: vec![HostShare {
                host: "node1".into(),
                files: 3,
                busy_s: 9.1,
            }],
        })),
        Record::Scaling(ScalingRecord {
            mode: Some("parallel".into()),
            points: vec![ScalingPoint {
                run: Some("parallel-j2".into()),
                workers: 2,
                total_s: 5.0,
                total_stddev_s: Some(0.1),
                speedup: 1.6,
                efficiency: 0.8,
                karp_flatt: Some(0.25),
            }],
            serial_fraction: Some(0.25),
            amdahl_limit: Some(4.0),
            predicted: Some(Prediction {
                workers: 8,
                speedup: 32.0 / 11.0,
            }),
        }),
        Record::Written(WrittenRecord {
            path: "/tmp/data_processing/data1.txt".into(),
            identity: Identity {
                dev: 2049,
                ino: 131_077,
                size: 30,
                mtime_ns: 1_700_000_000_123_456_789,
            },
        }),
        Record::Comparison(ComparisonRecord {
            baseline: Some("sequential".into()),
            runs: vec![RunComparison {
                run: Some("sequential".into()),
                files: 1,
                failed: 0,
                wall_s: Some(1.0),
                mean_elapsed_s: Some(1.0),
                speedup: Some(1.0),
                saved_pct: Some(0.0),
                repeats: 3,
                speedup_stddev: Some(0.01),
                overhead_per_file_s: Some(0.16),
                overhead_over_local_s: Some(0.15),
            }],
            identical: false,
            differences: vec![Difference {
                run: Some("parallel".into()),
                path: "data1.txt".into(),
                field: "sum".into(),
                message: "sum is 6 in run parallel, 7 in run sequential".into(),
            }],
        }),
    ]
}

/// A record type's `type`; a new type fails to compile here until it has
/// a sample above and a table in the docs.
fn type_name(record: &Record) -> &'static str {
    match record {
        Record::File(_) => "file",
        Record::Verify(_) => "verify",
        Record::Stats(_) => "stats",
        Record::Error(_) => "error",
        Record::Summary(_) => "summary",
        Record::Comparison(_) => "comparison",
        Record::Written(_) => "written",
        Record::Scaling(_) => "scaling",
        Record::Unknown => unreachable!("not a record dp writes"),
    }
}

/// The object a table heading names: `stats`, `stats.digest`,
/// `comparison.runs[]` (the first element of an array).
fn object_at<'a>(records: &'a [(String, Value)], path: &str) -> &'a Value {
    let mut parts = path.split('.');
    let kind = parts.next().unwrap();
    let mut value = &records
        .iter()
        .find(|(name, _)| name == kind)
        .unwrap_or_else(|| panic!("docs name a record type {kind:?} dp does not have"))
        .1;
    for part in parts {
        value = match part.strip_suffix("[]") {
            Some(array) => &value[array][0],
            None => &value[part],
        };
    }
    assert!(value.is_object(), "{path} is not an object: {value}");
    value
}

#[test]
fn the_reference_has_the_sections_the_code_points_at() {
    let doc = reference();
    for name in SECTIONS {
        section(&doc, name);
    }
}

#[test]
fn every_record_table_names_exactly_the_fields_the_record_has() {
    let doc = reference();
    let records: Vec<(String, Value)> = samples()
        .iter()
        .map(|record| {
            let value = serde_json::to_value(record).unwrap();
            assert_eq!(value["type"], type_name(record), "{value}");
            (type_name(record).to_owned(), value)
        })
        .collect();
    let tables = tables(section(&doc, "Records"));
    for (kind, _) in &records {
        assert!(
            tables.iter().any(|(name, _)| name == kind),
            "docs/reference.md, \"Records\": no table for `{kind}`"
        );
    }
    for (path, documented) in &tables {
        let actual: BTreeSet<String> = object_at(&records, path)
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let undocumented: Vec<_> = actual.difference(documented).collect();
        let gone: Vec<_> = documented.difference(&actual).collect();
        assert!(
            undocumented.is_empty() && gone.is_empty(),
            "docs/reference.md, \"Records\", `{path}`: fields not documented {undocumented:?}, \
             documented but not in the record {gone:?}"
        );
    }
}

/// The Makefile's `NAME ?= default` variables, and every name it assigns.
fn makefile_variables() -> (Vec<(String, String)>, BTreeSet<String>) {
    let makefile = read("Makefile");
    let mut defaults = Vec::new();
    let mut assigned = BTreeSet::new();
    for line in makefile.lines() {
        for op in ["?=", ":=", "+=", "="] {
            let Some((name, value)) = line.split_once(op) else {
                continue;
            };
            let name = name.trim();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
                continue;
            }
            assigned.insert(name.to_owned());
            if op == "?=" {
                defaults.push((name.to_owned(), value.trim().to_owned()));
            }
            break;
        }
    }
    (defaults, assigned)
}

#[test]
fn the_makefiles_variables_and_defaults_are_the_documented_ones() {
    let doc = reference();
    let mut documented = Vec::new();
    for row in section(&doc, "Makefile").lines().filter_map(cells) {
        if let Some(name) = first_code(row[0])
            && name.chars().all(|c| c.is_ascii_alphabetic() || c == '_')
        {
            let default = if row[1] == "(empty)" {
                ""
            } else {
                first_code(row[1]).unwrap_or_else(|| panic!("{name}'s default: {:?}", row[1]))
            };
            documented.push((name.to_owned(), default.to_owned()));
        }
    }
    let (defaults, assigned) = makefile_variables();
    for (name, default) in &documented {
        assert!(
            assigned.contains(name),
            "docs/reference.md documents {name}, which the Makefile does not set"
        );
        if let Some((_, actual)) = defaults.iter().find(|(n, _)| n == name) {
            assert_eq!(default, actual, "docs/reference.md: {name}'s default");
        }
    }
    for (name, _) in &defaults {
        assert!(
            documented.iter().any(|(n, _)| n == name),
            "the Makefile's {name} ?= is not in docs/reference.md, \"Makefile\""
        );
    }
}

#[test]
fn the_makefiles_targets_are_the_documented_ones() {
    let doc = reference();
    let mut documented = BTreeSet::new();
    for row in section(&doc, "Makefile").lines().filter_map(cells) {
        for code in row[0].split('`').skip(1).step_by(2) {
            if let Some(target) = code.strip_prefix("make ") {
                documented.insert(target.to_owned());
            }
        }
    }
    // What `make help` lists: the targets with a `## ` description.
    let listed: BTreeSet<String> = read("Makefile")
        .lines()
        .filter(|line| line.contains(" ## "))
        .filter_map(|line| line.split_once(':'))
        .map(|(target, _)| target.to_owned())
        .filter(|target| target.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        .collect();
    assert_eq!(
        documented, listed,
        "docs/reference.md, \"Makefile\": targets"
    );
}

#[test]
fn the_tests_test_deps_says_will_skip_exist() {
    let script = read("scripts/test-deps.sh");
    // Tests are named file::function, each a word of its own.
    let is_name = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    let named: Vec<&str> = script
        .split_whitespace()
        .filter(|word| {
            word.split_once("::")
                .is_some_and(|(file, function)| is_name(file) && is_name(function))
        })
        .collect();
    assert!(!named.is_empty(), "scripts/test-deps.sh names no test");
    for test in named {
        let (file, function) = test.split_once("::").unwrap();
        let source = read(&format!("tests/{file}.rs"));
        assert!(
            source.contains(&format!("fn {function}()")),
            "scripts/test-deps.sh names {test}, which tests/{file}.rs does not have"
        );
    }
}
