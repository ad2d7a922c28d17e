//! An ordered worker pool: a few threads take items from an iterator one at
//! a time, and their results come back on the calling thread in input order
//! (a reorder buffer), whatever order they finish in.
//!
//! The items are pulled lazily, under a lock, so a list read from stdin is
//! consumed as the work goes; each worker thread builds its own state once
//! (a reused buffer, say); the consumer can be told when nothing has arrived
//! for a while (to draw progress); and a consumer that fails (stdout closed)
//! stops new items from starting.
//!
//! Besides its items, a pool can share smaller tasks among its threads
//! ([`Helpers`]): the blocks of one big file, parsed on every core while
//! other threads work on other files. The same threads serve both, so `-j N`
//! never means N threads per file. Work inside an item can be shared the
//! same way without being handed the helpers ([`share`]: the statistics of
//! a big file, a span of values each): a thread of a helped pool knows them.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError, mpsc};
use std::thread;
use std::time::Duration;

/// How long the consumer waits for a result before [`Consumer::idle`] is called.
pub const IDLE_TICK: Duration = Duration::from_millis(200);

/// What takes the results, on the thread that started the pool.
///
/// Any `FnMut(T) -> Result<(), E>` is a consumer that ignores idle time.
pub trait Consumer<T> {
    type Error;
    /// The next result, in input order. An error stops the pool.
    fn consume(&mut self, result: T) -> Result<(), Self::Error>;
    /// No result came for [`IDLE_TICK`].
    fn idle(&mut self) {}
}

impl<T, E, F: FnMut(T) -> Result<(), E>> Consumer<T> for F {
    type Error = E;
    fn consume(&mut self, result: T) -> Result<(), E> {
        self(result)
    }
}

/// Set by the pool once its consumer has failed: nobody waits for results
/// any more, so long work may stop early.
#[derive(Debug, Default)]
pub struct Cancelled(AtomicBool);

impl Cancelled {
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    pub fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs every item of `items` on `jobs` threads (at least one, at most one
/// per item when the iterator knows its length) and hands each result to
/// `consumer` in input order, on the calling thread.
///
/// Each thread calls `new_worker` once and then its worker on item after
/// item, with the pool's [`Cancelled`] flag. When the consumer fails, no new
/// item is taken, the running ones finish, and its error is returned.
pub fn for_each_in_order<I, W, T, C>(
    jobs: usize,
    items: I,
    new_worker: impl Fn() -> W + Sync,
    consumer: &mut C,
) -> Result<(), C::Error>
where
    I: IntoIterator<IntoIter: Send, Item: Send>,
    W: FnMut(I::Item, &Cancelled) -> T,
    T: Send,
    C: Consumer<T> + ?Sized,
{
    let items = items.into_iter();
    let most_useful = items.size_hint().1.unwrap_or(usize::MAX);
    let threads = jobs.min(most_useful).max(1);
    run_pool(threads, items, None, new_worker, consumer)
}

/// [`for_each_in_order`] on exactly `jobs` threads (at least one) that also
/// serve `helpers`: a thread left without items runs the tasks the others
/// share (the blocks of their files) until every item is done.
pub fn for_each_in_order_helped<I, W, T, C>(
    jobs: usize,
    items: I,
    helpers: &Helpers,
    new_worker: impl Fn() -> W + Sync,
    consumer: &mut C,
) -> Result<(), C::Error>
where
    I: IntoIterator<IntoIter: Send, Item: Send>,
    W: FnMut(I::Item, &Cancelled) -> T,
    T: Send,
    C: Consumer<T> + ?Sized,
{
    run_pool(
        jobs.max(1),
        items.into_iter(),
        Some(helpers),
        new_worker,
        consumer,
    )
}

fn run_pool<I, W, T, C>(
    threads: usize,
    items: I,
    helpers: Option<&Helpers>,
    new_worker: impl Fn() -> W + Sync,
    consumer: &mut C,
) -> Result<(), C::Error>
where
    I: Iterator + Send,
    I::Item: Send,
    W: FnMut(I::Item, &Cancelled) -> T,
    T: Send,
    C: Consumer<T> + ?Sized,
{
    // Threads still taking items; the last one out closes the helpers.
    let busy = AtomicUsize::new(threads);
    // The position is taken with the item, under the same lock, so that
    // positions follow the iterator's order.
    let queue = Mutex::new(items.enumerate());
    let cancelled = Cancelled::default();
    thread::scope(|scope| {
        let (sender, received) = mpsc::channel();
        for _ in 0..threads {
            let sender = sender.clone();
            let (queue, cancelled, new_worker, busy) = (&queue, &cancelled, &new_worker, &busy);
            scope.spawn(move || {
                // Dropped when this thread has no more items, or panics:
                // the threads that only serve are never left waiting.
                let leaving = Leaving { busy, helpers };
                let _lent = helpers.map(Lent::new);
                let mut worker = new_worker();
                while !cancelled.is_set() {
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
                    let Some((position, item)) = next else { break };
                    if sender.send((position, worker(item, cancelled))).is_err() {
                        break;
                    }
                }
                drop(worker);
                drop(_lent);
                drop(leaving);
                if let Some(helpers) = helpers {
                    helpers.serve();
                }
            });
        }
        drop(sender);

        let delivered = deliver_in_order(&received, consumer);
        if delivered.is_err() {
            cancelled.set();
        }
        delivered
    })
}

/// A thread of the pool done with items: the last one closes the helpers.
struct Leaving<'a> {
    busy: &'a AtomicUsize,
    helpers: Option<&'a Helpers>,
}

impl Drop for Leaving<'_> {
    fn drop(&mut self) {
        if self.busy.fetch_sub(1, Ordering::AcqRel) == 1
            && let Some(helpers) = self.helpers
        {
            helpers.close();
        }
    }
}

/// A task shared among a pool's threads.
pub type Task = Box<dyn FnOnce() + Send>;

/// Tasks that a pool's threads share besides their items, with a bound on
/// how many may be queued or running at once (each holds a block of text
/// and its values: the bound is what bounds that memory).
///
/// Whoever submits a task waits for its result by [`Helpers::help`]ing
/// meanwhile, so the tasks progress even when every thread is busy with an
/// item of its own.
pub struct Helpers {
    queue: Mutex<Queue>,
    ready: Condvar,
    /// Its free slots and idle threads, which [`share`] reads too.
    capacity: Arc<Capacity>,
}

/// How much more a pool's helpers can take on.
#[derive(Debug)]
struct Capacity {
    /// Slots left for tasks in flight.
    free: AtomicUsize,
    /// Threads with no items left, that only serve.
    serving: AtomicUsize,
}

impl Capacity {
    fn take_slot(&self) -> bool {
        self.free
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |free| {
                free.checked_sub(1)
            })
            .is_ok()
    }

    fn release(&self) {
        self.free.fetch_add(1, Ordering::AcqRel);
    }
}

struct Queue {
    tasks: VecDeque<Task>,
    closed: bool,
}

impl Helpers {
    /// Helpers with room for `slots` tasks in flight; 0: none, every task is
    /// run by its submitter.
    pub fn new(slots: usize) -> Self {
        Self {
            queue: Mutex::new(Queue {
                tasks: VecDeque::new(),
                closed: false,
            }),
            ready: Condvar::new(),
            capacity: Arc::new(Capacity {
                free: AtomicUsize::new(slots),
                serving: AtomicUsize::new(0),
            }),
        }
    }

    /// Whether some thread has no items left: sharing tasks only pays then
    /// (while every thread has a file of its own, splitting files would
    /// only add hand-overs).
    pub fn anyone_idle(&self) -> bool {
        self.capacity.serving.load(Ordering::Acquire) > 0
    }

    /// Takes a slot for a task, if one is free; [`Helpers::release`] gives it
    /// back once the task's result is used.
    pub fn take_slot(&self) -> bool {
        self.capacity.take_slot()
    }

    pub fn release(&self) {
        self.capacity.release();
    }

    /// Queues a task (its submitter holds a slot for it).
    pub fn submit(&self, task: Task) {
        self.lock().tasks.push_back(task);
        self.ready.notify_one();
    }

    /// Runs one queued task on this thread; false if none was queued.
    pub fn help(&self) -> bool {
        let task = self.lock().tasks.pop_front();
        match task {
            Some(task) => {
                task();
                true
            }
            None => false,
        }
    }

    /// Runs tasks as they come until the helpers are closed.
    fn serve(&self) {
        self.capacity.serving.fetch_add(1, Ordering::AcqRel);
        let mut queue = self.lock();
        loop {
            if let Some(task) = queue.tasks.pop_front() {
                drop(queue);
                task();
                queue = self.lock();
            } else if queue.closed {
                return;
            } else {
                queue = self
                    .ready
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
    }

    /// No more items: threads that only serve may go.
    fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

thread_local! {
    /// The helpers of the pool whose items this thread is working on, for
    /// [`share`]; null elsewhere.
    static LENT: RefCell<Option<Arc<Capacity>>> = const { RefCell::new(None) };
    /// CPU time other threads spent on what this thread shared.
    static ELSEWHERE: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// The CPU time this thread has used so far.
pub fn thread_cpu_time() -> Duration {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(now.tv_sec).unwrap_or(0),
        u32::try_from(now.tv_nsec).unwrap_or(0),
    )
}

/// The CPU time other threads spent on the parts this thread [`share`]d
/// since it last asked (what an item's `cpu_s` adds to its own thread's).
pub fn take_cpu_elsewhere() -> Duration {
    ELSEWHERE.take()
}

/// [`LENT`] set for as long as a pool's thread takes items (then what it
/// was before).
struct Lent(Option<Arc<Capacity>>);

impl Lent {
    fn new(helpers: &Helpers) -> Self {
        Lent(LENT.replace(Some(Arc::clone(&helpers.capacity))))
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        LENT.set(self.0.take());
    }
}

/// A slot of a pool's helpers, taken for a thread of [`share`]'s.
struct Slot<'a>(&'a Capacity);

impl<'a> Slot<'a> {
    fn take(capacity: &'a Capacity) -> Option<Self> {
        capacity.take_slot().then_some(Slot(capacity))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.release();
    }
}

/// Runs `work` on every part in `0..parts`: on this thread, and when this
/// is a thread of a helped pool ([`for_each_in_order_helped`]) some of
/// whose threads are idle, on as many more threads (each holding one of
/// the helpers' slots, so that the pool's tasks and these together never
/// outnumber its threads by more than they would alone). Each thread that
/// takes part makes its own state with `new_state` and keeps it for every
/// part it takes (parts are taken in turn, so threads that run faster take
/// more). Returns the results in part order, and every state made (one,
/// when no other thread took part).
///
/// Elsewhere, or with one part, everything runs here, in order.
///
/// The other threads are scoped threads of their own rather than the
/// pool's idle ones, which wait meanwhile: a part borrows the caller's
/// values, which a pool's task (`'static`) cannot. Starting one costs some
/// 30 µs, paid only by inputs of more than one span (2^16 values).
pub fn share<S, R>(
    parts: usize,
    new_state: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, usize) -> R + Sync,
) -> (Vec<R>, Vec<S>)
where
    S: Send,
    R: Send,
{
    let next = AtomicUsize::new(0);
    let take_parts = |elsewhere: bool| {
        let started = elsewhere.then(thread_cpu_time);
        let mut state = new_state();
        let mut done = Vec::new();
        loop {
            let part = next.fetch_add(1, Ordering::Relaxed);
            if part >= parts {
                let cpu = started.map_or(Duration::ZERO, |start| {
                    thread_cpu_time().saturating_sub(start)
                });
                return (state, done, cpu);
            }
            done.push((part, work(&mut state, part)));
        }
    };
    let capacity = if parts > 1 {
        LENT.with_borrow(Option::clone)
    } else {
        None
    };
    let Some(capacity) = capacity.filter(|capacity| capacity.serving.load(Ordering::Acquire) > 0)
    else {
        // Alone: every part here, in order.
        let (state, done, _) = take_parts(false);
        return (
            done.into_iter().map(|(_, result)| result).collect(),
            vec![state],
        );
    };
    let taken = thread::scope(|scope| {
        let take_parts = &take_parts;
        let idle = capacity.serving.load(Ordering::Acquire).min(parts - 1);
        let others: Vec<_> = (0..idle)
            .map_while(|_| Slot::take(&capacity))
            .map(|slot| {
                scope.spawn(move || {
                    let _slot = slot;
                    take_parts(true)
                })
            })
            .collect();
        let mut taken = vec![take_parts(false)];
        taken.extend(others.into_iter().map(|other| {
            other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }));
        taken
    });
    let mut states = Vec::with_capacity(taken.len());
    let mut found: Vec<Option<R>> = Vec::new();
    found.resize_with(parts, || None);
    for (state, done, cpu) in taken {
        states.push(state);
        for (part, result) in done {
            found[part] = Some(result);
        }
        ELSEWHERE.set(ELSEWHERE.get() + cpu);
    }
    let results = found
        .into_iter()
        .map(|result| result.expect("every part was taken"))
        .collect();
    (results, states)
}

/// The reorder buffer: results wait until every earlier one was consumed.
fn deliver_in_order<T, C: Consumer<T> + ?Sized>(
    received: &mpsc::Receiver<(usize, T)>,
    consumer: &mut C,
) -> Result<(), C::Error> {
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    loop {
        match received.recv_timeout(IDLE_TICK) {
            Ok((position, result)) => {
                waiting.insert(position, result);
                while let Some(result) = waiting.remove(&next) {
                    next += 1;
                    consumer.consume(result)?;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => consumer.idle(),
            Err(mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Collects results into a vector; never fails.
    fn collect<T>(seen: &mut Vec<T>) -> impl FnMut(T) -> Result<(), ()> + '_ {
        |result| {
            seen.push(result);
            Ok(())
        }
    }

    #[test]
    fn results_come_in_input_order_whatever_the_threads() {
        for jobs in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            for_each_in_order(
                jobs,
                1..=20_u64,
                || {
                    |i, _: &Cancelled| {
                        // Early items finish last.
                        thread::sleep(Duration::from_millis(20 - i));
                        i * 10
                    }
                },
                &mut collect(&mut seen),
            )
            .unwrap();
            let expected: Vec<_> = (1..=20).map(|i| i * 10).collect();
            assert_eq!(seen, expected, "jobs {jobs}");
        }
    }

    #[test]
    fn a_failed_consumer_stops_new_items_and_cancels_the_running_ones() {
        let pulled = AtomicUsize::new(0);
        let five_started = AtomicBool::new(false);
        let five_saw_cancel = AtomicBool::new(false);
        let items = (0..1000).inspect(|_| {
            pulled.fetch_add(1, Ordering::Relaxed);
        });
        let wait_for = |flag: &dyn Fn() -> bool| {
            for _ in 0..1000 {
                if flag() {
                    return true;
                }
                thread::sleep(Duration::from_millis(2));
            }
            false
        };
        let result = for_each_in_order(
            2,
            items,
            || {
                |i, cancelled: &Cancelled| {
                    // Item 3, whose result fails the consumer, is delivered
                    // only once item 5 is running, so 5 must see the cancel.
                    if i == 3 {
                        wait_for(&|| five_started.load(Ordering::Relaxed));
                    }
                    if i == 5 {
                        five_started.store(true, Ordering::Relaxed);
                        let saw = wait_for(&|| cancelled.is_set());
                        five_saw_cancel.store(saw, Ordering::Relaxed);
                    }
                    thread::sleep(Duration::from_millis(1));
                    i
                }
            },
            &mut |i| if i == 3 { Err(i) } else { Ok(()) },
        );
        assert_eq!(result, Err(3));
        assert!(five_saw_cancel.load(Ordering::Relaxed));
        // The other thread runs on until the consumer's thread wakes up.
        assert!(pulled.load(Ordering::Relaxed) < 100, "{pulled:?}");
    }

    #[test]
    fn threads_without_items_run_the_tasks_of_the_others() {
        let helpers = Helpers::new(4);
        let mut seen = Vec::new();
        for_each_in_order_helped(
            3,
            [4_u64],
            &helpers,
            || {
                |tasks: u64, _: &Cancelled| {
                    let item_thread = thread::current().id();
                    let (sender, received) = mpsc::channel();
                    for i in 0..tasks {
                        assert!(helpers.take_slot());
                        let sender = sender.clone();
                        helpers.submit(Box::new(move || {
                            let _ = sender.send((i, thread::current().id()));
                        }));
                    }
                    assert!(!helpers.take_slot(), "four slots, four tasks");
                    drop(sender);
                    // Never helping: only the other threads can run them.
                    let ran: Vec<_> = received.iter().collect();
                    for _ in 0..tasks {
                        helpers.release();
                    }
                    assert!(ran.iter().all(|&(_, on)| on != item_thread));
                    let mut done: Vec<u64> = ran.into_iter().map(|(i, _)| i).collect();
                    done.sort_unstable();
                    done
                }
            },
            &mut collect(&mut seen),
        )
        .unwrap();
        assert_eq!(seen, [vec![0, 1, 2, 3]]);
    }

    #[test]
    fn shared_parts_come_back_in_order_from_every_idle_thread() {
        // Outside a pool: everything here, one state.
        let (results, states) = share(
            5,
            || 0,
            |done: &mut u32, part| {
                *done += 1;
                part * 2
            },
        );
        assert_eq!((results, states), (vec![0, 2, 4, 6, 8], vec![5]));
        for jobs in [2, 3] {
            let helpers = Helpers::new(2 * jobs);
            let mut seen = Vec::new();
            for_each_in_order_helped(
                jobs,
                [200_usize],
                &helpers,
                || {
                    |parts: usize, _: &Cancelled| {
                        while !helpers.anyone_idle() {
                            thread::yield_now();
                        }
                        let others = AtomicUsize::new(0);
                        let item_thread = thread::current().id();
                        let (results, states) = share(
                            parts,
                            || (thread::current().id(), 0),
                            |(thread, done): &mut (thread::ThreadId, usize), part| {
                                if *thread != item_thread {
                                    others.fetch_add(1, Ordering::Relaxed);
                                } else if part == 0 {
                                    // Hold the first part until another
                                    // thread has taken one.
                                    for _ in 0..1000 {
                                        if others.load(Ordering::Relaxed) > 0 {
                                            break;
                                        }
                                        thread::sleep(Duration::from_millis(2));
                                    }
                                }
                                *done += 1;
                                part + 1
                            },
                        );
                        let done: usize = states.iter().map(|(_, done)| done).sum();
                        // The other threads' CPU time is counted here, once.
                        let elsewhere = take_cpu_elsewhere();
                        assert!(elsewhere > Duration::ZERO || states.len() == 1);
                        assert_eq!(take_cpu_elsewhere(), Duration::ZERO);
                        (results, states.len(), done)
                    }
                },
                &mut collect(&mut seen),
            )
            .unwrap();
            let (results, states, done) = seen.pop().unwrap();
            assert_eq!(results, (1..=200).collect::<Vec<_>>(), "-j {jobs}");
            assert!(states > 1, "-j {jobs}: no other thread took part");
            assert_eq!(done, 200, "every part once");
        }
    }

    #[test]
    fn zero_jobs_still_runs_and_zero_items_consumes_nothing() {
        let mut seen = Vec::new();
        let worker = || |i: u64, _: &Cancelled| i;
        for_each_in_order(0, 1..=3, worker, &mut collect(&mut seen)).unwrap();
        for_each_in_order(4, Vec::new(), worker, &mut collect(&mut seen)).unwrap();
        assert_eq!(seen, [1, 2, 3]);
    }

    #[test]
    fn each_thread_builds_its_worker_once_and_keeps_its_state() {
        let built = AtomicUsize::new(0);
        let mut seen = Vec::new();
        for_each_in_order(
            3,
            0..30,
            || {
                let id = built.fetch_add(1, Ordering::Relaxed);
                let mut done_here = 0;
                move |i, _: &Cancelled| {
                    done_here += 1;
                    thread::sleep(Duration::from_millis(1));
                    (i, id, done_here)
                }
            },
            &mut collect(&mut seen),
        )
        .unwrap();
        assert_eq!(built.load(Ordering::Relaxed), 3);
        let positions: Vec<_> = seen.iter().map(|&(i, ..)| i).collect();
        assert_eq!(positions, (0..30).collect::<Vec<_>>());
        // A worker takes its items in input order, counting them 1, 2, 3...
        for id in 0..3 {
            let counts: Vec<_> = seen.iter().filter(|r| r.1 == id).map(|r| r.2).collect();
            let expected: Vec<_> = (1..=counts.len()).collect();
            assert_eq!(counts, expected, "worker {id}");
        }
    }

    #[test]
    fn no_more_threads_than_items() {
        let built = AtomicUsize::new(0);
        let worker = || {
            built.fetch_add(1, Ordering::Relaxed);
            |i: u32, _: &Cancelled| i
        };
        for_each_in_order(8, [7, 8], worker, &mut |_| Ok::<_, ()>(())).unwrap();
        assert_eq!(built.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_quiet_wait_calls_idle() {
        struct Watcher {
            idle: usize,
            results: Vec<u8>,
        }
        impl Consumer<u8> for Watcher {
            type Error = ();
            fn consume(&mut self, result: u8) -> Result<(), ()> {
                self.results.push(result);
                Ok(())
            }
            fn idle(&mut self) {
                self.idle += 1;
            }
        }
        let mut watcher = Watcher {
            idle: 0,
            results: Vec::new(),
        };
        let slow = || {
            |i, _: &Cancelled| {
                thread::sleep(IDLE_TICK * 3);
                i
            }
        };
        for_each_in_order(1, [1, 2], slow, &mut watcher).unwrap();
        assert_eq!(watcher.results, [1, 2]);
        assert!(watcher.idle >= 2, "idle called {} times", watcher.idle);
    }
}
