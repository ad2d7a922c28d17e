//! `--out-dir`: each `stats` record also goes to `DIR/<file name>.stats.json`,
//! written by the worker that computed it, so several cores create files at
//! once.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use anyhow::Context;
use dp_core::io::{to_json_line, write_atomic};
use dp_core::record::Record;

use crate::input::STDIN_NAME;

/// The result files of one run, shared by the workers.
pub struct OutDir {
    dir: PathBuf,
    /// For each result file, the input position whose record it holds, each
    /// behind its own lock: of two inputs with the same file name the later
    /// one's record stays, whichever finishes first, while files of different
    /// names are written in parallel.
    holders: Mutex<HashMap<PathBuf, Arc<Mutex<Option<usize>>>>>,
}

impl OutDir {
    /// Creates the directory (and its parents) now, before any work.
    pub fn create(dir: &Path) -> anyhow::Result<Self> {
        dp_core::io::create_dir_all(dir)
            .with_context(|| format!("cannot create directory {}", dir.display()))?;
        Ok(Self {
            dir: dir.to_owned(),
            holders: Mutex::new(HashMap::new()),
        })
    }

    /// Writes the file of a `stats` record, that of input number `position`,
    /// atomically (an `error` record writes nothing, so `make` retries that
    /// file); `line` is scratch space. Returns a warning when two inputs of
    /// this run share a file name.
    pub fn write(
        &self,
        position: usize,
        record: &Record,
        line: &mut Vec<u8>,
    ) -> anyhow::Result<Option<String>> {
        let Record::Stats(stats) = record else {
            return Ok(None);
        };
        let path = self.dir.join(result_file_name(&stats.path));
        let holder = Arc::clone(lock(&self.holders).entry(path.clone()).or_default());
        let mut holder = lock(&holder);
        if holder.is_some_and(|held| held > position) {
            return Ok(Some(format!(
                "{}: not written to {}: it holds the record of a later file of the same name",
                stats.path,
                path.display()
            )));
        }
        line.clear();
        to_json_line(record, line)?;
        write_atomic(&path, |out| Ok(out.write_all(line)?))?;
        let warning = holder.is_some().then(|| {
            format!(
                "{}: overwrites {} written for another file of the same name",
                stats.path,
                path.display()
            )
        });
        *holder = Some(position);
        Ok(warning)
    }
}

/// A panic elsewhere leaves the map as consistent as it was: go on.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `data1.txt` → `data1.txt.stats.json`; stdin's is `stdin.stats.json`.
fn result_file_name(path: &str) -> PathBuf {
    let name = if path == STDIN_NAME {
        OsStr::new("stdin")
    } else {
        Path::new(path)
            .file_name()
            .unwrap_or_else(|| OsStr::new("stdin"))
    };
    let mut name = name.to_owned();
    name.push(".stats.json");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dp_core::record::StatsRecord;
    use dp_core::stats::summarize;

    fn stats(path: &str, value: f64) -> Record {
        let summary = summarize(&mut [value], &[]);
        Record::Stats(Box::new(StatsRecord::from_summary(
            path.to_owned(),
            summary,
        )))
    }

    #[test]
    fn result_files_are_named_after_the_input() {
        assert_eq!(
            result_file_name("/tmp/d/data1.txt"),
            Path::new("data1.txt.stats.json")
        );
        assert_eq!(result_file_name("-"), Path::new("stdin.stats.json"));
    }

    #[test]
    fn of_two_inputs_with_one_name_the_later_keeps_the_file_whatever_finishes_first() {
        let dir = tempfile::tempdir().unwrap();
        let (earlier, later) = (stats("a/data.txt", 1.0), stats("b/data.txt", 2.0));
        let mut line = Vec::new();
        let kept = |line: &mut Vec<u8>| {
            line.clear();
            to_json_line(&later, line).unwrap();
            let written = std::fs::read(dir.path().join("data.txt.stats.json")).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&written),
                String::from_utf8_lossy(line)
            );
        };

        let in_order = OutDir::create(dir.path()).unwrap();
        assert_eq!(in_order.write(0, &earlier, &mut line).unwrap(), None);
        let warning = in_order.write(1, &later, &mut line).unwrap().unwrap();
        assert!(warning.starts_with("b/data.txt: overwrites"), "{warning}");
        kept(&mut line);

        let later_first = OutDir::create(dir.path()).unwrap();
        assert_eq!(later_first.write(1, &later, &mut line).unwrap(), None);
        let warning = later_first.write(0, &earlier, &mut line).unwrap().unwrap();
        assert!(warning.starts_with("a/data.txt: not written"), "{warning}");
        kept(&mut line);
    }

    #[test]
    fn an_error_record_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = OutDir::create(dir.path()).unwrap();
        let error = Record::Error(dp_core::record::ErrorRecord {
            path: "x.txt".into(),
            run: None,
            error: "missing".into(),
            line: None,
        });
        assert_eq!(out_dir.write(0, &error, &mut Vec::new()).unwrap(), None);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
