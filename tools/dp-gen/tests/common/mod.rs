//! What dp-gen's tests share beyond dp-testkit: dp-gen run on a directory,
//! and the files it wrote there.

#![allow(dead_code)] // each test file uses its own part

use std::fs;
use std::path::{Path, PathBuf};

use dp_testkit::{Ran, dp};

/// The dp-gen cargo built for these tests (makefile.rs gives its directory
/// to make as BIN).
pub const DP_GEN: &str = env!("CARGO_BIN_EXE_dp-gen");

/// The manifest dp-gen keeps in the directory it writes.
pub const MANIFEST: &str = dp_core::manifest::FILE_NAME;

/// Runs dp-gen writing into `dir`: `--dir DIR`, then `args`.
pub fn dp_gen_in(dir: &Path, args: &[&str]) -> Ran {
    dp("dp-gen").arg("--dir").arg(dir).args(args).run()
}

/// The contents of `dir/data1.txt` … `dir/dataN.txt`.
pub fn contents(dir: &Path, files: u64) -> Vec<Vec<u8>> {
    (1..=files)
        .map(|i| fs::read(data_file(dir, i)).unwrap())
        .collect()
}

pub fn data_file(dir: &Path, index: u64) -> PathBuf {
    dir.join(format!("data{index}.txt"))
}

/// The names of the files `dir`'s manifest lists with the identity they
/// have now, sorted: the files cleaning would remove.
pub fn listed_names(dir: &Path) -> Vec<String> {
    let listed = dp_core::manifest::listed(&dir.join(MANIFEST)).unwrap();
    let mut names: Vec<String> = listed
        .into_iter()
        .filter(|(path, identity)| {
            dp_core::manifest::Identity::at(Path::new(path)).is_ok_and(|now| now == *identity)
        })
        .map(|(path, _)| {
            let path = PathBuf::from(path);
            assert_eq!(
                path.parent(),
                Some(std::path::absolute(dir).unwrap().as_path())
            );
            path.file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    names.sort();
    names
}
