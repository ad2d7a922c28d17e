//! Reading a run's data files again, for exact overall quantiles.
//!
//! Runs over the same files (a sequential and a parallel run) have the same
//! values, so the answer is kept by file set and the data read only once.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io;

use dp_core::cli::Location;
use dp_core::parse::read_values;
use dp_core::record::StatsRecord;
use dp_core::stats::summarize;

/// The exact overall quantiles of a run's values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactQuantiles {
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
}

/// Why a run's files could not be read again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RereadError {
    /// The file is gone (or its values came from stdin): the normal case
    /// for records made elsewhere.
    Missing { path: String, reason: String },
    /// The file is there but unreadable, or no longer holds the values its
    /// record describes (`line`: where it stopped making sense).
    Changed {
        path: String,
        line: Option<u64>,
        reason: String,
    },
}

impl fmt::Display for RereadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (path, line, reason) = match self {
            RereadError::Missing { path, reason } => (path, None, reason),
            RereadError::Changed { path, line, reason } => (path, *line, reason),
        };
        write!(f, "{}: {reason}", Location { path, line })
    }
}

/// Reads data files again, once per distinct set of files.
#[derive(Debug, Default)]
pub struct Rereader<'a> {
    known: HashMap<Vec<(&'a str, u64)>, Result<ExactQuantiles, RereadError>>,
}

impl<'a> Rereader<'a> {
    /// The exact quantiles of all the values of `files`, which must still
    /// hold what their records describe.
    pub fn quantiles(&mut self, files: &[&'a StatsRecord]) -> Result<ExactQuantiles, RereadError> {
        let mut key: Vec<(&str, u64)> = files
            .iter()
            .map(|stats| (stats.path.as_str(), stats.count))
            .collect();
        key.sort_unstable();
        if let Some(known) = self.known.get(&key) {
            return known.clone();
        }
        let result = read_all(files);
        self.known.insert(key, result.clone());
        result
    }
}

fn read_all(files: &[&StatsRecord]) -> Result<ExactQuantiles, RereadError> {
    // A file gone is the usual reason not to read: find out before reading
    // (and allocating for) all the others.
    for stats in files {
        if let Some(reason) = missing(&stats.path) {
            return Err(RereadError::Missing {
                path: stats.path.clone(),
                reason,
            });
        }
    }
    let total: u64 = files.iter().map(|stats| stats.count).sum();
    let mut values = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    for stats in files {
        read_file(stats, &mut values)?;
    }
    let summary = summarize(&mut values, &[]);
    Ok(ExactQuantiles {
        median: summary.median,
        q1: summary.q1,
        q3: summary.q3,
    })
}

/// Appends the values of one file, checking they are the ones its record counted.
fn read_file(stats: &StatsRecord, values: &mut Vec<f64>) -> Result<(), RereadError> {
    let path = &stats.path;
    let changed = |reason: String| RereadError::Changed {
        path: path.clone(),
        line: None,
        reason,
    };
    let file = File::open(path).map_err(|err| match err.kind() {
        // Gone since `read_all` looked.
        io::ErrorKind::NotFound => RereadError::Missing {
            path: path.clone(),
            reason: err.to_string(),
        },
        _ => changed(err.to_string()),
    })?;
    let start = values.len();
    // Tokens the record skipped as invalid are skipped again, and counted below.
    read_values(file, values, stats.invalid > 0).map_err(|err| RereadError::Changed {
        path: path.clone(),
        line: err.line(),
        reason: err.to_string(),
    })?;
    let read = &values[start..];
    if read.len() as u64 != stats.count {
        return Err(changed(format!(
            "now holds {} values, its record counted {}",
            read.len(),
            stats.count
        )));
    }
    let min = read.iter().copied().reduce(f64::min);
    let max = read.iter().copied().reduce(f64::max);
    if !same(min, stats.min) || !same(max, stats.max) {
        return Err(changed(
            "its values changed since its record was made (min or max differ)".into(),
        ));
    }
    Ok(())
}

/// Why `path` cannot be there to read, if it cannot.
fn missing(path: &str) -> Option<String> {
    if path == "-" {
        return Some("its values came from stdin".into());
    }
    match std::fs::metadata(path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Some(err.to_string()),
        _ => None,
    }
}

/// Equal as numbers: which zero a minimum keeps is not a change of data.
fn same(a: Option<f64>, b: Option<f64>) -> bool {
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(path: &str, values: &[f64]) -> StatsRecord {
        let mut data = values.to_vec();
        let summary = summarize(&mut data, &[]);
        StatsRecord::from_summary(path.to_owned(), summary)
    }

    #[test]
    fn runs_over_the_same_files_read_them_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.txt");
        std::fs::write(&a, "1\n2\n3\n").unwrap();
        std::fs::write(&b, "10\n20\n").unwrap();
        let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
        let first = record(a, &[1.0, 2.0, 3.0]);
        let second = record(b, &[10.0, 20.0]);
        let mut rereader = Rereader::default();
        let exact = rereader.quantiles(&[&first, &second]).unwrap();
        assert_eq!(exact.median, Some(3.0));
        assert_eq!(exact.q1, Some(2.0));
        assert_eq!(exact.q3, Some(10.0));
        // Gone now, yet the same set of files (in another order) is known.
        std::fs::remove_file(a).unwrap();
        assert_eq!(rereader.quantiles(&[&second, &first]), Ok(exact));
        // Another set is read, and the missing file said to be missing.
        match rereader.quantiles(&[&first]) {
            Err(RereadError::Missing { path, .. }) => assert_eq!(path, a),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_changed_file_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, "1\n2\n4\n").unwrap();
        let stale = record(path.to_str().unwrap(), &[1.0, 2.0, 3.0]);
        let err = Rereader::default().quantiles(&[&stale]).unwrap_err();
        assert!(matches!(err, RereadError::Changed { .. }), "{err}");
        assert!(err.to_string().ends_with("min or max differ)"), "{err}");
    }
}
