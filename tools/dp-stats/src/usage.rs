//! What the work on a file cost: the CPU time of the thread that did it
//! (the thread CPU clock, user + system) and the process's peak resident
//! memory (`getrusage`). Both are one system call, next to nothing beside
//! reading a file.

use std::time::Duration;

/// The CPU time (user + system) this thread has used so far.
pub use dp_core::pool::thread_cpu_time;

/// The process's peak resident memory so far, in KiB (`ru_maxrss`, which
/// Linux counts in KiB); `None` if the system does not say.
pub fn max_rss_kib() -> Option<u64> {
    use nix::sys::resource::{UsageWho, getrusage};
    let usage = getrusage(UsageWho::RUSAGE_SELF).ok()?;
    u64::try_from(usage.max_rss()).ok()
}

/// Seconds to the microsecond, as the records' other times.
pub fn seconds(time: Duration) -> f64 {
    time.as_micros() as f64 / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thread_clock_counts_work_and_not_sleep() {
        let start = thread_cpu_time();
        std::thread::sleep(Duration::from_millis(50));
        let slept = thread_cpu_time() - start;
        assert!(slept < Duration::from_millis(20), "{slept:?}");
    }

    #[test]
    fn the_peak_memory_is_that_of_a_small_process() {
        let kib = max_rss_kib().expect("Linux reports ru_maxrss");
        assert!((100..1 << 20).contains(&kib), "{kib} KiB");
    }
}
