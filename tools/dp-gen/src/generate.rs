//! Writing the data files, each atomically, and one `file` record per file
//! on stdout in index order.

use std::io::Write;

use anyhow::Context;
use dp_core::cli;
use dp_core::io::{RecordWriter, write_atomic};
use dp_core::pool::{Cancelled, for_each_in_order};
use dp_core::record::{ErrorRecord, FileRecord, Record};

use crate::Plan;

/// Formatted values collect in a buffer of this size before each write.
const CHUNK: usize = 64 * 1024;

/// Writes every file of `plan` on `jobs` threads. A file that cannot be
/// written gets a message and an `error` record; the others go on (exit 1).
pub fn generate(plan: &Plan, seed: u64, jobs: usize) -> anyhow::Result<()> {
    let mut out = RecordWriter::stdout();
    for_each_in_order(
        jobs,
        1..=plan.files,
        || |index, _: &Cancelled| (index, write_data_file(plan, seed, index)),
        &mut |(index, written): (u64, anyhow::Result<FileRecord>)| -> anyhow::Result<()> {
            let record = match written {
                Ok(file) => Record::File(file),
                Err(err) => {
                    let error = format!("{err:#}");
                    cli::fail(&error);
                    Record::Error(ErrorRecord {
                        path: path_text(plan, index),
                        run: None,
                        error,
                        line: None,
                    })
                }
            };
            out.write(&record).context("cannot write records to stdout")
        },
    )
}

/// Writes file `index` and describes it.
pub fn write_data_file(plan: &Plan, seed: u64, index: u64) -> anyhow::Result<FileRecord> {
    let path = plan.path(index);
    let mut values = plan.values(seed, index);
    let mut bytes = 0;
    // write_atomic names the path in its own errors; ours (a full disk) need it too.
    let context = || format!("cannot write {}", path.display());
    write_atomic(&path, |out| {
        let mut chunk = Vec::with_capacity(CHUNK + 64);
        for _ in 0..plan.count {
            values.push_line(&mut chunk);
            if chunk.len() >= CHUNK {
                out.write_all(&chunk).with_context(context)?;
                bytes += chunk.len() as u64;
                chunk.clear();
            }
        }
        out.write_all(&chunk).with_context(context)?;
        bytes += chunk.len() as u64;
        out.flush().with_context(context)
    })?;
    Ok(FileRecord {
        path: path_text(plan, index),
        index,
        count: plan.count,
        seed,
        dist: plan.distribution.to_string(),
        bytes,
    })
}

/// The path as records carry it (`Plan::from_args` ensured it is UTF-8).
pub fn path_text(plan: &Plan, index: u64) -> String {
    plan.path(index).to_string_lossy().into_owned()
}
