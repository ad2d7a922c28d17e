//! The artificial per-file delay: idle (`sleep`) or CPU-bound (`spin`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use dp_core::pool::Cancelled;
use dp_core::splitmix::SplitMix64;

use crate::args::DelayMode;
use crate::usage::thread_cpu_time;

/// How often a sleeping delay looks whether the run was cancelled.
const CANCEL_CHECK: Duration = Duration::from_millis(50);

/// Spends `delay` the way `mode` says; returns early once `cancelled` is set
/// (the reader of stdout went away: nobody waits for the result).
pub fn spend(delay: Duration, mode: DelayMode, cancelled: &Cancelled) {
    let start = Instant::now();
    match mode {
        DelayMode::Sleep => loop {
            let left = delay.saturating_sub(start.elapsed());
            if left.is_zero() || cancelled.is_set() {
                return;
            }
            std::thread::sleep(left.min(CANCEL_CHECK));
        },
        // The delay is CPU time, not wall time: like real CPU-bound work, more
        // spinning files than cores share them and each takes longer.
        DelayMode::Spin => {
            let cpu_start = thread_cpu_time();
            let mut state = 0x9E37_79B9_7F4A_7C15_u64;
            while thread_cpu_time().saturating_sub(cpu_start) < delay && !cancelled.is_set() {
                state = black_box(mix_rounds(state, 4096));
            }
        }
    }
}

/// Real work for the spinning delay: rounds of SplitMix64, each output fed
/// back into the state so every round waits for the one before; the result
/// goes to `black_box` so it cannot be optimised away.
fn mix_rounds(state: u64, rounds: u32) -> u64 {
    let mut random = SplitMix64(state);
    for _ in 0..rounds {
        random.0 ^= random.next_u64();
    }
    random.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_modes_last_at_least_the_delay() {
        let cancelled = Cancelled::default();
        for mode in [DelayMode::Sleep, DelayMode::Spin] {
            let start = Instant::now();
            spend(Duration::from_millis(60), mode, &cancelled);
            let took = start.elapsed();
            assert!(took >= Duration::from_millis(60), "{mode:?} took {took:?}");
        }
    }

    #[test]
    fn a_cancelled_run_does_not_wait() {
        let cancelled = Cancelled::default();
        cancelled.set();
        let start = Instant::now();
        spend(Duration::from_secs(5), DelayMode::Sleep, &cancelled);
        spend(Duration::from_secs(5), DelayMode::Spin, &cancelled);
        assert!(start.elapsed() < Duration::from_secs(1));
    }
}
