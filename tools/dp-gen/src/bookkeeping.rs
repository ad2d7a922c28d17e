//! `--adopt` and `--clean`: the manifests' two ends for the Makefile, whose
//! own files (a mode's `.wall`, `.params`, GNU parallel's joblog, the lock)
//! are written by the shell or by other programs and recorded here, and
//! whose `make clean` removes what every manifest lists, by identity
//! ([`dp_core::manifest`]).
//!
//! A file is adopted right after its writer is done with it: a run
//! interrupted in between leaves it unlisted, so cleaning keeps it, which
//! errs the safe way (a file dp wrote stays; nothing else is removed).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use dp_core::cli;
use dp_core::manifest::{self, Cleaned, Manifest};
use dp_core::names::shown;

use crate::ownership;

/// Records each of `files` in the manifest of its directory as it is now;
/// a file that is missing or not a regular file fails alone (exit 1).
pub fn adopt(files: &[PathBuf]) -> anyhow::Result<()> {
    for file in files {
        if let Err(err) = adopt_one(file) {
            cli::fail(format_args!("{err:#}"));
        }
    }
    Ok(())
}

fn adopt_one(file: &Path) -> anyhow::Result<()> {
    let context = || format!("cannot adopt {}", shown_path(file));
    let metadata = fs::symlink_metadata(file).with_context(context)?;
    if !metadata.is_file() {
        return Err(anyhow::anyhow!("not a regular file")).with_context(context);
    }
    let manifest_path = ownership::manifest_of(file);
    Manifest::open(&manifest_path)
        .and_then(|manifest| manifest.adopt(file))
        .with_context(|| {
            format!(
                "cannot record {} in {}",
                shown_path(file),
                shown_path(&manifest_path)
            )
        })
}

/// Cleans the manifest of each of `dirs`, deepest first, and removes each
/// of `dirs` left empty if dp wrote in it or in another of `dirs` inside or
/// around it (a mode's directory inside the results', the data's around
/// them); one dp never wrote near stays, even empty. Says on stdout what
/// it removed, and on stderr each file it kept because it is no longer the
/// file dp wrote.
pub fn clean(dirs: &[PathBuf]) -> anyhow::Result<()> {
    let mut dirs: Vec<PathBuf> = dirs
        .iter()
        .map(|dir| std::path::absolute(dir).with_context(|| shown_path(dir)))
        .collect::<anyhow::Result<_>>()?;
    dirs.sort_by_key(|dir| (std::cmp::Reverse(dir.components().count()), dir.clone()));
    dirs.dedup();
    let wrote_in: Vec<PathBuf> = dirs
        .iter()
        .filter(|dir| dir.join(manifest::FILE_NAME).is_file())
        .cloned()
        .collect();

    let mut total = Cleaned::default();
    for dir in &dirs {
        let manifest_path = dir.join(manifest::FILE_NAME);
        match manifest::clean(&manifest_path) {
            Ok(cleaned) => {
                for kept in &cleaned.kept {
                    cli::warn(format_args!(
                        "kept {}: it is no longer the file dp wrote (changed or replaced since)",
                        shown(kept)
                    ));
                }
                total.removed += cleaned.removed;
                total.temporaries += cleaned.temporaries;
                total.kept.extend(cleaned.kept);
            }
            Err(err) => cli::fail(format_args!("cannot clean {}: {err:#}", shown_path(dir))),
        }
        let near = |wrote: &PathBuf| dir.starts_with(wrote) || wrote.starts_with(dir);
        if wrote_in.iter().any(near) {
            let _ = fs::remove_dir(dir); // only if empty: anything left keeps it
        }
    }
    let mut out = io::stdout().lock();
    writeln!(out, "{}", summary(&total)).context("cannot write to stdout")?;
    out.flush().context("cannot write to stdout")
}

/// `clean: removed 7 files that dp wrote, 1 partial file of an interrupted
/// write; kept 1 that changed since`.
fn summary(cleaned: &Cleaned) -> String {
    let files = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut line = format!(
        "clean: removed {} that dp wrote",
        files(cleaned.removed, "file", "files")
    );
    if cleaned.temporaries > 0 {
        line.push_str(&format!(
            ", {}",
            files(
                cleaned.temporaries,
                "partial file of an interrupted write",
                "partial files of interrupted writes"
            )
        ));
    }
    if !cleaned.kept.is_empty() {
        line.push_str(&format!("; kept {} that changed since", cleaned.kept.len()));
    }
    line
}

fn shown_path(path: &Path) -> String {
    shown(&path.to_string_lossy()).into_owned()
}
