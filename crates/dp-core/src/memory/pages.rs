//! The values a worker holds, on transparent huge pages once they are many.
//!
//! Ten million values are 80 MB: on 4 KiB pages, 20,000 page faults taken
//! by the reading thread as it copies each block's values in, 15% of
//! `dp-stats -j 1`'s time on them (README, "Performance"). An anonymous
//! mapping of what the budget lets a worker hold, advised for huge pages,
//! takes one fault per 2 MiB instead and grows without moving. Only the
//! pages written are memory: the rest of the mapping is address space,
//! reserved without swap. The last huge page may hold up to 2 MiB more
//! than the values charged to the budget.

use memmap2::{Advice, MmapMut, MmapOptions};

/// Values up to this many bytes stay in a plain vector: a small file's
/// buffer is not worth a mapping, nor a 2 MiB page cleared for it.
const MAPPED_FROM: usize = 4 << 20;

/// A growable buffer of values (only appended to, cleared, and read whole).
#[derive(Debug, Default)]
pub(super) struct Buffer {
    small: Vec<f64>,
    mapped: Option<Mapped>,
}

#[derive(Debug)]
struct Mapped {
    map: MmapMut,
    len: usize,
}

impl Buffer {
    pub(super) fn len(&self) -> usize {
        self.mapped.as_ref().map_or(self.small.len(), |m| m.len)
    }

    pub(super) fn clear(&mut self) {
        self.small.clear();
        if let Some(mapped) = &mut self.mapped {
            mapped.len = 0;
        }
    }

    /// Makes room for `capacity` values in all, mapping up to `most` bytes
    /// of address space once they are many.
    pub(super) fn reserve(&mut self, capacity: usize, most: usize) {
        let bytes = capacity * 8;
        if self.mapped.as_ref().is_some_and(|m| bytes <= m.map.len()) {
            return;
        }
        match (bytes >= MAPPED_FROM).then(|| huge_mapping(most.max(bytes))) {
            Some(Some(map)) => {
                let mut mapped = Mapped { map, len: 0 };
                mapped.extend(self.values());
                self.small = Vec::new();
                self.mapped = Some(mapped);
            }
            _ => {
                if let Some(mapped) = self.mapped.take() {
                    self.small = mapped.values().to_vec();
                }
                self.small.reserve_exact(capacity - self.small.len());
            }
        }
    }

    /// Appends `values`, for which room was reserved.
    pub(super) fn extend(&mut self, values: &[f64]) {
        match &mut self.mapped {
            Some(mapped) => mapped.extend(values),
            None => self.small.extend_from_slice(values),
        }
    }

    pub(super) fn values(&self) -> &[f64] {
        self.mapped.as_ref().map_or(&self.small, Mapped::values)
    }

    pub(super) fn values_mut(&mut self) -> &mut [f64] {
        match &mut self.mapped {
            Some(mapped) => {
                let len = mapped.len;
                &mut bytemuck::cast_slice_mut(&mut mapped.map[..])[..len]
            }
            None => &mut self.small,
        }
    }
}

impl Mapped {
    fn values(&self) -> &[f64] {
        &bytemuck::cast_slice(&self.map[..])[..self.len]
    }

    fn extend(&mut self, values: &[f64]) {
        let all: &mut [f64] = bytemuck::cast_slice_mut(&mut self.map[..]);
        all[self.len..self.len + values.len()].copy_from_slice(values);
        self.len += values.len();
    }
}

/// An anonymous mapping of at least `bytes`, in whole huge pages, advised
/// for them; `None` where the system refuses it (the caller uses the heap).
fn huge_mapping(bytes: usize) -> Option<MmapMut> {
    const HUGE_PAGE: usize = 2 << 20;
    let map = MmapOptions::new()
        .len(bytes.div_ceil(HUGE_PAGE) * HUGE_PAGE)
        .no_reserve_swap()
        .map_anon()
        .ok()?;
    // Without huge pages the mapping still serves: only slower.
    let _ = map.advise(Advice::HugePage);
    Some(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Appends `values` a block at a time, reserving as `Held` does.
    fn append(buffer: &mut Buffer, values: &[f64], most: usize) {
        for block in values.chunks(1000) {
            buffer.reserve(buffer.len() + block.len(), most);
            buffer.extend(block);
        }
    }

    #[test]
    fn many_values_move_to_a_mapping_that_is_reused() {
        let values: Vec<f64> = (0..1_000_000).map(|i| f64::from(i) * 0.25 - 7.0).collect();
        let mut buffer = Buffer::default();
        append(&mut buffer, &values[..1000], 64 << 20);
        assert!(buffer.mapped.is_none(), "a few values are mapped");
        append(&mut buffer, &values[1000..], 64 << 20);
        assert_eq!(buffer.values(), &values[..]);
        let map = buffer.mapped.as_ref().expect("mapped").map.as_ptr();
        buffer.clear();
        assert!(buffer.values().is_empty());
        append(&mut buffer, &values[..600_000], 64 << 20);
        assert_eq!(buffer.values_mut(), &values[..600_000]);
        assert_eq!(buffer.mapped.as_ref().unwrap().map.as_ptr(), map);
    }

    #[test]
    fn room_beyond_the_mapping_keeps_the_values() {
        let values: Vec<f64> = (0..1_500_000).map(f64::from).collect();
        let mut buffer = Buffer::default();
        // A mapping of 4 MiB (the least), then room for 12 MB asked.
        append(&mut buffer, &values, 0);
        assert_eq!(buffer.values(), &values[..]);
        assert!(buffer.mapped.as_ref().unwrap().map.len() >= 12_000_000);
    }
}
