//! The descriptor table: small integers naming kernel objects.
//!
//! Phase: run time. Inputs: descriptors pushed by start-up (stdio, preopens)
//! and by `open`. Outputs: numbers the guest uses.
//!
//! Invariants (numbering policy of wasmtime 48's P1 adapter, which guests can
//! observe): a new descriptor takes the *highest* previously freed number if
//! any, otherwise one past the highest number in use (0 for an empty table).
//! `renumber(from, to)` requires both to be open, closes `to` and moves `from`
//! there, freeing `from`.

use super::error::{ErrorCode, KResult};
use std::collections::{BTreeMap, BTreeSet};

/// A table of descriptors of type `T`.
#[derive(Debug)]
pub struct FdTable<T> {
    used: BTreeMap<u32, T>,
    free: BTreeSet<u32>,
}

impl<T> Default for FdTable<T> {
    fn default() -> Self {
        FdTable {
            used: BTreeMap::new(),
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
        match self.used.last_key_value() {
            None => Ok(0),
            Some((&fd, _)) => match fd.checked_add(1) {
                Some(next) => Ok(next),
                // NB: wasmtime reports a full table as ELOOP; with u32::MAX
                // entries we would have run out of memory long before.
                None => (0..u32::MAX)
                    .rev()
                    .find(|fd| !self.used.contains_key(fd))
                    .ok_or(ErrorCode::Loop),
            },
        }
    }

    /// Inserts `desc`, returning its number.
    pub fn push(&mut self, desc: T) -> KResult<u32> {
        let fd = match self.free.pop_last() {
            Some(fd) => fd,
            None => self.unused()?,
        };
        self.used.insert(fd, desc);
        Ok(fd)
    }

    /// The descriptor `fd`, or `BadDescriptor`.
    pub fn get(&self, fd: u32) -> KResult<&T> {
        self.used.get(&fd).ok_or(ErrorCode::BadDescriptor)
    }

    /// The descriptor `fd` mutably, or `BadDescriptor`.
    pub fn get_mut(&mut self, fd: u32) -> KResult<&mut T> {
        self.used.get_mut(&fd).ok_or(ErrorCode::BadDescriptor)
    }

    /// Removes `fd`, returning it (the caller drops it, closing it).
    pub fn remove(&mut self, fd: u32) -> KResult<T> {
        let desc = self.used.remove(&fd).ok_or(ErrorCode::BadDescriptor)?;
        self.free.insert(fd);
        Ok(desc)
    }

    /// Moves `from` to `to`, closing what `to` held. Both must be open.
    pub fn renumber(&mut self, from: u32, to: u32) -> KResult<()> {
        if !self.used.contains_key(&from) || !self.used.contains_key(&to) {
            return Err(ErrorCode::BadDescriptor);
        }
        if from == to {
            return Ok(());
        }
        let closed = self.remove(to)?;
        drop(closed);
        let desc = self.remove(from)?;
        self.free.remove(&to);
        self.used.insert(to, desc);
        Ok(())
    }

    /// Iterates over open descriptors in number order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &T)> {
        self.used.iter().map(|(&fd, d)| (fd, d))
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
