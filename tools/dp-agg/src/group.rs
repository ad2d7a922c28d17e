//! Runs: the records of one `run` label, each file counted once.

use std::collections::HashMap;
use std::sync::Arc;

use dp_core::record::{ErrorRecord, StatsRecord};

use crate::digests::{DigestStore, placeholder};

/// Where a record came from, for diagnostics: `SOURCE:LINE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub source: Arc<str>,
    pub line: u64,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.source, self.line)
    }
}

/// The outcome for one file of a run: its statistics, or why it failed.
#[derive(Debug, Clone)]
pub enum Entry {
    Stats(Box<StatsRecord>),
    Failed(ErrorRecord),
}

impl Entry {
    pub fn path(&self) -> &str {
        match self {
            Entry::Stats(stats) => &stats.path,
            Entry::Failed(error) => &error.path,
        }
    }
}

/// All the records of one run label. A path recorded twice keeps its place
/// of first appearance and the content of its later record (a file processed
/// again replaces its earlier result).
///
/// The records are held lean: their digests move to the run's
/// [`DigestStore`], and their `run` and `host` are dropped.
#[derive(Debug)]
pub struct Run {
    /// The `run` label; `None` for records without one.
    pub label: Option<String>,
    entries: Vec<Entry>,
    places: Vec<Place>,
    index: HashMap<String, usize>,
    stats: usize,
    digests: DigestStore,
}

/// A path recorded a second time in one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub path: String,
    pub first: Place,
}

impl Run {
    pub fn new(label: Option<String>) -> Self {
        Self {
            label,
            entries: Vec::new(),
            places: Vec::new(),
            index: HashMap::new(),
            stats: 0,
            digests: DigestStore::new(),
        }
    }

    /// Adds a file's entry; a path already present is replaced, and reported.
    pub fn add(&mut self, mut entry: Entry, place: Place) -> Option<Duplicate> {
        let (digest, count) = match &mut entry {
            Entry::Stats(stats) => {
                stats.run = None;
                stats.host = String::new();
                let digest = std::mem::replace(&mut stats.digest, placeholder());
                (Some(digest), stats.count)
            }
            Entry::Failed(_) => (None, 0),
        };
        let is_stats = digest.is_some();
        let (at, duplicate) = match self.index.get(entry.path()) {
            Some(&at) => {
                let was_stats = matches!(self.entries[at], Entry::Stats(_));
                self.stats = self.stats + usize::from(is_stats) - usize::from(was_stats);
                let first = std::mem::replace(&mut self.places[at], place);
                let path = entry.path().to_owned();
                self.entries[at] = entry;
                (at, Some(Duplicate { path, first }))
            }
            None => {
                self.stats += usize::from(is_stats);
                let at = self.entries.len();
                self.index.insert(entry.path().to_owned(), at);
                self.entries.push(entry);
                self.places.push(place);
                (at, None)
            }
        };
        self.digests.set(at, digest, self.entries[at].path(), count);
        duplicate
    }

    /// The digests of the run's files.
    pub fn digests(&self) -> &DigestStore {
        &self.digests
    }

    /// Every file of the run, in order of first appearance.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// How many files the run has, processed or failed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The files processed, in order of first appearance.
    pub fn stats(&self) -> impl Iterator<Item = &StatsRecord> {
        self.entries.iter().filter_map(|entry| match entry {
            Entry::Stats(stats) => Some(&**stats),
            Entry::Failed(_) => None,
        })
    }

    /// How many files were processed.
    pub fn stats_count(&self) -> usize {
        self.stats
    }

    /// The files that failed, in order of first appearance.
    pub fn errors(&self) -> Vec<&ErrorRecord> {
        self.entries
            .iter()
            .filter_map(|entry| match entry {
                Entry::Failed(error) => Some(error),
                Entry::Stats(_) => None,
            })
            .collect()
    }

    /// The entry recorded for `path`.
    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.index.get(path).map(|&at| &self.entries[at])
    }
}

/// Groups records into runs by label, in order of first appearance.
#[derive(Debug, Default)]
pub struct Grouper {
    runs: Vec<Run>,
    index: HashMap<Option<String>, usize>,
}

impl Grouper {
    /// Adds one file's entry to the run it names.
    pub fn add(&mut self, label: Option<String>, entry: Entry, place: Place) -> Option<Duplicate> {
        let at = match self.index.get(&label) {
            Some(&at) => at,
            None => {
                self.index.insert(label.clone(), self.runs.len());
                self.runs.push(Run::new(label));
                self.runs.len() - 1
            }
        };
        self.runs[at].add(entry, place)
    }

    pub fn into_runs(self) -> Vec<Run> {
        self.runs
    }
}
