//! Runs one job per file index on a few threads and hands the results back
//! in index order, so records come out as `--files` numbers them whatever
//! `-j` is.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;

/// Runs `work(i)` for i in `1..=count` on `jobs` threads and calls
/// `emit(i, result)` on this thread in order of i.
///
/// When `emit` fails (say stdout was closed), no new job starts, the running
/// ones finish, and the error is returned.
pub fn for_each_in_order<T, E>(
    count: u64,
    jobs: usize,
    work: impl Fn(u64) -> T + Sync,
    mut emit: impl FnMut(u64, T) -> Result<(), E>,
) -> Result<(), E>
where
    T: Send,
{
    let next_index = AtomicU64::new(1);
    let stop = AtomicBool::new(false);
    let workers = jobs.clamp(1, usize::try_from(count).unwrap_or(usize::MAX).max(1));
    thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel();
        for _ in 0..workers {
            let sender = sender.clone();
            let (next_index, stop, work) = (&next_index, &stop, &work);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let index = next_index.fetch_add(1, Ordering::Relaxed);
                    if index > count || sender.send((index, work(index))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);

        let mut waiting = BTreeMap::new();
        let mut wanted = 1;
        for (index, result) in receiver {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&wanted) {
                if let Err(err) = emit(wanted, result) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(err);
                }
                wanted += 1;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn results_come_in_index_order_whatever_the_threads() {
        for jobs in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            for_each_in_order(
                20,
                jobs,
                |i| {
                    // Early indices finish last.
                    thread::sleep(Duration::from_millis(20u64.saturating_sub(i)));
                    i * 10
                },
                |i, result| {
                    seen.push((i, result));
                    Ok::<_, ()>(())
                },
            )
            .unwrap();
            let expected: Vec<_> = (1..=20).map(|i| (i, i * 10)).collect();
            assert_eq!(seen, expected, "jobs {jobs}");
        }
    }

    #[test]
    fn a_failed_emit_stops_new_jobs() {
        let started = AtomicU64::new(0);
        let result = for_each_in_order(
            1000,
            2,
            |_| {
                started.fetch_add(1, Ordering::Relaxed);
                thread::sleep(Duration::from_millis(1));
            },
            |i, ()| if i == 3 { Err(i) } else { Ok(()) },
        );
        assert_eq!(result, Err(3));
        assert!(started.load(Ordering::Relaxed) < 100);
    }

    #[test]
    fn zero_jobs_still_runs_and_zero_items_emits_nothing() {
        let mut seen = Vec::new();
        let mut record = |i, result| {
            seen.push((i, result));
            Ok::<_, ()>(())
        };
        for_each_in_order(3, 0, |i| i, &mut record).unwrap();
        for_each_in_order(0, 4, |i| i, &mut record).unwrap();
        assert_eq!(seen, [(1, 1), (2, 2), (3, 3)]);
    }
}
