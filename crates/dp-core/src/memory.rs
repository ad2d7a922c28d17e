//! Exact statistics in bounded memory (docs/reference.md, "Big inputs"):
//! the budget of `--max-memory`, shared by every thread of a process, and
//! the values of one input held under it or, when they do not fit, passed
//! over again as many times as [`BoundedSummary`] needs.
//!
//! The values are held as long as the budget allows; the first block that
//! does not fit turns the reading into the first of the bounded passes
//! (the values held so far are its beginning), so a file that fits is read
//! once and one that does not costs no extra read. Later passes read the
//! input again: a file by its caller (who knows how to open it again), stdin
//! from the spill, a scratch file of the values (8 bytes each) written as
//! they are read once they do not fit ([`crate::atomic::scratch_file`]: a
//! file without a name, so nothing is left however the process ends).
//!
//! The budget covers what dp holds: the reading buffers (a few blocks of
//! 1 MiB a thread, set aside first), what decompresses each compressed
//! input while it is read (a [`Reservation`]: its decoder's window and
//! the text decompressed ahead, [`crate::source`]), the values held, the
//! histograms and the values gathered by the bounded passes. Values are
//! held only while the first pass's histogram would still fit beside them,
//! so that turning them into passes never takes more than the limit. Only
//! the program itself (a few MiB) comes on top; and below what the reading
//! takes, the values still get [`MIN_BUDGET`].
//!
//! A decompressor needing more than the whole limit is refused (its input
//! fails, by name: the same for every `-j`); one that does not fit beside
//! the others' decompressors waits for one to finish (they never wait for
//! anything themselves, so this always ends). Decompressors come before
//! values: values held by inputs already being read stop growing once a
//! decompressor takes their room, and leave it at their next block (they
//! turn into passes), as does a worker's idle buffer of values at its next
//! input.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use crate::atomic::scratch_file;
use crate::parse::ReadError;
use crate::stats::{BoundedSummary, MIN_BUDGET, Summary, summarize};

/// Bytes a process may hold for values, shared by its threads.
#[derive(Debug)]
pub struct Budget {
    /// For values, histograms and values gathered.
    limit: usize,
    /// Held values stop here: the first pass's histogram fits above.
    hold_at_most: usize,
    /// The `--max-memory` it was made from, for messages.
    asked: usize,
    /// What is taken, shared with the reservations (which may end on a
    /// decompressing thread).
    taken: Arc<Taken>,
    /// Inputs being read now: each one that overflows gets an equal share
    /// of the limit for its passes.
    readers: AtomicUsize,
}

#[derive(Debug, Default)]
struct Taken {
    /// Everything taken: values, passes' shares and reservations.
    used: AtomicUsize,
    /// The part reserved by decompressors, which alone never exceeds the
    /// limit: a reservation waits for the others to end.
    reserved: Mutex<usize>,
    ended: Condvar,
}

impl Budget {
    /// A budget of `limit` bytes of which `reading` go to reading buffers.
    pub fn new(limit: usize, reading: usize) -> Self {
        let asked = limit;
        let limit = limit.saturating_sub(reading).max(MIN_BUDGET);
        Self {
            limit,
            hold_at_most: limit.saturating_sub(BoundedSummary::first_pass_bytes(limit)),
            asked,
            taken: Arc::default(),
            readers: AtomicUsize::new(0),
        }
    }

    /// The default limit: half of the machine's memory.
    pub fn default_limit() -> usize {
        let info = rustix::system::sysinfo();
        let total = u64::from(info.mem_unit).saturating_mul(info.totalram as u64);
        usize::try_from(total / 2).unwrap_or(usize::MAX)
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Takes `bytes` for a decompressor while its input is read, waiting
    /// for other decompressors to end if they hold the room; refused when
    /// the limit could never give it.
    pub fn reserve(&self, bytes: usize) -> Result<Reservation, OverBudget> {
        if bytes > self.limit {
            return Err(OverBudget {
                needs: bytes,
                room: self.limit,
                asked: self.asked,
            });
        }
        let taken = &self.taken;
        let mut reserved = taken
            .reserved
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *reserved + bytes > self.limit {
            reserved = taken
                .ended
                .wait(reserved)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *reserved += bytes;
        taken.used.fetch_add(bytes, Ordering::AcqRel);
        Ok(Reservation {
            taken: Arc::clone(taken),
            bytes,
        })
    }

    /// Takes `bytes` for held values, if they stay within what may be held.
    fn try_take(&self, bytes: usize) -> bool {
        self.taken
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes)
                    .filter(|&after| after <= self.hold_at_most)
            })
            .is_ok()
    }

    fn give_back(&self, bytes: usize) {
        self.taken.used.fetch_sub(bytes, Ordering::AcqRel);
    }

    #[cfg(test)]
    pub(crate) fn used(&self) -> usize {
        self.taken.used.load(Ordering::Acquire)
    }

    /// More is taken than the limit: a decompressor took the room of
    /// values already held.
    fn squeezed(&self) -> bool {
        self.taken.used.load(Ordering::Acquire) > self.limit
    }

    /// An overflowing input's share for its passes: what is free, up to
    /// its equal share among the inputs being read, and at least
    /// [`MIN_BUDGET`] (taken even beyond the limit, so that the passes can
    /// work at all).
    fn take_share(&self) -> usize {
        let readers = self.readers.load(Ordering::Acquire).max(1);
        let share = (self.limit / readers).max(MIN_BUDGET);
        let free = self
            .limit
            .saturating_sub(self.taken.used.load(Ordering::Acquire));
        let bytes = share.min(free).max(MIN_BUDGET);
        self.taken.used.fetch_add(bytes, Ordering::AcqRel);
        bytes
    }
}

/// The room of a [`Budget`] held by a decompressor, given back when
/// dropped.
#[derive(Debug)]
pub struct Reservation {
    taken: Arc<Taken>,
    bytes: usize,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let taken = &self.taken;
        let mut reserved = taken
            .reserved
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *reserved -= self.bytes;
        taken.used.fetch_sub(self.bytes, Ordering::AcqRel);
        drop(reserved);
        taken.ended.notify_all();
    }
}

/// A reservation the budget could never give: more than the limit leaves
/// beside the reading buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverBudget {
    pub needs: usize,
    /// What the limit leaves beside the reading buffers.
    pub room: usize,
    /// The `--max-memory` asked for.
    pub asked: usize,
}

impl OverBudget {
    /// `needs 70 MiB {for_what}, over the 12 MiB that --max-memory 16M
    /// leaves for it`.
    pub fn describe(&self, for_what: &str) -> String {
        format!(
            "needs {} {for_what}, over the {} that --max-memory {} leaves for it",
            mib(self.needs, true),
            mib(self.room, false),
            shown_size(self.asked)
        )
    }
}

/// `bytes` in MiB (KiB below one MiB), rounded up or down.
pub fn mib(bytes: usize, up: bool) -> String {
    let (unit, name) = if bytes >= 1 << 20 {
        (1 << 20, "MiB")
    } else {
        (1 << 10, "KiB")
    };
    let whole = if up {
        bytes.div_ceil(unit)
    } else {
        bytes / unit
    };
    format!("{whole} {name}")
}

/// A size as [`parse_size`] reads it: `16M`, `2G`, `512K`, else bytes.
pub fn shown_size(bytes: usize) -> String {
    match [(30, "G"), (20, "M"), (10, "K")]
        .into_iter()
        .find(|&(shift, _)| bytes != 0 && bytes.is_multiple_of(1 << shift))
    {
        Some((shift, unit)) => format!("{}{unit}", bytes >> shift),
        None => bytes.to_string(),
    }
}

/// Parses `64M`, `2G`, `512K` or a number of bytes (K, M, G: powers of 1024).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let refused = || format!("'{text}' is not a size such as 64M, 2G or 512K");
    let text = text.trim();
    let (number, shift) = match text.as_bytes().last() {
        Some(b'K' | b'k') => (&text[..text.len() - 1], 10),
        Some(b'M' | b'm') => (&text[..text.len() - 1], 20),
        Some(b'G' | b'g') => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refused());
    }
    let number: usize = number.parse().map_err(|_| refused())?;
    number
        .checked_mul(1 << shift)
        .filter(|&bytes| bytes > 0)
        .ok_or_else(refused)
}

/// A worker's buffer of values, reused from input to input, its capacity
/// charged to the budget.
#[derive(Debug, Default)]
pub struct Held {
    values: Vec<f64>,
    charged: usize,
}

impl Held {
    /// Appends `block` if the budget allows the room it needs.
    fn try_extend(&mut self, budget: &Budget, block: &[f64]) -> bool {
        if budget.squeezed() {
            return false;
        }
        let needed = self.values.len() + block.len();
        let capacity = self.values.capacity();
        if needed > capacity {
            // Doubling where the budget allows, else just what is needed.
            let grown = [needed.max(capacity * 2), needed]
                .into_iter()
                .find(|&grown| budget.try_take((grown - capacity) * 8));
            let Some(grown) = grown else { return false };
            self.values.reserve_exact(grown - self.values.len());
            self.charged += (grown - capacity) * 8;
        }
        self.values.extend_from_slice(block);
        true
    }

    /// Frees the buffer and its charge.
    fn release(&mut self, budget: &Budget) {
        self.values = Vec::new();
        budget.give_back(self.charged);
        self.charged = 0;
    }
}

/// Where the values of an input are read from again.
pub enum Again {
    /// The caller reads them again (a file it can open again).
    Caller,
    /// A spill in this directory holds them once they do not fit (stdin).
    Spill(PathBuf),
}

impl Again {
    /// Stdin's: a spill in `$TMPDIR`, else `/tmp`.
    pub fn spill_to_tmpdir() -> Self {
        Again::Spill(std::env::temp_dir())
    }
}

/// The values of one input as they are read: held, or summarised in
/// bounded passes once they do not fit.
pub struct Values<'a> {
    budget: &'a Budget,
    held: &'a mut Held,
    percentiles: &'a [f64],
    again: Again,
    bounded: Option<Bounded>,
}

struct Bounded {
    summary: BoundedSummary,
    /// Bytes of the budget taken for the passes.
    share: usize,
    spill: Option<Spill>,
}

impl<'a> Values<'a> {
    pub fn new(
        budget: &'a Budget,
        held: &'a mut Held,
        percentiles: &'a [f64],
        again: Again,
    ) -> Self {
        held.values.clear();
        // An idle buffer keeps no room a decompressor took.
        if budget.squeezed() {
            held.release(budget);
        }
        budget.readers.fetch_add(1, Ordering::AcqRel);
        Self {
            budget,
            held,
            percentiles,
            again,
            bounded: None,
        }
    }

    /// The next values read, in order.
    pub fn take(&mut self, block: &[f64]) -> Result<(), ReadError> {
        if self.bounded.is_none() && self.held.try_extend(self.budget, block) {
            return Ok(());
        }
        let bounded = match &mut self.bounded {
            Some(bounded) => bounded,
            None => self.start_bounded()?,
        };
        bounded.summary.add(block);
        if let Some(spill) = &mut bounded.spill {
            spill.write(block)?;
        }
        Ok(())
    }

    /// The values held do not fit with the next: they begin the first of
    /// the bounded passes.
    fn start_bounded(&mut self) -> Result<&mut Bounded, ReadError> {
        let held = std::mem::take(&mut self.held.values);
        self.held.release(self.budget);
        let share = self.budget.take_share();
        let mut summary = BoundedSummary::new(self.percentiles, share);
        summary.add(&held);
        let spill = match &self.again {
            Again::Caller => None,
            Again::Spill(dir) => {
                let mut spill = Spill::create(dir)?;
                spill.write(&held)?;
                Some(spill)
            }
        };
        drop(held);
        Ok(self.bounded.insert(Bounded {
            summary,
            share,
            spill,
        }))
    }

    /// The summary, and how many passes it took: 1 when the values fit;
    /// else `read_again` is called for each further pass (unless the values
    /// were spilled) to hand the input's values to its argument in order.
    pub fn summarize(
        mut self,
        mut read_again: impl FnMut(&mut dyn FnMut(&[f64])) -> Result<(), ReadError>,
    ) -> Result<(Summary, u32), ReadError> {
        let Some(mut bounded) = self.bounded.take() else {
            return Ok((summarize(&mut self.held.values, self.percentiles), 1));
        };
        let result = (|| -> Result<u32, ReadError> {
            if let Some(spill) = &mut bounded.spill {
                spill.finish_writing()?;
            }
            while bounded.summary.end_pass().map_err(changed)? {
                let summary = &mut bounded.summary;
                match &mut bounded.spill {
                    Some(spill) => spill.read_all(|block| summary.add(block))?,
                    None => read_again(&mut |block| summary.add(block))?,
                }
            }
            Ok(bounded.summary.passes())
        })();
        self.budget.give_back(bounded.share);
        let passes = result?;
        Ok((bounded.summary.finish(), passes))
    }
}

impl Drop for Values<'_> {
    fn drop(&mut self) {
        self.budget.readers.fetch_sub(1, Ordering::AcqRel);
    }
}

fn changed(err: crate::stats::Changed) -> ReadError {
    ReadError::Io(io::Error::other(err))
}

/// The values of stdin beyond the budget, 8 bytes each, in a scratch file.
/// Its errors say where it is ("cannot spill its values to /tmp: No space
/// left on device"): the OS error alone left a full `$TMPDIR` a mystery.
struct Spill {
    file: File,
    writer: Option<BufWriter<File>>,
    dir: PathBuf,
}

/// How much of the spill is read or written at a time.
const SPILL_BUFFER: usize = 1 << 20;

impl Spill {
    fn create(dir: &Path) -> io::Result<Self> {
        let spilled = |err| Self::error_in(dir, err);
        let file = scratch_file(dir, "stats-spill").map_err(spilled)?;
        let writer = BufWriter::with_capacity(SPILL_BUFFER, file.try_clone().map_err(spilled)?);
        Ok(Self {
            file,
            writer: Some(writer),
            dir: dir.to_owned(),
        })
    }

    fn error_in(dir: &Path, err: io::Error) -> io::Error {
        io::Error::new(
            err.kind(),
            format!("cannot spill its values to {}: {err}", dir.display()),
        )
    }

    fn write(&mut self, values: &[f64]) -> io::Result<()> {
        let writer = self.writer.as_mut().expect("the spill is being written");
        values
            .iter()
            .try_for_each(|x| writer.write_all(&x.to_le_bytes()))
            .map_err(|err| Self::error_in(&self.dir, err))
    }

    fn finish_writing(&mut self) -> io::Result<()> {
        if let Some(writer) = self.writer.take() {
            writer
                .into_inner()
                .map_err(|err| Self::error_in(&self.dir, err.into_error()))?;
        }
        Ok(())
    }

    /// Hands every value of the spill to `take`, in order.
    fn read_all(&mut self, mut take: impl FnMut(&[f64])) -> io::Result<()> {
        let mut file = &self.file;
        file.rewind()?;
        let mut reader = BufReader::with_capacity(SPILL_BUFFER, file);
        let mut bytes = vec![0u8; SPILL_BUFFER];
        let mut values = Vec::with_capacity(SPILL_BUFFER / 8);
        let mut kept = 0;
        loop {
            let n = reader.read(&mut bytes[kept..])?;
            if n == 0 {
                return Ok(());
            }
            let filled = kept + n;
            let whole = filled / 8 * 8;
            values.clear();
            values.extend(
                bytes[..whole]
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes"))),
            );
            take(&values);
            bytes.copy_within(whole..filled, 0);
            kept = filled - whole;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_powers_of_1024() {
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("1000"), Ok(1000));
        for bad in ["", "M", "-1M", "1.5G", "0", "1T", "99999999999999999999G"] {
            assert!(parse_size(bad).is_err(), "accepted {bad:?}");
        }
        assert!(Budget::default_limit() > 1 << 20);
    }

    fn summary_of(values: &[f64], limit: usize, again: impl Fn() -> Again) -> (Summary, u32) {
        let budget = Budget::new(limit, 0);
        let mut held = Held::default();
        let mut read = Values::new(&budget, &mut held, &[], again());
        for block in values.chunks(1000) {
            read.take(block).unwrap();
        }
        let result = read
            .summarize(|take| {
                values.chunks(777).for_each(&mut *take);
                Ok(())
            })
            .unwrap();
        assert_eq!(budget.taken.used.load(Ordering::Relaxed), held.charged);
        result
    }

    #[test]
    fn values_that_do_not_fit_are_read_again_or_spilled() {
        let values: Vec<f64> = (0..300_000).map(|i| f64::from(i % 1013) / 7.0).collect();
        let expected = summarize(&mut values.clone(), &[]);
        let dir = tempfile::tempdir().unwrap();
        let (fits, passes) = summary_of(&values, 1 << 30, || Again::Caller);
        assert_eq!((fits, passes), (expected.clone(), 1));
        let (again, passes) = summary_of(&values, 1 << 20, || Again::Caller);
        assert_eq!(again, expected);
        assert!(passes >= 2, "{passes}");
        let (spilled, passes) = summary_of(&values, 1 << 20, || Again::Spill(dir.path().into()));
        assert_eq!(spilled, expected);
        assert!(passes >= 2, "{passes}");
        // The spill is gone.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn many_values_fit_or_turn_into_passes_exactly() {
        // 8 MB of values, grown to by doubling, then past a small limit.
        let values: Vec<f64> = (0..1_000_000).map(|i| f64::from(i % 7919) * 0.3).collect();
        let expected = summarize(&mut values.clone(), &[]);
        assert_eq!(
            summary_of(&values, 1 << 30, || Again::Caller),
            (expected.clone(), 1)
        );
        let (again, passes) = summary_of(&values, 12 << 20, || Again::Caller);
        assert_eq!(again, expected);
        assert!(passes >= 2, "{passes}");
    }

    #[test]
    fn a_reservation_over_the_limit_is_refused_and_one_beside_others_waits() {
        let budget = Budget::new(16 << 20, 4 << 20);
        let over = budget.reserve((12 << 20) + 1).unwrap_err();
        assert_eq!(
            over.describe("to decompress"),
            "needs 13 MiB to decompress, over the 12 MiB that --max-memory 16M leaves for it"
        );
        let first = budget.reserve(8 << 20).unwrap();
        assert_eq!(budget.used(), 8 << 20);
        let (sender, second) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            scope.spawn(|| sender.send(budget.reserve(8 << 20).unwrap()).unwrap());
            // It cannot have its room while the first holds it.
            let waited = second.recv_timeout(std::time::Duration::from_millis(100));
            assert!(waited.is_err(), "reserved beside the first");
            drop(first);
            let second = second.recv().unwrap();
            assert_eq!(budget.used(), 8 << 20);
            drop(second);
        });
        assert_eq!(budget.used(), 0);
    }

    #[test]
    fn values_held_give_way_to_a_reservation_and_stay_exact() {
        let values: Vec<f64> = (0..300_000).map(|i| f64::from(i % 1013) / 7.0).collect();
        let expected = summarize(&mut values.clone(), &[]);
        let budget = Budget::new(8 << 20, 0);
        let mut held = Held::default();
        let mut read = Values::new(&budget, &mut held, &[], Again::Caller);
        let (first, rest) = values.split_at(100_000);
        read.take(first).unwrap();
        // A decompressor takes the room of the values held.
        let reservation = budget.reserve(7 << 20).unwrap();
        for block in rest.chunks(1000) {
            read.take(block).unwrap();
        }
        let (summary, passes) = read
            .summarize(|take| {
                values.chunks(777).for_each(&mut *take);
                Ok(())
            })
            .unwrap();
        assert_eq!(summary, expected);
        assert!(passes >= 2, "{passes}");
        assert_eq!(held.charged, 0, "the values held were let go");
        drop(reservation);
        assert_eq!(budget.used(), 0);
    }

    #[test]
    fn sizes_are_shown_as_given() {
        assert_eq!(shown_size(16 << 20), "16M");
        assert_eq!(shown_size(2 << 30), "2G");
        assert_eq!(shown_size(1536 << 10), "1536K");
        assert_eq!(shown_size(1000), "1000");
        assert_eq!(
            (mib(65 << 20, true), mib((65 << 20) + 1, true)),
            ("65 MiB".into(), "66 MiB".into())
        );
        assert_eq!(
            (mib((12 << 20) - 1, false), mib(32 << 10, true)),
            ("11 MiB".into(), "32 KiB".into())
        );
    }
}
