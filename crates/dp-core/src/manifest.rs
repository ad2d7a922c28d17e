//! Manifests: the files dp wrote, each by its identity, so that cleaning
//! removes a file only while it is still the very file dp wrote — never a
//! user's file that happens to carry the name, nor one that replaced or
//! edited dp's (docs/reference.md, "Makefile").
//!
//! A manifest is JSON Lines of `written` records, appended by the writer as
//! each file is in place (one `write(2)` on an `O_APPEND` file, so several
//! processes may share one manifest and an interrupted run loses nothing).
//! The identity is the file's device and inode, its size and its
//! modification time to the nanosecond, read from the file dp wrote
//! before it was renamed into place.

use std::fs::{self, File, Metadata};
use std::io::{self, BufReader, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::io::{RecordReader, to_json_line};
use crate::record::Record;

/// The manifest a directory of dp's keeps of what dp wrote there
/// (dp-gen's data directory, dp-stats' `--out-dir`).
pub const FILE_NAME: &str = ".dp-manifest.jsonl";

/// What makes a file the one dp wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_ns: i64,
}

impl Identity {
    pub fn of(metadata: &Metadata) -> Self {
        Self {
            dev: metadata.dev(),
            ino: metadata.ino(),
            size: metadata.size(),
            mtime_ns: metadata
                .mtime()
                .saturating_mul(1_000_000_000)
                .saturating_add(metadata.mtime_nsec()),
        }
    }

    /// The identity of what is at `path` now (not following a symlink).
    pub fn at(path: &Path) -> io::Result<Self> {
        fs::symlink_metadata(path).map(|metadata| Self::of(&metadata))
    }
}

/// A file dp wrote: a manifest's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenRecord {
    /// Absolute path (as written, symlinks not resolved).
    pub path: String,
    #[serde(flatten)]
    pub identity: Identity,
}

/// A manifest open for appending.
#[derive(Debug)]
pub struct Manifest {
    file: File,
}

impl Manifest {
    /// Opens (or creates, mode 0644) the manifest at `path` for appending.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = fs::OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o644)
            .open(path)?;
        Ok(Self { file })
    }

    /// Records that dp wrote `path`, which has `identity`, in one write.
    /// Only a regular file is recorded: a device or a FIFO that dp wrote
    /// into (`-o /dev/stdout`) is not dp's to remove.
    pub fn record(&self, path: &Path, identity: Identity) -> io::Result<()> {
        if !fs::symlink_metadata(path)?.is_file() {
            return Ok(());
        }
        let path = std::path::absolute(path)?;
        let path = path
            .to_str()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "the path is not UTF-8"))?;
        let record = Record::Written(WrittenRecord {
            path: path.to_owned(),
            identity,
        });
        let mut line = Vec::with_capacity(256);
        to_json_line(&record, &mut line)?;
        (&self.file).write_all(&line)
    }

    /// Records a file that is already in place (one the caller just wrote).
    pub fn adopt(&self, path: &Path) -> io::Result<()> {
        self.record(path, Identity::at(path)?)
    }
}

/// Records in the manifest at `manifest` (created if need be) that dp
/// wrote `path`, which has `identity`: for a tool's `--manifest FILE`.
pub fn append(manifest: &Path, path: &Path, identity: Identity) -> anyhow::Result<()> {
    Manifest::open(manifest)
        .and_then(|open| open.record(path, identity))
        .map_err(|err| {
            let shown = crate::names::shown(&manifest.display().to_string()).into_owned();
            anyhow::Error::from(err).context(format!("cannot write {shown}"))
        })
}

/// What cleaning did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Cleaned {
    /// Files removed: still the very files dp wrote.
    pub removed: u64,
    /// Listed files kept because they changed since dp wrote them (or were
    /// replaced by another file of that name).
    pub kept: Vec<String>,
    /// Partial files of interrupted writes (`.NAME.PID.NANOS.tmp`) removed.
    pub temporaries: u64,
}

/// Removes what the manifest at `manifest` lists that is still the file dp
/// wrote, the partial files of dp's interrupted writes beside them, the
/// manifest itself, then the directories this left empty. A path listed
/// twice counts by its last record (the file was written again).
pub fn clean(manifest: &Path) -> anyhow::Result<Cleaned> {
    let mut cleaned = Cleaned::default();
    let listed = match File::open(manifest) {
        Ok(file) => read_listed(file, manifest)?,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(cleaned),
        Err(err) => return Err(anyhow::Error::from(err).context(manifest.display().to_string())),
    };
    let mut dirs: Vec<PathBuf> = Vec::new();
    for (path, identity) in &listed {
        let path = Path::new(path);
        if let Some(dir) = path.parent()
            && !dirs.iter().any(|seen| seen == dir)
        {
            dirs.push(dir.to_path_buf());
        }
        let regular = fs::symlink_metadata(path).is_ok_and(|meta| meta.is_file());
        match Identity::at(path) {
            Ok(now) if now == *identity && regular => {
                fs::remove_file(path)?;
                cleaned.removed += 1;
            }
            Ok(_) => cleaned.kept.push(path.display().to_string()),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(anyhow::Error::from(err).context(path.display().to_string())),
        }
    }
    if let Some(dir) = manifest.parent().filter(|dir| !dir.as_os_str().is_empty())
        && !dirs.iter().any(|seen| seen == dir)
    {
        dirs.push(dir.to_path_buf());
    }
    for dir in &dirs {
        cleaned.temporaries += remove_stale_temporaries(dir);
    }
    fs::remove_file(manifest)?;
    // Deepest first, so that a results directory goes before its parent.
    dirs.sort_by_key(|dir| std::cmp::Reverse(dir.components().count()));
    for dir in &dirs {
        let _ = fs::remove_dir(dir); // only if empty: a user's file keeps it
    }
    Ok(cleaned)
}

/// The paths the manifest at `manifest` lists and their identities, the
/// last record of a path winning, in order of first appearance; none when
/// there is no manifest. A writer that must not replace a file dp did not
/// write looks its target up here.
pub fn listed(manifest: &Path) -> anyhow::Result<Vec<(String, Identity)>> {
    match File::open(manifest) {
        Ok(file) => read_listed(file, manifest),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(err) => Err(anyhow::Error::from(err).context(manifest.display().to_string())),
    }
}

fn read_listed(file: File, manifest: &Path) -> anyhow::Result<Vec<(String, Identity)>> {
    let mut listed: Vec<(String, Identity)> = Vec::new();
    let mut index = std::collections::HashMap::new();
    let name = manifest.display().to_string();
    for item in RecordReader::new(BufReader::new(file), name) {
        let (_, record) = item??;
        if let Record::Written(written) = record {
            match index.get(&written.path) {
                Some(&at) => listed[at] = (written.path, written.identity),
                None => {
                    index.insert(written.path.clone(), listed.len());
                    listed.push((written.path, written.identity));
                }
            }
        }
    }
    Ok(listed)
}

/// Removes, in `dir`, the partial files dp's atomic writes leave when a
/// process dies between creating and renaming them where the file system
/// has no anonymous files: `.NAME.PID.NANOS.tmp`, whose process is gone.
fn remove_stale_temporaries(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temporary_pid) else {
            continue;
        };
        let alive = Path::new("/proc").join(pid.to_string()).exists();
        let is_file = entry.file_type().is_ok_and(|kind| kind.is_file());
        if !alive && is_file && fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The process id in a name of the form `.NAME.PID.NANOS.tmp` (NANOS nine
/// digits), the form [`crate::atomic::write_atomic`] gives its partial files.
pub fn temporary_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (rest, nanos) = rest.rsplit_once('.')?;
    let (stem, pid) = rest.rsplit_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (!stem.is_empty() && nanos.len() == 9 && digits(nanos) && digits(pid))
        .then(|| pid.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_recognised_exactly() {
        assert_eq!(temporary_pid(".data1.txt.4242.000123456.tmp"), Some(4242));
        assert_eq!(temporary_pid("data1.txt.4242.000123456.tmp"), None);
        assert_eq!(temporary_pid(".data1.txt.4242.123.tmp"), None);
        assert_eq!(temporary_pid("..4242.000123456.tmp"), None);
        assert_eq!(temporary_pid(".x.pid.000123456.tmp"), None);
    }

    #[test]
    fn cleaning_removes_only_what_is_still_dps() {
        let dir = tempfile::tempdir().unwrap();
        let manifest_path = dir.path().join(".manifest.jsonl");
        let manifest = Manifest::open(&manifest_path).unwrap();
        let ours = dir.path().join("ours.txt");
        let edited = dir.path().join("edited.txt");
        let replaced = dir.path().join("replaced.txt");
        for path in [&ours, &edited, &replaced] {
            fs::write(path, "1\n").unwrap();
            manifest.adopt(path).unwrap();
        }
        // Same size, new content; the clock's tick (a few ms) may not have
        // moved, an editor's save an instant later would have.
        fs::write(&edited, "2\n").unwrap();
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
        File::options()
            .write(true)
            .open(&edited)
            .unwrap()
            .set_modified(later)
            .unwrap();
        fs::remove_file(&replaced).unwrap();
        fs::write(&replaced, "1\n").unwrap(); // same name and size, another file
        let users = dir.path().join("users.txt");
        fs::write(&users, "mine").unwrap();
        let stale = dir.path().join(".ours.txt.999999999.000000001.tmp");
        fs::write(&stale, "partial").unwrap();

        let cleaned = clean(&manifest_path).unwrap();
        assert_eq!(cleaned.removed, 1);
        assert_eq!(cleaned.temporaries, 1);
        assert_eq!(cleaned.kept.len(), 2);
        assert!(!ours.exists() && !stale.exists() && !manifest_path.exists());
        assert!(edited.exists() && replaced.exists() && users.exists());
    }
}
