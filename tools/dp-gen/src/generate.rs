//! Writing the data files, each atomically and recorded in the directory's
//! manifest as soon as it is in place (so an interrupted run loses no
//! record of what it wrote), and one `file` record per file on stdout in
//! index order; before that, the directory they go in.

use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;
use dp_core::atomic::write_atomic;
use dp_core::cli::{self, usage};
use dp_core::io::{RECORDS_TO_STDOUT, RecordWriter};
use dp_core::manifest::{self, Identity, Manifest};
use dp_core::pool::{Cancelled, for_each_in_order};
use dp_core::record::{ErrorRecord, FileRecord, Record};

use crate::plan::Plan;

/// Formatted values collect in a buffer of this size before each write.
const CHUNK: usize = 64 * 1024;

/// Writes every file of `plan` on `jobs` threads. A file that cannot be
/// written gets a message and an `error` record; the others go on (exit 1).
pub fn generate(plan: &Plan, seed: u64, jobs: usize) -> anyhow::Result<()> {
    let manifest_path = plan.dir.join(manifest::FILE_NAME);
    let manifest = Manifest::open(&manifest_path)
        .with_context(|| format!("cannot write {}", manifest_path.display()))?;
    let mut out = RecordWriter::stdout();
    for_each_in_order(
        jobs,
        1..=plan.files,
        || {
            |index, _: &Cancelled| {
                let written = write_data_file(plan, seed, index).and_then(|(file, identity)| {
                    manifest
                        .record(&plan.path(index), identity)
                        .with_context(|| {
                            format!("cannot record {} in {}", file.path, manifest_path.display())
                        })
                        .map(|()| file)
                });
                (index, written)
            }
        },
        &mut |(index, written): (u64, anyhow::Result<FileRecord>)| -> anyhow::Result<()> {
            let record = match written {
                Ok(file) => Record::File(file),
                Err(err) => {
                    let error = format!("{err:#}");
                    cli::fail(&error);
                    Record::Error(ErrorRecord {
                        path: plan.path_text(index),
                        run: None,
                        error,
                        line: None,
                        repeat: None,
                    })
                }
            };
            out.write(&record).context(RECORDS_TO_STDOUT)
        },
    )
}

/// Writes file `index`; describes it, with the identity of the file written.
pub fn write_data_file(
    plan: &Plan,
    seed: u64,
    index: u64,
) -> anyhow::Result<(FileRecord, Identity)> {
    let path = plan.path(index);
    let mut values = plan.values(seed, index);
    let mut bytes = 0;
    let identity = write_atomic(&path, |out| {
        let mut counted = Counted {
            out,
            bytes: &mut bytes,
        };
        plan.compress.write(&mut counted, |text| {
            let mut chunk = Vec::with_capacity(CHUNK + 64);
            for _ in 0..plan.count {
                values.push_line(&mut chunk);
                if chunk.len() >= CHUNK {
                    text.write_all(&chunk)?;
                    chunk.clear();
                }
            }
            text.write_all(&chunk)
        })?;
        Ok(counted.out.flush()?)
    })?;
    let file = FileRecord {
        path: plan.path_text(index),
        index,
        count: plan.count,
        seed,
        dist: plan.distribution.to_string(),
        bytes,
    };
    Ok((file, identity))
}

/// A writer that counts the bytes it hands on: a file's size as written,
/// compressed or not.
struct Counted<'a, W> {
    out: W,
    bytes: &'a mut u64,
}

impl<W: Write> Write for Counted<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        *self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Fails, before anything is written, when `dir` is not a directory or
/// cannot be created: its nearest existing ancestor must be a directory we
/// may write to.
pub fn check_dir_can_be_made(dir: &Path) -> anyhow::Result<()> {
    let mut probe = dir;
    loop {
        match std::fs::metadata(probe) {
            Ok(meta) if meta.is_dir() => {
                return rustix::fs::access(
                    probe,
                    rustix::fs::Access::WRITE_OK | rustix::fs::Access::EXEC_OK,
                )
                .map_err(|err| {
                    usage(format!(
                        "cannot create files in --dir {}: {}",
                        dir.display(),
                        io::Error::from(err)
                    ))
                });
            }
            Ok(_) if probe == dir => {
                return Err(usage(format!("--dir {} is not a directory", dir.display())));
            }
            Ok(_) => {
                return Err(usage(format!(
                    "cannot create --dir {}: {} is not a directory",
                    dir.display(),
                    probe.display()
                )));
            }
            // Missing, or below a file: look at the parent.
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) && probe != Path::new(".") =>
            {
                probe = match probe.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
            }
            Err(err) => {
                return Err(usage(format!(
                    "cannot create --dir {}: {err}",
                    dir.display()
                )));
            }
        }
    }
}

/// Creates `dir` and its parents (0755).
pub fn create_dir(dir: &Path) -> anyhow::Result<()> {
    dp_core::io::create_dir_all(dir)
        .map_err(|err| usage(format!("cannot create --dir {}: {err}", dir.display())))
}
