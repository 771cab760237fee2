//! The descriptor table: small integers naming kernel objects.
//!
//! Phase: run time. Inputs: descriptors pushed by start-up (stdio, preopens)
//! and by `open`. Outputs: numbers the guest uses.
//!
//! Invariants (numbering policy of Wasmtime's P1 adapter, which guests can
//! observe): a new descriptor takes the *highest* previously freed number if
//! any, otherwise one past the highest number in use (0 for an empty table).
//! `renumber(from, to)` requires both to be open, closes `to` and moves `from`
//! there, freeing `from`.

use super::error::{ErrorCode, KResult};
use std::collections::BTreeSet;

/// A table of descriptors of type `T`.
#[derive(Debug)]
pub struct FdTable<T> {
    /// Slot `fd`: its descriptor, or `None` while closed. Never ends in
    /// `None`, so its length is one past the highest number in use. A
    /// vector rather than a map: a lookup (every `fd_write`) is an index,
    /// and start-up's three stdio pushes cost one small allocation.
    slots: Vec<Option<T>>,
    free: BTreeSet<u32>,
}

impl<T> Default for FdTable<T> {
    fn default() -> Self {
        FdTable {
            slots: Vec::new(),
            free: BTreeSet::new(),
        }
    }
}

impl<T> FdTable<T> {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next number never assigned (or the highest hole when the top is
    /// taken).
    fn unused(&self) -> KResult<u32> {
        match u32::try_from(self.slots.len()) {
            Ok(next) if next < u32::MAX => Ok(next),
            // NB: wasmtime reports a full table as ELOOP; with u32::MAX
            // entries we would have run out of memory long before.
            _ => self
                .slots
                .iter()
                .rposition(Option::is_none)
                .map(|fd| fd as u32)
                .ok_or(ErrorCode::Loop),
        }
    }

    /// Inserts `desc`, returning its number.
    pub fn push(&mut self, desc: T) -> KResult<u32> {
        let fd = match self.free.pop_last() {
            Some(fd) => fd,
            None => self.unused()?,
        };
        self.put(fd, desc);
        Ok(fd)
    }

    /// Stores `desc` as `fd`, a closed or never assigned number.
    fn put(&mut self, fd: u32, desc: T) {
        let at = fd as usize;
        match at.cmp(&self.slots.len()) {
            std::cmp::Ordering::Less => self.slots[at] = Some(desc),
            // The usual case: one past the highest open number.
            std::cmp::Ordering::Equal => self.slots.push(Some(desc)),
            std::cmp::Ordering::Greater => {
                self.slots.resize_with(at, || None);
                self.slots.push(Some(desc));
            }
        }
    }

    /// The descriptor `fd`, or `BadDescriptor`.
    pub fn get(&self, fd: u32) -> KResult<&T> {
        self.slots
            .get(fd as usize)
            .and_then(Option::as_ref)
            .ok_or(ErrorCode::BadDescriptor)
    }

    /// The descriptor `fd` mutably, or `BadDescriptor`.
    pub fn get_mut(&mut self, fd: u32) -> KResult<&mut T> {
        self.slots
            .get_mut(fd as usize)
            .and_then(Option::as_mut)
            .ok_or(ErrorCode::BadDescriptor)
    }

    /// Removes `fd`, returning it (the caller drops it, closing it).
    pub fn remove(&mut self, fd: u32) -> KResult<T> {
        let desc = self
            .slots
            .get_mut(fd as usize)
            .and_then(Option::take)
            .ok_or(ErrorCode::BadDescriptor)?;
        while let Some(None) = self.slots.last() {
            self.slots.pop();
        }
        self.free.insert(fd);
        Ok(desc)
    }

    /// Moves `from` to `to`, closing what `to` held. Both must be open.
    pub fn renumber(&mut self, from: u32, to: u32) -> KResult<()> {
        if self.get(from).is_err() || self.get(to).is_err() {
            return Err(ErrorCode::BadDescriptor);
        }
        if from == to {
            return Ok(());
        }
        let closed = self.remove(to)?;
        drop(closed);
        let desc = self.remove(from)?;
        self.free.remove(&to);
        self.put(to, desc);
        Ok(())
    }

    /// Iterates over open descriptors in number order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(fd, d)| Some((fd as u32, d.as_ref()?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_reuses_highest_freed() {
        let mut t = FdTable::new();
        for i in 0..6 {
            assert_eq!(t.push(i).unwrap(), i);
        }
        t.remove(3).unwrap();
        t.remove(4).unwrap();
        assert_eq!(t.push(40).unwrap(), 4);
        assert_eq!(t.push(30).unwrap(), 3);
        assert_eq!(t.push(6).unwrap(), 6);
        assert_eq!(t.remove(9), Err(ErrorCode::BadDescriptor));
    }

    /// Closing the highest numbers and reopening: the freed numbers come
    /// back highest first, then numbering goes on past the highest open.
    #[test]
    fn numbering_after_closing_the_top() {
        let mut t = FdTable::new();
        for i in 0..6 {
            t.push(i).unwrap();
        }
        t.remove(5).unwrap();
        t.remove(4).unwrap();
        assert_eq!(t.get(5), Err(ErrorCode::BadDescriptor));
        assert_eq!(t.iter().map(|(fd, _)| fd).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!(t.push(50).unwrap(), 5);
        assert_eq!(t.push(40).unwrap(), 4);
        assert_eq!(t.push(60).unwrap(), 6);
        assert_eq!(t.remove(6).unwrap(), 60);
        assert_eq!(t.remove(6), Err(ErrorCode::BadDescriptor));
        assert_eq!(
            t.iter().map(|(fd, &d)| (fd, d)).collect::<Vec<_>>(),
            [(0, 0), (1, 1), (2, 2), (3, 3), (4, 40), (5, 50)]
        );
    }

    #[test]
    fn renumber_requires_both_open() {
        let mut t = FdTable::new();
        for i in 0..5 {
            t.push(i * 10).unwrap();
        }
        assert_eq!(t.renumber(4, 7), Err(ErrorCode::BadDescriptor));
        assert_eq!(t.renumber(7, 4), Err(ErrorCode::BadDescriptor));
        t.renumber(4, 3).unwrap();
        assert_eq!(*t.get(3).unwrap(), 40);
        assert_eq!(t.get(4), Err(ErrorCode::BadDescriptor));
        // 4 is free again and is reused first.
        assert_eq!(t.push(99).unwrap(), 4);
        t.renumber(2, 2).unwrap();
        assert_eq!(*t.get(2).unwrap(), 20);
    }
}
