//! GNU parallel joblogs on any bytes: the reader never panics, and every
//! job it keeps has finite times that do not run backwards.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok((run, _bad_lines)) = dp_plot::joblog::parse(&text, "fuzz") {
        for job in &run.jobs {
            assert!(job.started_at.is_finite() && job.finished_at.is_finite());
            assert!(job.finished_at >= job.started_at);
        }
    }
});
