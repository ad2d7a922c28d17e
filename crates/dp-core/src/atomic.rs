//! Files that appear whole or not at all: every file dp writes (data,
//! per-file results, reports, charts) goes to a temporary file beside it,
//! renamed over the target only once complete.
//!
//! Where the file system allows it the temporary file is anonymous
//! (`O_TMPFILE`), so even `kill -9` leaves nothing behind; it gets a name
//! only for the instant between linking and renaming it. Elsewhere (vfat,
//! CIFS, some NFS) it is named `.NAME.PID.NANOS.tmp` from the start: such
//! names are removed on SIGINT, SIGTERM and SIGHUP before the process dies
//! of the signal, and `make clean` knows the pattern for what `kill -9`
//! leaves ([`crate::manifest`]). O_TMPFILE measured 2.0× faster than a
//! named temporary file on 2,000 small files here, so it stays the first
//! choice.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

use anyhow::Context;
use rustix::fs::{Mode, OFlags};

use crate::manifest::Identity;

/// Set (to anything) to write as if the file system had no `O_TMPFILE`:
/// how the tests reach the named-temporary path on any file system.
pub const NO_TMPFILE_ENV: &str = "DP_NO_O_TMPFILE";

/// Writes `path` atomically: `fill` writes the content, which replaces
/// `path` only once complete. Readers see the old file or the new one, never
/// a part; a failed `fill` leaves nothing behind and the old file as it was.
/// Returns the identity of the file written, for a manifest. Errors name
/// `path`, never the temporary file. A target that exists and is not a
/// regular file (a device, a FIFO) is written to in place, not replaced.
pub fn write_atomic<F>(path: &Path, fill: F) -> anyhow::Result<Identity>
where
    F: FnOnce(&mut BufWriter<&File>) -> anyhow::Result<()>,
{
    let context = || {
        format!(
            "cannot write {}",
            crate::names::shown(&path.display().to_string())
        )
    };
    if let Ok(metadata) = fs::metadata(path)
        && !metadata.is_file()
        && !metadata.is_dir()
    {
        return write_in_place(path, fill).with_context(context);
    }
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let write = |file: &File| -> anyhow::Result<Identity> {
        let mut out = BufWriter::with_capacity(1 << 16, file);
        fill(&mut out)?;
        out.flush()?;
        Ok(Identity::of(&file.metadata()?))
    };
    match open_anonymous(dir, OFlags::WRONLY, 0o644) {
        Ok(file) => {
            let identity = write(&file).with_context(context)?;
            let temp = Temporary::new(path);
            link_anonymous(&file, &temp.path).with_context(context)?;
            temp.rename_to(path).with_context(context)?;
            Ok(identity)
        }
        Err(_) => {
            let temp = Temporary::new(path);
            let file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o644)
                .open(&temp.path)
                .with_context(context)?;
            let identity = write(&file).with_context(context)?;
            drop(file);
            temp.rename_to(path).with_context(context)?;
            Ok(identity)
        }
    }
}

/// Writes into a target that is not a regular file (`/dev/stdout`, a FIFO,
/// a terminal) as it is: renaming a file over it would replace the device
/// or the pipe. Such a target is never recorded in a manifest.
fn write_in_place<F>(path: &Path, fill: F) -> anyhow::Result<Identity>
where
    F: FnOnce(&mut BufWriter<&File>) -> anyhow::Result<()>,
{
    let file = fs::OpenOptions::new().write(true).open(path)?;
    let mut out = BufWriter::with_capacity(1 << 16, &file);
    fill(&mut out)?;
    out.flush()?;
    Ok(Identity::of(&file.metadata()?))
}

/// A named temporary file beside its target, removed when dropped unless
/// renamed, and on the signals that end a process politely.
struct Temporary {
    path: PathBuf,
}

/// `.NAME.PID.NANOS.tmp` beside `target` (named NAME).
fn temporary_name(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let unique = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    target.with_file_name(format!(".{name}.{}.{unique:09}.tmp", std::process::id()))
}

impl Temporary {
    fn new(target: &Path) -> Self {
        let path = temporary_name(target);
        pending().push(path.clone());
        remove_pending_on_signals();
        Self { path }
    }

    fn rename_to(self, target: &Path) -> io::Result<()> {
        fs::rename(&self.path, target)
        // Dropped either way: a failed rename removes the temporary file.
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
        pending().retain(|pending| *pending != self.path);
    }
}

/// A scratch file of this process (a spill of values too many to hold) in
/// `dir`, with no name: anonymous (`O_TMPFILE`) where the file system
/// allows it, else named `.dp-NAME.PID.NANOS.tmp` and removed at once. Its
/// space is freed when the file is closed, however the process ends: even
/// `kill -9` leaves nothing behind (a named spill did, as big as stdin).
pub fn scratch_file(dir: &Path, name: &str) -> io::Result<File> {
    if let Ok(file) = open_anonymous(dir, OFlags::RDWR, 0o600) {
        return Ok(file);
    }
    let path = temporary_name(&dir.join(format!("dp-{name}")));
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)?;
    fs::remove_file(&path)?;
    Ok(file)
}

/// The named temporary files that exist now, to remove on a signal.
fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    PENDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Once per process, a thread that waits for SIGINT, SIGTERM or SIGHUP,
/// removes the pending temporary files and then lets the signal end the
/// process as it would have (so make and the shell see the signal).
fn remove_pending_on_signals() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                for path in pending().drain(..) {
                    let _ = fs::remove_file(path);
                }
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        });
    });
}

/// A file without a name in `dir` (`O_TMPFILE`); refused, as on a file
/// system without it, when [`NO_TMPFILE_ENV`] is set.
fn open_anonymous(dir: &Path, access: OFlags, mode: u32) -> io::Result<File> {
    if std::env::var_os(NO_TMPFILE_ENV).is_some() {
        return Err(io::ErrorKind::Unsupported.into());
    }
    let fd = rustix::fs::open(
        dir,
        OFlags::TMPFILE | access | OFlags::CLOEXEC,
        Mode::from_raw_mode(mode),
    )?;
    Ok(File::from(fd))
}

fn link_anonymous(file: &File, to: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let proc_path = format!("/proc/self/fd/{}", file.as_raw_fd());
    rustix::fs::linkat(
        rustix::fs::CWD,
        proc_path.as_str(),
        rustix::fs::CWD,
        to,
        rustix::fs::AtFlags::SYMLINK_FOLLOW,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileTypeExt;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn atomic_write_replaces_whole_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_atomic(&path, |w| Ok(w.write_all(b"first\n")?)).unwrap();
        let identity = write_atomic(&path, |w| Ok(w.write_all(b"second\n")?)).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "second\n");
        assert_eq!(names_in(dir.path()), ["out.txt"]);
        assert_eq!(Identity::at(&path).unwrap(), identity);
    }

    #[test]
    fn failed_atomic_write_keeps_the_old_file_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        fs::write(&path, "old\n").unwrap();
        let result = write_atomic(&path, |w| {
            w.write_all(b"half")?;
            anyhow::bail!("interrupted")
        });
        let message = format!("{:#}", result.unwrap_err());
        assert!(
            message.starts_with(&format!("cannot write {}", path.display())),
            "{message}"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "old\n");
        assert_eq!(names_in(dir.path()), ["out.txt"]);
    }

    #[test]
    fn a_device_is_written_to_not_replaced() {
        let identity = write_atomic(Path::new("/dev/null"), |w| Ok(w.write_all(b"gone")?)).unwrap();
        assert!(
            fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
        assert_eq!(identity.size, 0);
    }

    #[test]
    fn a_failed_rename_leaves_no_named_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a-directory");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), "x").unwrap();
        let result = write_atomic(&target, |w| Ok(w.write_all(b"x")?));
        let message = format!("{:#}", result.unwrap_err());
        assert!(!message.contains(".a-directory."), "{message}");
        assert_eq!(names_in(dir.path()), ["a-directory"]);
    }
}
