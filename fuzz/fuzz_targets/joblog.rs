//! GNU parallel joblogs on any bytes: the reader never panics and ends;
//! every job it keeps has finite times that do not run backwards; bad lines
//! are named in order, each at most once, after the header.
#![no_main]

use dp_plot::joblog::{self, Joblog};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(Joblog { run, errors }) = joblog::parse(data, "fuzz") else {
        return;
    };
    for job in &run.jobs {
        assert!(job.started_at.is_finite() && job.finished_at.is_finite());
        assert!(job.finished_at >= job.started_at, "{job:?}");
    }
    let mut last = 1;
    for err in &errors {
        let line = err.line.expect("a line after the header has a number");
        assert!(line > last, "line {line} after {last}: {errors:?}");
        last = line;
    }
    let lines = data.split(|&b| b == b'\n').count() as u64;
    assert!(last <= lines, "line {last} of {lines}");
    assert!(run.jobs.len() + errors.len() < lines as usize);
    // What a chart would make of the run must not panic either.
    let _ = (run.total_s(), run.peak_concurrency(), run.slots());
});
