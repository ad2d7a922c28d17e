//! dp-stats' command line: its flags, and the parsers of their values.

use std::ffi::OsString;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use dp_core::manual::Manual;
use dp_core::parse::Column;

/// What `--help` and the man page say besides the flags.
pub const MANUAL: Manual = Manual {
    examples: "  dp-stats data1.txt data2.txt            one stats record per file (JSON Lines)
  seq 100 | dp-stats -                    the statistics of numbers on stdin
  ssh h cat big.txt | dp-stats --stdin-name big.txt -   records name it big.txt
  dp-gen --files 20 | dp-stats -j 4       the files dp-gen lists, 4 at once
  find data -name '*.txt' | dp-stats      stdin lists the files, one a line
  dp-stats --format table data/*.txt      aligned columns for people
  dp-stats --delay 250ms --delay-mode spin --run spin data/*.txt
  dp-stats --csv --column price sales.csv --percentiles 90,99
  ls data/*.txt | xargs -P8 -n1 dp-stats > stats.jsonl   records never tear
  ls data/*.txt | DP_WORKERS=8 xargs -P8 -n1 dp-stats   8 at once: records say so
  dp-stats -j 4 --run j4 --repeat 2 data/*.txt   the second repeat of run j4",
    notes: "",
    reads: &["file"],
    writes: &["stats", "error", "written"],
    exit_status: "0 all files processed, 1 some file failed (the others were still
processed, each failure has an error record), 2 usage error.",
};

/// Computes the statistics of numeric data files: count, sum, min, max,
/// mean, median, quartiles, variance and standard deviation, one record per
/// file.
#[derive(Debug, Parser)]
#[command(name = "dp-stats", version, after_help = MANUAL.after_help())]
pub struct Args {
    /// Data files: numbers separated by white space. `-` reads numbers from
    /// stdin. With no FILE, stdin lists the files, one a line, each a path or
    /// a JSON record with a `path` (what dp-gen writes).
    #[arg(value_name = "FILE")]
    pub files: Vec<OsString>,

    /// Process N files at once, on threads. Records keep the input order.
    #[arg(short = 'j', long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,

    /// How many files the run could process at once, as its records say
    /// (`workers`), when an outside runner decides it: make -j, xargs -P,
    /// GNU parallel. Default: -j.
    #[arg(long, value_name = "N", env = "DP_WORKERS", value_parser = parse_workers)]
    pub workers: Option<u64>,

    /// Which repetition of its run this is (1, 2, ...), as its records say
    /// (`repeat`); without it they say null: the run was made once.
    #[arg(long, value_name = "N", env = "DP_REPEAT", value_parser = parse_repeat)]
    pub repeat: Option<u64>,

    /// Artificial processing time added to each file, inside its timing:
    /// `3`, `2.5s`, `250ms`, `1m`.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub delay: Option<Duration>,

    /// How the delay is spent: `sleep` idles, `spin` keeps one core busy
    /// (to simulate CPU-bound work).
    #[arg(long, value_enum, value_name = "MODE", default_value_t = DelayMode::Sleep)]
    pub delay_mode: DelayMode,

    /// Label every record with this run name (dp-agg groups records by run).
    #[arg(long, value_name = "LABEL", env = "DP_RUN")]
    pub run: Option<String>,

    /// Name the records' host NAME instead of this machine's (for
    /// containers and test hosts whose names mean nothing); empty: ignored.
    #[arg(long, value_name = "NAME", env = "DP_HOST")]
    pub host: Option<String>,

    /// Name stdin (`-`) NAME in records and messages, as grep's --label
    /// does: the file the numbers piped in came from.
    #[arg(long, value_name = "NAME", value_parser = non_empty_name)]
    pub stdin_name: Option<String>,

    /// Also write each file's record to DIR/<file name>.stats.json
    /// (atomically; DIR is created).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<OsString>,

    /// Output format: JSON Lines records, CSV (no digest), or an aligned table.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Jsonl)]
    pub format: Format,

    /// Read one column of a CSV file with a header row (see --column).
    #[arg(long, requires = "column")]
    pub csv: bool,

    /// The CSV column to read: its header name, or its 1-based number.
    #[arg(long, value_name = "NAME|INDEX", requires = "csv", value_parser = parse_column)]
    pub column: Option<Column>,

    /// Skip tokens that are not finite numbers, counting them in `invalid`,
    /// instead of failing the file.
    #[arg(long)]
    pub skip_invalid: bool,

    /// Hold at most SIZE of values (`64M`, `2G`; K, M, G are powers of 1024),
    /// shared by the -j threads. Files whose values do not fit are read
    /// again, as many times as their exact quantiles need (`passes`);
    /// numbers on stdin are spilled to $TMPDIR. Default: half of the
    /// machine's memory.
    #[arg(long, value_name = "SIZE", value_parser = dp_core::memory::parse_size)]
    pub max_memory: Option<usize>,

    /// Also compute these percentiles (0 to 100), e.g. `90,99,99.9`.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = parse_percentile)]
    pub percentiles: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DelayMode {
    Sleep,
    Spin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
    Table,
}

/// Parses `3`, `2.5s`, `250ms`, `1.5m`: a finite, non-negative amount of time.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale = match unit {
        "" | "s" => 1.0,
        "ms" => 1e-3,
        "m" => 60.0,
        _ => return Err(format!("unknown unit '{unit}' (use ms, s or m)")),
    };
    let amount: f64 = number
        .trim()
        .parse()
        .ok()
        .filter(|_| number.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        .ok_or_else(|| format!("'{text}' is not a duration such as 3, 2.5s or 250ms"))?;
    Duration::try_from_secs_f64(amount * scale).map_err(|_| format!("'{text}' is too long"))
}

/// `--workers` or `DP_WORKERS`: a positive whole number.
pub fn parse_workers(text: &str) -> Result<u64, String> {
    parse_count(text, "DP_WORKERS")
}

/// `--repeat` or `DP_REPEAT`: a positive whole number.
pub fn parse_repeat(text: &str) -> Result<u64, String> {
    parse_count(text, "DP_REPEAT")
}

/// A positive whole number. Clap names the flag, not the variable, when a
/// variable's value is refused: the message names it.
fn parse_count(text: &str, variable: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(count) if count > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Ok(count),
        _ => Err(format!(
            "'{text}' is not a positive whole number (1, 2, ...), given as the flag or {variable}"
        )),
    }
}

/// A CSV column: all digits is a 1-based index, anything else a header name.
pub fn parse_column(text: &str) -> Result<Column, String> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        match text.parse::<usize>() {
            Ok(0) => Err("column numbers start at 1".into()),
            Ok(index) => Ok(Column::Index(index)),
            Err(_) => Err(format!("column number '{text}' is too large")),
        }
    } else if text.is_empty() {
        Err("the column name is empty".into())
    } else {
        Ok(Column::Name(text.to_owned()))
    }
}

/// One percentile, 0 to 100.
pub fn parse_percentile(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("'{text}' is not a percentile from 0 to 100")),
    }
}

/// A `--stdin-name`: a record's `path` names something.
fn non_empty_name(name: &str) -> Result<String, String> {
    if name.is_empty() {
        return Err("an empty name names nothing".to_owned());
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_seconds_by_default_and_common_units() {
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("2.5s"), Ok(Duration::from_millis(2500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration(".5"), Ok(Duration::from_millis(500)));
    }

    #[test]
    fn durations_refuse_negatives_and_garbage() {
        for bad in [
            "-1", "-0.5s", "abc", "", "s", "1h", "nan", "inf", "1e3", "1 2", "1e400",
        ] {
            assert!(parse_duration(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn counts_are_positive_whole_numbers() {
        assert_eq!(parse_workers("1"), Ok(1));
        assert_eq!(parse_repeat("16"), Ok(16));
        let refused = parse_repeat("x").unwrap_err();
        assert!(refused.contains("DP_REPEAT"), "{refused}");
        for bad in [
            "0",
            "",
            "-1",
            "+2",
            " 3",
            "2.0",
            "x",
            "99999999999999999999999",
        ] {
            assert!(parse_workers(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn columns_are_numbers_or_names() {
        assert_eq!(parse_column("3"), Ok(Column::Index(3)));
        assert_eq!(parse_column("price"), Ok(Column::Name("price".into())));
        assert_eq!(parse_column("x1"), Ok(Column::Name("x1".into())));
        assert!(parse_column("0").is_err());
        assert!(parse_column("").is_err());
    }
}
