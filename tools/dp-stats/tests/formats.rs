//! `--format csv` and `--format table`: their shape, for the same files.

mod common;

use common::fixture_str;
use dp_testkit::dp;

#[test]
fn csv_has_a_header_and_one_row_per_file_without_the_digest() {
    let good = fixture_str("one_to_ten.txt");
    let bad = fixture_str("bad_token.txt");
    let ran = dp("dp-stats")
        .args(["--format", "csv", "--percentiles", "90", "--run", "r1"])
        .args([&good, &bad])
        .run();
    ran.code_is(1);
    let mut reader = csv::Reader::from_reader(ran.stdout.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let expected_header = "path,run,count,invalid,sum,min,max,mean,median,q1,q3,variance,stddev,\
                           p90,started_at,finished_at,elapsed_s,delay_s,host,pid,error";
    assert_eq!(header.join(","), expected_header);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2, "{}", ran.stdout);
    let cell = |row: &csv::StringRecord, name: &str| {
        let at = header.iter().position(|h| h == name).unwrap();
        row[at].to_owned()
    };
    assert_eq!(cell(&rows[0], "path"), good);
    assert_eq!(cell(&rows[0], "run"), "r1");
    assert_eq!(cell(&rows[0], "count"), "10");
    assert_eq!(cell(&rows[0], "mean"), "5.5");
    assert_eq!(cell(&rows[0], "p90"), "9.1");
    assert_eq!(cell(&rows[0], "error"), "");
    assert_eq!(cell(&rows[1], "path"), bad);
    assert_eq!(cell(&rows[1], "count"), "");
    assert_eq!(
        cell(&rows[1], "error"),
        "line 3: 'abc' is not a finite number"
    );
    assert!(!ran.stdout.contains("digest"));
}

#[test]
fn an_empty_file_gives_empty_csv_cells_for_null_statistics() {
    let ran = dp("dp-stats")
        .args(["--format", "csv", "--percentiles", "50,90"])
        .arg(fixture_str("empty.txt"))
        .run();
    ran.success();
    assert_eq!(ran.stderr, "", "{ran:?}");
    let mut reader = csv::Reader::from_reader(ran.stdout.as_bytes());
    let header = reader.headers().unwrap().clone();
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(row.len(), header.len());
    let cell = |name: &str| row[header.iter().position(|h| h == name).unwrap()].to_owned();
    assert_eq!(cell("count"), "0");
    assert_eq!(cell("sum"), "0.0");
    for name in ["min", "median", "variance", "p50", "p90"] {
        assert_eq!(cell(name), "", "{name}");
    }
}

#[test]
fn the_table_aligns_its_columns_and_shows_errors_in_place() {
    let good = fixture_str("one_to_ten.txt");
    let bad = fixture_str("bad_token.txt");
    let empty = fixture_str("empty.txt");
    let ran = dp("dp-stats")
        .args(["--format", "table", "--percentiles", "90"])
        .args([&good, &bad, &empty])
        .run();
    ran.code_is(1);
    let lines: Vec<&str> = ran.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", ran.stdout);
    let header: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(
        header,
        [
            "file", "count", "mean", "median", "stddev", "min", "max", "q1", "q3", "p90", "sum",
            "invalid", "seconds"
        ]
    );
    // Numbers are right-aligned: every full row ends where the header ends.
    assert_eq!(lines[1].len(), lines[0].len(), "{}", ran.stdout);
    assert_eq!(lines[3].len(), lines[0].len(), "{}", ran.stdout);
    let good_row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(
        &good_row[..5],
        [good.as_str(), "10", "5.5", "5.5", "3.02765"]
    );
    assert!(lines[2].starts_with(&bad), "{}", lines[2]);
    assert!(
        lines[2].ends_with("error: line 3: 'abc' is not a finite number"),
        "{}",
        lines[2]
    );
    let empty_row: Vec<&str> = lines[3].split_whitespace().collect();
    // The time column is a measurement: a number, whatever its value.
    let (seconds, empty_row) = empty_row.split_last().unwrap();
    assert!(
        seconds.parse::<f64>().is_ok_and(|s| s >= 0.0),
        "{}",
        lines[3]
    );
    assert_eq!(
        empty_row,
        [
            empty.as_str(),
            "0",
            "-",
            "-",
            "-",
            "-",
            "-",
            "-",
            "-",
            "-",
            "0",
            "0",
        ]
    );
}
