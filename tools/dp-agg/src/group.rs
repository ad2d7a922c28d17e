//! Runs: the records of one `run` label, each file counted once.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

use std::sync::Arc;

use dp_core::cli::Location;
use dp_core::digest::Digest;
use dp_core::record::{ErrorRecord, StatsRecord};
use xxhash_rust::xxh3::{Xxh3DefaultBuilder, xxh3_64};

use crate::digests::{DigestBudget, Stale, placeholder};

/// A run's name as people see it: its label or `(no run)`, control
/// characters escaped (a label is anything a record says).
pub fn shown_name(label: Option<&str>) -> Cow<'_, str> {
    dp_core::names::shown(dp_core::run::name(label))
}

/// Where a record came from, for diagnostics: `SOURCE:LINE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub source: Arc<str>,
    pub line: u64,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let location = Location {
            path: &self.source,
            line: Some(self.line),
        };
        location.fmt(f)
    }
}

/// The outcome for one file of a run: its statistics, or why it failed.
///
/// A run's `stats` record is shared with its repeat ([`Repeat`]).
#[derive(Debug, Clone)]
pub enum Entry {
    Stats(Arc<FileStats>),
    Failed(Box<ErrorRecord>),
}

/// What dp-agg keeps of a `stats` record: everything but its `run` and
/// `host` (its run and repeat know them) and its digest (held apart, to be
/// folded), the statistics and optional numbers without an `Option`'s
/// word each, the rarely used lists behind one pointer. A million records
/// are held at once: 208 bytes each, where a [`StatsRecord`] takes 480.
#[derive(Debug, Clone, PartialEq)]
pub struct FileStats {
    pub path: Box<str>,
    pub count: u64,
    pub invalid: u64,
    /// sum, min, max, mean, median, q1, q3, variance, stddev; NaN for
    /// `null` (a record's are finite: [`StatsRecord::check`]).
    statistics: [f64; 9],
    pub started_at: f64,
    pub finished_at: f64,
    pub elapsed_s: f64,
    pub delay_s: f64,
    pub pid: u32,
    pub checksum: Option<Box<str>>,
    /// `cpu_s`, `max_rss_kib`, `workers`, `repeat` and `passes`, each
    /// meant only when its bit of `present` is set.
    cpu_s: f64,
    max_rss_kib: u64,
    workers: u64,
    repeat: u64,
    passes: u32,
    present: u8,
    /// `percentiles` and `notes`, when the record has either.
    lists: Option<Box<Lists>>,
}

/// The bits of [`FileStats::present`].
const CPU_S: u8 = 1;
const MAX_RSS_KIB: u8 = 2;
const WORKERS: u8 = 4;
const REPEAT: u8 = 8;
const PASSES: u8 = 16;

#[derive(Debug, Clone, PartialEq)]
struct Lists {
    percentiles: Vec<(f64, f64)>,
    notes: Vec<String>,
}

/// The accessors of [`FileStats`]'s statistics, named as the record's.
macro_rules! statistics {
    ($($name:ident = $at:literal),*) => {
        impl FileStats {
            $(
                pub fn $name(&self) -> Option<f64> {
                    Some(self.statistics[$at]).filter(|value| !value.is_nan())
                }
            )*
        }
    };
}

statistics!(
    sum = 0,
    min = 1,
    max = 2,
    mean = 3,
    median = 4,
    q1 = 5,
    q3 = 6,
    variance = 7,
    stddev = 8
);

impl FileStats {
    /// What is kept of `stats`; its digest, run and host are left in it,
    /// its path taken.
    pub fn of(stats: &mut StatsRecord) -> Self {
        let statistics = [
            stats.sum,
            stats.min,
            stats.max,
            stats.mean,
            stats.median,
            stats.q1,
            stats.q3,
            stats.variance,
            stats.stddev,
        ]
        .map(|value| value.unwrap_or(f64::NAN));
        let present = [
            (CPU_S, stats.cpu_s.is_some()),
            (MAX_RSS_KIB, stats.max_rss_kib.is_some()),
            (WORKERS, stats.workers.is_some()),
            (REPEAT, stats.repeat.is_some()),
            (PASSES, stats.passes.is_some()),
        ]
        .into_iter()
        .filter(|&(_, is)| is)
        .fold(0, |bits, (bit, _)| bits | bit);
        let lists = (!stats.percentiles.is_empty() || !stats.notes.is_empty()).then(|| {
            Box::new(Lists {
                percentiles: std::mem::take(&mut stats.percentiles),
                notes: std::mem::take(&mut stats.notes),
            })
        });
        Self {
            path: std::mem::take(&mut stats.path).into_boxed_str(),
            count: stats.count,
            invalid: stats.invalid,
            statistics,
            started_at: stats.started_at,
            finished_at: stats.finished_at,
            elapsed_s: stats.elapsed_s,
            delay_s: stats.delay_s,
            pid: stats.pid,
            checksum: stats.checksum.as_deref().map(Into::into),
            cpu_s: stats.cpu_s.unwrap_or_default(),
            max_rss_kib: stats.max_rss_kib.unwrap_or_default(),
            workers: stats.workers.unwrap_or_default(),
            repeat: stats.repeat.unwrap_or_default(),
            passes: stats.passes.unwrap_or_default(),
            present,
            lists,
        }
    }

    fn present<T>(&self, bit: u8, value: T) -> Option<T> {
        (self.present & bit != 0).then_some(value)
    }

    pub fn cpu_s(&self) -> Option<f64> {
        self.present(CPU_S, self.cpu_s)
    }

    pub fn max_rss_kib(&self) -> Option<u64> {
        self.present(MAX_RSS_KIB, self.max_rss_kib)
    }

    pub fn workers(&self) -> Option<u64> {
        self.present(WORKERS, self.workers)
    }

    pub fn repeat(&self) -> Option<u64> {
        self.present(REPEAT, self.repeat)
    }

    pub fn passes(&self) -> Option<u32> {
        self.present(PASSES, self.passes)
    }

    /// `--percentiles`, as the record's `[[p, value], ...]`.
    pub fn percentiles(&self) -> &[(f64, f64)] {
        self.lists.as_ref().map_or(&[], |lists| &lists.percentiles)
    }

    /// The record's `notes`.
    pub fn notes(&self) -> &[String] {
        self.lists.as_ref().map_or(&[], |lists| &lists.notes)
    }

    /// The record again, with no run, host or digest (for what takes one).
    pub fn record(&self) -> StatsRecord {
        StatsRecord {
            path: self.path.to_string(),
            run: None,
            count: self.count,
            invalid: self.invalid,
            sum: self.sum(),
            min: self.min(),
            max: self.max(),
            mean: self.mean(),
            median: self.median(),
            q1: self.q1(),
            q3: self.q3(),
            variance: self.variance(),
            stddev: self.stddev(),
            percentiles: self.percentiles().to_vec(),
            started_at: self.started_at,
            finished_at: self.finished_at,
            elapsed_s: self.elapsed_s,
            delay_s: self.delay_s,
            host: String::new(),
            pid: self.pid,
            digest: placeholder(),
            notes: self.notes().to_vec(),
            checksum: self.checksum.as_deref().map(Into::into),
            cpu_s: self.cpu_s(),
            max_rss_kib: self.max_rss_kib(),
            workers: self.workers(),
            repeat: self.repeat(),
            passes: self.passes(),
        }
    }
}

/// A file's record as read, for [`Run::add`].
#[derive(Debug)]
pub enum Outcome {
    Stats(Box<ReadStats>),
    Failed(Box<ErrorRecord>),
}

/// A `stats` record made lean where it was parsed: what a run keeps of it
/// ([`FileStats`]), and what places it (run, repeat, host) and folds it
/// (the digest). The record's other strings are then freed by the thread
/// that made them, not by the run's, which works through every record in
/// turn.
#[derive(Debug)]
pub struct ReadStats {
    pub file: FileStats,
    pub run: Option<String>,
    pub host: String,
    pub repeat: Option<u64>,
    pub digest: Digest,
}

impl ReadStats {
    pub fn of(mut stats: StatsRecord) -> Self {
        Self {
            file: FileStats::of(&mut stats),
            run: stats.run,
            host: stats.host,
            repeat: stats.repeat,
            digest: stats.digest,
        }
    }
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
/// Its records were checked on input ([`crate::input`]), digests included.
/// Large runs are held lean: records drop their `run` and `host` (a repeat
/// keeps the hosts by number), each record is held once (by the run and its
/// repeat), and their digests are folded together to fit a
/// [`DigestBudget`].
#[derive(Debug)]
pub struct Run {
    /// The `run` label; `None` for records without one.
    pub label: Option<String>,
    entries: Vec<Entry>,
    places: Vec<Place>,
    index: PathIndex,
    stats: usize,
    /// Values over the run's files.
    values: u64,
    budget: DigestBudget,
    /// The digests not folded yet of the entries with values, by entry.
    digests: BTreeMap<usize, Digest>,
    /// The `repeat` of the run's first `stats` record: its records are the
    /// run's files and statistics ([`Run::entries`]); the other repeats'
    /// records only time the run and are checked against them.
    primary: Option<Option<u64>>,
    /// Every repeat's `stats` records, lean (no digest), by repeat.
    repeats: BTreeMap<Option<u64>, Repeat>,
    /// The `error` records of repeats other than the primary one.
    later_failures: Vec<ErrorRecord>,
}

/// The `stats` records of one repeat of a run, each file once (the later
/// record wins), without their digests: what times the repeat, and what
/// the check that every repeat computed the same compares.
#[derive(Debug, Default)]
pub struct Repeat {
    records: Vec<Arc<FileStats>>,
    /// Where each record was read; empty for the run's first repeat, whose
    /// places are its run's.
    places: Vec<Place>,
    index: PathIndex,
    /// Each record's `host`, as a number into `host_names` (the lean
    /// records drop it; a host name per record would cost more).
    host_of: Vec<u32>,
    host_names: Vec<String>,
    host_numbers: FastMap<String, u32>,
}

impl Repeat {
    /// The repeat's records, in order of first appearance.
    pub fn records(&self) -> impl ExactSizeIterator<Item = &FileStats> + Clone {
        self.records.iter().map(|stats| &**stats)
    }

    /// The record of `path` in this repeat.
    pub fn get(&self, path: &str) -> Option<&FileStats> {
        let records = &self.records;
        self.index
            .get(path, PathHash::of(path), |at| &records[at].path)
            .map(|at| &*records[at])
    }

    /// The repeat's records with the host of each, in order of first
    /// appearance.
    pub fn records_by_host(&self) -> impl Iterator<Item = (&str, &FileStats)> {
        self.host_of
            .iter()
            .map(|&host| self.host_names[host as usize].as_str())
            .zip(self.records())
    }

    /// Adds a record done on `host`, its path of hash `hash`; a path
    /// already present is replaced, and returned.
    /// `place` is kept for a repeat other than its run's first, whose
    /// duplicates are its own.
    fn add(
        &mut self,
        stats: Arc<FileStats>,
        hash: PathHash,
        host: &str,
        place: Option<Place>,
    ) -> Option<Duplicate> {
        // Records come host by host: the last one's, without a look-up.
        let last = self.host_of.last().copied();
        let host = match last.filter(|&last| self.host_names[last as usize] == host) {
            Some(last) => last,
            None => match self.host_numbers.get(host) {
                Some(&number) => number,
                None => {
                    let number = self.host_names.len() as u32;
                    self.host_names.push(host.to_owned());
                    self.host_numbers.insert(host.to_owned(), number);
                    number
                }
            },
        };
        let records = &self.records;
        match self.index.get(&stats.path, hash, |at| &records[at].path) {
            Some(at) => {
                self.records[at] = stats;
                self.host_of[at] = host;
                let first = std::mem::replace(self.places.get_mut(at)?, place?);
                let path = self.records[at].path.clone();
                Some(Duplicate {
                    path: path.into(),
                    first,
                })
            }
            None => {
                self.index.insert(hash, self.records.len());
                self.records.push(stats);
                self.places.extend(place);
                self.host_of.push(host);
                None
            }
        }
    }
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
            index: PathIndex::default(),
            stats: 0,
            values: 0,
            budget: DigestBudget::default(),
            digests: BTreeMap::new(),
            primary: None,
            repeats: BTreeMap::new(),
            later_failures: Vec::new(),
        }
    }

    /// How the run is named to people ([`shown_name`]).
    pub fn shown_name(&self) -> Cow<'_, str> {
        shown_name(self.label.as_deref())
    }

    /// Values over the run's files.
    pub fn values(&self) -> u64 {
        self.values
    }

    /// Adds a file's entry; a path already present is replaced, and reported.
    /// The run's values must stay countable: the caller checks that
    /// [`Run::values`] plus the entry's count fits in a `u64`.
    ///
    /// A `stats` record of a repeat other than the run's first is kept only
    /// in [`Run::repeats`]; a path recorded twice in one repeat is replaced
    /// there too, and reported.
    pub fn add(&mut self, outcome: Outcome, place: Place) -> Option<Duplicate> {
        let hash = PathHash::of(match &outcome {
            Outcome::Stats(read) => &read.file.path,
            Outcome::Failed(error) => &error.path,
        });
        let mut digest = None;
        let entry = match outcome {
            Outcome::Failed(error) => {
                // A later repeat's failure is the file failing again, or
                // a difference between repeats ([`Run::later_failures`]).
                if error.repeat.is_some() {
                    let primary = *self.primary.get_or_insert(error.repeat);
                    if error.repeat != primary {
                        self.later_failures.push(*error);
                        return None;
                    }
                }
                Entry::Failed(error)
            }
            Outcome::Stats(read) => {
                let ReadStats {
                    file,
                    host,
                    repeat: number,
                    digest: mut file_digest,
                    ..
                } = *read;
                // The path copied here, beside the run's other long-lived
                // allocations: left among the parsing threads' short-lived
                // ones, it held more at the peak over a million records
                // (~15 MB with glibc's malloc, ~6 MB with mimalloc).
                let shared = Arc::new(FileStats {
                    path: Box::from(&*file.path),
                    ..file
                });
                let primary = *self.primary.get_or_insert(number);
                let repeat = self.repeats.entry(number).or_default();
                if number != primary {
                    return repeat.add(shared, hash, &host, Some(place));
                }
                // The primary repeat's duplicates are the run's (below).
                repeat.add(shared.clone(), hash, &host, None);
                if shared.count > 0 {
                    self.budget.admit(&mut file_digest);
                    digest = Some(file_digest);
                }
                self.values += shared.count;
                Entry::Stats(shared)
            }
        };
        let is_stats = matches!(entry, Entry::Stats(_));
        let entries = &self.entries;
        let (at, duplicate) = match self.index.get(entry.path(), hash, |at| entries[at].path()) {
            Some(at) => {
                if let Entry::Stats(old) = &self.entries[at] {
                    let points = self.digests.remove(&at).map_or(0, |old| old.q.len());
                    self.budget.release(at, points, old.count);
                    self.stats -= 1;
                    self.values -= old.count;
                }
                let first = std::mem::replace(&mut self.places[at], place);
                let path = entry.path().to_owned();
                self.entries[at] = entry;
                (at, Some(Duplicate { path, first }))
            }
            None => {
                let at = self.entries.len();
                self.index.insert(hash, at);
                self.entries.push(entry);
                self.places.push(place);
                (at, None)
            }
        };
        if let Some(digest) = digest {
            self.digests.insert(at, digest);
        }
        self.stats += usize::from(is_stats);
        if self.budget.is_over() {
            self.budget
                .fold(std::mem::take(&mut self.digests).into_iter());
        }
        duplicate
    }

    /// The digests of the files with values. They may hold values of
    /// records since replaced: see [`Run::stale`].
    pub fn digests(&self) -> Vec<&Digest> {
        self.digests.values().chain(self.budget.folds()).collect()
    }

    /// The run's repeats in order of their `repeat` (records without one
    /// first): one for a run made once.
    pub fn repeats(&self) -> impl Iterator<Item = (Option<u64>, &Repeat)> {
        self.repeats
            .iter()
            .map(|(&repeat, records)| (repeat, records))
    }

    /// How many repeats the run has (0 when no file was processed).
    pub fn repeat_count(&self) -> usize {
        self.repeats.len()
    }

    /// The repeat whose records are [`Run::entries`]: the first one seen.
    pub fn primary_repeat(&self) -> Option<Option<u64>> {
        self.primary
    }

    /// The `error` records of the repeats other than the primary one.
    pub fn later_failures(&self) -> &[ErrorRecord] {
        &self.later_failures
    }

    /// Whether the run was made more than once: records of two repeats,
    /// or a later repeat's failures only.
    pub fn was_repeated(&self) -> bool {
        self.repeat_count() > 1 || !self.later_failures.is_empty()
    }

    /// How many files' digests were merged with others to fit in memory.
    pub fn digests_folded(&self) -> usize {
        self.budget.folded_files()
    }

    /// What the digests hold of records since replaced.
    pub fn stale(&self) -> Stale {
        self.budget.stale()
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
    pub fn stats(&self) -> impl Iterator<Item = &FileStats> {
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
                Entry::Failed(error) => Some(&**error),
                Entry::Stats(_) => None,
            })
            .collect()
    }

    /// The entry recorded for `path`.
    pub fn get(&self, path: &str) -> Option<&Entry> {
        let entries = &self.entries;
        self.index
            .get(path, PathHash::of(path), |at| entries[at].path())
            .map(|at| &entries[at])
    }
}

/// Where each path is among a run's or a repeat's records: an open
/// addressing table of their indices, the paths themselves left in the
/// records (a map from paths held each a second time, with a million
/// records).
#[derive(Debug, Default)]
struct PathIndex {
    /// Per slot: the path's [`PathHash`] and its record's index; `EMPTY` if
    /// none. At most half full. The hash picks the slot too, so that the
    /// table grows without hashing any path again.
    slots: Vec<(u32, u32)>,
    len: usize,
}

/// A path's hash, computed once for each record however many indices it
/// goes into (its run's, its repeat's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PathHash(u32);

impl PathHash {
    fn of(path: &str) -> Self {
        Self(xxh3_64(path.as_bytes()) as u32)
    }
}

const EMPTY: u32 = u32::MAX;

impl PathIndex {
    /// The index of the record of `path` (of hash `hash`), where `path_of`
    /// gives each record's path.
    fn get<'a>(
        &self,
        path: &str,
        hash: PathHash,
        path_of: impl Fn(usize) -> &'a str,
    ) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut slot = hash.0 as usize & mask;
        loop {
            let (tag, at) = self.slots[slot];
            if at == EMPTY {
                return None;
            }
            if tag == hash.0 && path_of(at as usize) == path {
                return Some(at as usize);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Adds a path of hash `hash`, not present yet, as the path of record
    /// `at`.
    fn insert(&mut self, hash: PathHash, at: usize) {
        let at = u32::try_from(at)
            .ok()
            .filter(|&at| at != EMPTY)
            .expect("fewer than 2^32 - 1 records in a run");
        if (self.len + 1) * 2 > self.slots.len() {
            let size = (self.slots.len() * 2).max(16);
            let old = std::mem::replace(&mut self.slots, vec![(0, EMPTY); size]);
            for (tag, old_at) in old.into_iter().filter(|&(_, at)| at != EMPTY) {
                self.place(tag, old_at);
            }
        }
        self.place(hash.0, at);
        self.len += 1;
    }

    fn place(&mut self, tag: u32, at: u32) {
        let mask = self.slots.len() - 1;
        let mut slot = tag as usize & mask;
        while self.slots[slot].1 != EMPTY {
            slot = (slot + 1) & mask;
        }
        self.slots[slot] = (tag, at);
    }
}

/// A map keyed by what every record names (its run label, its host):
/// hashed by XXH3 (the project's checksum), as SipHash, std's default,
/// took 5% of dp-agg's time over 100,000 records. Its resistance to
/// crafted keys is not needed: the records are the user's own.
type FastMap<K, V> = HashMap<K, V, Xxh3DefaultBuilder>;

/// Groups records into runs by label, in order of first appearance.
#[derive(Debug, Default)]
pub struct Grouper {
    runs: Vec<Run>,
    index: FastMap<Option<String>, usize>,
    /// The run last added to: records come run by run, and it is found
    /// without hashing its label.
    recent: usize,
}

impl Grouper {
    /// The run labelled `label`, by its place in `runs`.
    fn find(&self, label: &Option<String>) -> Option<usize> {
        if self
            .runs
            .get(self.recent)
            .is_some_and(|run| run.label == *label)
        {
            return Some(self.recent);
        }
        self.index.get(label).copied()
    }

    /// The values the run labelled `label` holds so far.
    pub fn values(&self, label: &Option<String>) -> u64 {
        self.find(label).map_or(0, |at| self.runs[at].values())
    }

    /// Adds one file's entry to the run it names.
    pub fn add(
        &mut self,
        label: Option<String>,
        outcome: Outcome,
        place: Place,
    ) -> Option<Duplicate> {
        let at = match self.find(&label) {
            Some(at) => at,
            None => {
                self.index.insert(label.clone(), self.runs.len());
                self.runs.push(Run::new(label));
                self.runs.len() - 1
            }
        };
        self.recent = at;
        self.runs[at].add(outcome, place)
    }

    /// The label of the run last added to.
    pub fn recent_label(&self) -> Option<&str> {
        self.runs.get(self.recent)?.label.as_deref()
    }

    pub fn into_runs(self) -> Vec<Run> {
        self.runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_s_statistics_stay_small_and_come_back_whole() {
        // A million are held at once (the type's doc).
        assert!(std::mem::size_of::<FileStats>() <= 208);
        let mut values: Vec<f64> = (0..10).map(f64::from).collect();
        let summary = dp_core::stats::summarize(&mut values, &[25.0]);
        let mut record = StatsRecord::from_summary("a.txt".into(), summary);
        record.repeat = Some(2);
        record.cpu_s = Some(0.5);
        record.variance = None;
        let mut kept = record.clone();
        let stats = FileStats::of(&mut kept);
        assert_eq!(stats.variance(), None);
        assert_eq!(stats.percentiles(), &record.percentiles[..]);
        assert_eq!(stats.workers(), None);
        let digest = std::mem::replace(&mut record.digest, placeholder());
        assert!(digest.count > 0);
        assert_eq!(stats.record(), record);
    }
}
