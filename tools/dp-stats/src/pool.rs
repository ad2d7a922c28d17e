//! N workers on threads taking inputs one at a time, their results handed
//! back in input order (a reorder buffer), whatever order they finish in.

use std::collections::BTreeMap;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, mpsc};
use std::time::Duration;

use anyhow::Context;

use crate::input::Inputs;
use crate::process::{Done, Settings, Worker};

/// How long the consumer waits for a result before calling `on_idle`.
const IDLE_TICK: Duration = Duration::from_millis(200);

/// What takes the results, on the thread that started the pool.
pub trait Consumer {
    /// The next result, in input order.
    fn consume(&mut self, done: Done) -> anyhow::Result<()>;
    /// No result came for a while.
    fn idle(&mut self) {}
}

/// Processes every input on `jobs` threads and gives each result to
/// `consumer` in input order, on the calling thread. An error from the
/// consumer (the reader went away) or from reading the input list stops the
/// workers after the file each is on.
pub fn process_in_order(
    jobs: usize,
    inputs: Inputs,
    settings: &Settings,
    consumer: &mut impl Consumer,
) -> anyhow::Result<()> {
    let queue = Mutex::new((inputs, 0_usize));
    let cancelled = AtomicBool::new(false);
    let (results, received) = mpsc::channel::<(usize, io::Result<Done>)>();
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            let results = results.clone();
            let (queue, cancelled) = (&queue, &cancelled);
            scope.spawn(move || {
                let mut worker = Worker::new(settings);
                while !cancelled.load(Ordering::Relaxed) {
                    let (index, input) = {
                        let mut queue = queue.lock().unwrap_or_else(PoisonError::into_inner);
                        let Some(input) = queue.0.next() else { break };
                        queue.1 += 1;
                        (queue.1 - 1, input)
                    };
                    let done = input.map(|input| worker.process(&input, cancelled));
                    if results.send((index, done)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(results);

        let consumed = (|| {
            let mut waiting = BTreeMap::new();
            let mut next = 0;
            loop {
                match received.recv_timeout(IDLE_TICK) {
                    Ok((index, done)) => {
                        waiting.insert(index, done);
                        while let Some(done) = waiting.remove(&next) {
                            next += 1;
                            consumer
                                .consume(done.context("cannot read the list of files on stdin")?)?;
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => consumer.idle(),
                    Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
                }
            }
        })();
        if consumed.is_err() {
            cancelled.store(true, Ordering::Relaxed);
        }
        consumed
    })
}
