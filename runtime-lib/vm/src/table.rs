//! Tables: heap-allocated arrays of pointer-sized references.
//!
//! Phase: instance setup, `table.grow`/`fill`/`copy`/`init`. Input: a
//! `kiln_abi::descriptor::TableDesc` and the initial element value.
//! Output: a [`Table`] whose `(base, len)` the instance mirrors into the
//! `VMTableDefinition` that compiled code reads.
//!
//! Invariants: elements are `*mut u8` (`funcref`: address of a `VMFuncRef`,
//! null for `ref.null`; `externref`: opaque). Growing may move the storage,
//! so the owner must refresh the `VMTableDefinition` after every grow
//! ([`Table::base`]). Allocation failure makes `table.grow` return -1, never
//! aborts.

/// Most elements any table may have (beyond it `table.grow` fails), to keep
/// a runaway guest from exhausting host memory with one instruction. Also
/// the limit of table64 tables, and far below 2^32, so a 32-bit table's size
/// always fits its `i32` results.
pub const MAX_TABLE_ELEMENTS: u64 = 1 << 28;

/// One table.
#[derive(Debug)]
pub struct Table {
    elements: Vec<*mut u8>,
    max: u64,
}

impl Table {
    /// A table of `min` elements set to `init`, growable to `max`.
    pub fn new(min: u64, max: u64, init: *mut u8) -> Result<Table, String> {
        let mut table = Table {
            elements: Vec::new(),
            max: max.min(MAX_TABLE_ELEMENTS),
        };
        if min > table.max || table.grow(min, init).is_none() {
            return Err(format!(
                "table minimum size of {min} elements exceeds table limits"
            ));
        }
        Ok(table)
    }

    /// First element (may change on growth).
    pub fn base(&mut self) -> *mut *mut u8 {
        self.elements.as_mut_ptr()
    }

    /// Number of elements.
    pub fn len(&self) -> u64 {
        self.elements.len() as u64
    }

    /// Whether the table has no elements.
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    /// The elements.
    pub fn elements(&self) -> &[*mut u8] {
        &self.elements
    }

    /// The elements, mutably.
    pub fn elements_mut(&mut self) -> &mut [*mut u8] {
        &mut self.elements
    }

    /// Grows by `delta` elements set to `init`; returns the old size, or
    /// `None` past the maximum or when allocation fails.
    pub fn grow(&mut self, delta: u64, init: *mut u8) -> Option<u64> {
        let old = self.len();
        let new = old.checked_add(delta)?;
        if new > self.max {
            return None;
        }
        self.elements.try_reserve_exact(delta as usize).ok()?;
        self.elements.resize(new as usize, init);
        Some(old)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: usize) -> *mut u8 {
        v as *mut u8
    }

    #[test]
    fn grow_fills_and_respects_max() {
        let mut t = Table::new(2, 4, p(8)).expect("table");
        assert_eq!(t.elements(), &[p(8), p(8)]);
        assert_eq!(t.grow(1, p(16)), Some(2));
        assert_eq!(t.elements(), &[p(8), p(8), p(16)]);
        assert_eq!(t.grow(2, p(0)), None);
        assert_eq!(t.grow(0, p(0)), Some(3));
        assert_eq!(t.grow(1, p(0)), Some(3));
        assert_eq!(t.len(), 4);
        assert_eq!(t.grow(1, p(0)), None);
    }

    #[test]
    fn unbounded_tables_stop_at_the_limit() {
        let mut t = Table::new(0, u64::MAX, p(0)).expect("table");
        assert_eq!(t.grow(u32::MAX as u64, p(0)), None);
        assert_eq!(t.grow(u64::MAX, p(0)), None);
        assert!(t.is_empty());
        assert!(Table::new(MAX_TABLE_ELEMENTS + 1, u64::MAX, p(0)).is_err());
    }
}
