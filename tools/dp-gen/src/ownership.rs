//! Whose file it is: dp replaces only the files it wrote, those their
//! directory's manifest lists with the identity they still have
//! ([`dp_core::manifest`]). A user's own `data1.txt`, or one of dp's files
//! the user edited since, stops the run before anything is written:
//! dp-gen's own files unless `--force`, and with `--may-replace` any file
//! the Makefile is about to replace (`make compare`'s reports).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use dp_core::cli::usage;
use dp_core::manifest::{self, Identity};
use dp_core::names::shown;

/// How many of the files in the way a refusal names.
const NAMED: usize = 5;

/// Fails with a usage error (exit 2) naming each of `paths` that exists but
/// is not dp's to replace, followed by `remedy` (`remove what is in the
/// way, or use --force`); checks every path before answering, so that a caller that
/// writes only after this writes nothing when refused.
pub fn refuse_to_replace_others(
    paths: impl IntoIterator<Item = PathBuf>,
    remedy: &str,
) -> anyhow::Result<()> {
    let mut manifests: HashMap<PathBuf, HashMap<String, Identity>> = HashMap::new();
    let mut in_the_way: Vec<(PathBuf, PathBuf)> = Vec::new();
    for path in paths {
        let now = match Identity::at(&path) {
            Ok(now) => now,
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                continue;
            }
            Err(err) => {
                return Err(usage(format!(
                    "cannot look at {}: {err}",
                    shown_path(&path)
                )));
            }
        };
        // Read only when a file is there: a fresh directory needs none.
        let manifest_path = manifest_of(&path);
        let listed = match manifests.get(&manifest_path) {
            Some(listed) => listed,
            None => {
                let listed = read_manifest(&manifest_path)?;
                manifests.entry(manifest_path.clone()).or_insert(listed)
            }
        };
        if !is_listed_as(listed, &path, now) {
            in_the_way.push((path, manifest_path));
        }
    }
    let Some((first, manifest_path)) = in_the_way.first() else {
        return Ok(());
    };
    let seen = shown_path(manifest_path);
    if in_the_way.len() == 1 {
        return Err(usage(format!(
            "refusing to replace {}: dp did not write it, or it changed since (see {seen}); \
             {remedy}",
            shown_path(first)
        )));
    }
    let mut names: Vec<String> = in_the_way
        .iter()
        .take(NAMED)
        .map(|(path, _)| shown_path(path))
        .collect();
    if in_the_way.len() > NAMED {
        names.push(format!("and {} more", in_the_way.len() - NAMED));
    }
    Err(usage(format!(
        "refusing to replace {} files dp did not write, or that changed since (see {seen}): \
         {}; {remedy}",
        in_the_way.len(),
        names.join(", "),
    )))
}

/// The manifest of the directory `path` is in.
pub fn manifest_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(manifest::FILE_NAME),
        _ => PathBuf::from(manifest::FILE_NAME),
    }
}

/// Whether `path` is listed in the manifest with the identity it has now.
fn is_listed_as(listed: &HashMap<String, Identity>, path: &Path, now: Identity) -> bool {
    std::path::absolute(path)
        .ok()
        .and_then(|absolute| absolute.to_str().and_then(|key| listed.get(key)).copied())
        == Some(now)
}

fn read_manifest(path: &Path) -> anyhow::Result<HashMap<String, Identity>> {
    manifest::listed(path)
        .map(|listed| listed.into_iter().collect())
        .map_err(|err| usage(format!("cannot tell which files dp wrote: {err:#}")))
}

fn shown_path(path: &Path) -> String {
    shown(&path.to_string_lossy()).into_owned()
}
