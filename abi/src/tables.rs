//! The per-function trap tables and source maps: a compact byte encoding,
//! with the encoder (used by the compiler) and the decoder (used by the
//! runtime's signal handler and backtraces) side by side.
//!
//! Phase: none (shared definitions). Inputs: sorted [`TrapSite`]s /
//! [`SrcLoc`]s (encoder) or the bytes a [`crate::descriptor::FuncDesc`]
//! points to (decoder). Outputs: bytes, or lookups.
//!
//! Both tables are byte strings of entries sorted by native offset (the
//! offset from the function start); the byte length in the `FuncDesc` ends
//! them. All integers are unsigned LEB128 (`uleb`); signed deltas are
//! zigzag-mapped first (`0, -1, 1, -2, ...` -> `0, 1, 2, 3, ...`).
//!
//! - **Trap table** (`FuncDesc::traps`): per entry
//!   `uleb((offset - prev_offset) << 1 | new_code)`, followed by
//!   `uleb(code)` (a [`crate::trap::TrapCode`] as `u32`) only if `new_code`
//!   is 1. The first entry always has `new_code` (`prev_offset` starts at 0);
//!   later ones only when their code differs from the previous entry's, so
//!   the typical entry (another memory access) is one or two bytes.
//! - **Source map** (`FuncDesc::srclocs`): per entry
//!   `uleb((native_offset - prev_native) << 1 | has_wasm)`, followed by
//!   `uleb(zigzag(wasm_offset - prev_wasm))` only if `has_wasm` is 1;
//!   `prev_wasm` starts at the function's `FuncDesc::wasm_offset` (the body
//!   start, so deltas stay small) and follows the entries that have one. An
//!   entry without one ([`NO_INDEX`]) covers code with no wasm location.
//!   Entry `i` covers native code from its offset up to entry `i + 1`'s;
//!   code before the first entry has no location. The compiler keeps only
//!   the entries the runtime can ask about (trap sites and the call
//!   instructions ending at return addresses, see the compiler's
//!   `obj/traps.rs`), so a lookup at any other offset may be imprecise.
//!
//! Invariants: decoding never allocates, locks or panics (it runs in the
//! signal handler); malformed bytes (a truncated or oversized integer, an
//! offset overflowing `u32`) end the iteration early. Lookups are a linear
//! scan of one function's table, stopping at the first entry past the
//! offset.

use crate::descriptor::NO_INDEX;
use alloc::vec::Vec;

/// A trapping instruction: native offset from the function start and its
/// [`crate::trap::TrapCode`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TrapSite {
    /// Offset of the faulting instruction from the function start.
    pub offset: u32,
    /// `TrapCode as u32`.
    pub code: u32,
}

/// One source-map entry: native code from `native_offset` (up to the next
/// entry) belongs to the wasm instruction at `wasm_offset`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SrcLoc {
    /// Offset of the first instruction of the range from the function start.
    pub native_offset: u32,
    /// Offset of the wasm instruction in the module binary, or [`NO_INDEX`]
    /// for code without a wasm location.
    pub wasm_offset: u32,
}

impl TrapSite {
    /// The site at `offset` trapping with `code`.
    pub const fn new(offset: u32, code: crate::trap::TrapCode) -> Self {
        TrapSite {
            offset,
            code: code as u32,
        }
    }
}

impl SrcLoc {
    /// The entry mapping native code from `native_offset` to `wasm_offset`.
    pub const fn new(native_offset: u32, wasm_offset: u32) -> Self {
        SrcLoc {
            native_offset,
            wasm_offset,
        }
    }
}

/// Appends the trap table of `sites` to `out`.
///
/// # Panics
/// If `sites` is not sorted by offset (a compiler bug).
pub fn encode_traps(sites: &[TrapSite], out: &mut Vec<u8>) {
    let mut prev_offset = 0;
    let mut prev_code = None;
    for s in sites {
        let delta = s
            .offset
            .checked_sub(prev_offset)
            .expect("trap sites are sorted by offset");
        let new_code = prev_code != Some(s.code);
        put_uleb(out, u64::from(delta) << 1 | u64::from(new_code));
        if new_code {
            put_uleb(out, u64::from(s.code));
        }
        prev_offset = s.offset;
        prev_code = Some(s.code);
    }
}

/// Appends the source map of `locs` to `out`; `base` is the function's
/// `FuncDesc::wasm_offset` (any value works, the body start is smallest).
///
/// # Panics
/// If `locs` is not sorted by native offset (a compiler bug).
pub fn encode_srclocs(base: u32, locs: &[SrcLoc], out: &mut Vec<u8>) {
    let mut prev_native = 0;
    let mut prev_wasm = base;
    for l in locs {
        let delta = l
            .native_offset
            .checked_sub(prev_native)
            .expect("source locations are sorted by native offset");
        let has_wasm = l.wasm_offset != NO_INDEX;
        put_uleb(out, u64::from(delta) << 1 | u64::from(has_wasm));
        if has_wasm {
            let d = i64::from(l.wasm_offset) - i64::from(prev_wasm);
            put_uleb(out, zigzag(d));
            prev_wasm = l.wasm_offset;
        }
        prev_native = l.native_offset;
    }
}

/// Set in a source-map entry's wasm offset for inlined code: the other
/// bits are the word index of its frames in the module's
/// `ModuleDescriptor::inlined` table (see [`inlined_frames`]). The compiler
/// inlines only in modules whose offsets (component position included)
/// stay below it, so a real offset never has it.
pub const INLINED: u32 = 1 << 31;

/// The source-map wasm offset of inlined code whose frames are the entry
/// at word `at` of the module's inlined-frames table.
pub const fn inlined_location(at: u32) -> u32 {
    INLINED | at
}

/// The word index of the inlined-frames entry a source-map wasm offset
/// names, or `None` for a plain offset (or [`NO_INDEX`]).
pub const fn inlined_entry(wasm_offset: u32) -> Option<u32> {
    if wasm_offset != NO_INDEX && wasm_offset & INLINED != 0 {
        Some(wasm_offset & !INLINED)
    } else {
        None
    }
}

/// Appends an entry to a module's inlined-frames table
/// (`ModuleDescriptor::inlined`): the offset of the call in the function
/// that holds the code, then the inlined callees' `(function, offset)`,
/// outermost first. Returns the entry's word index, which the source map
/// names as `INLINED | index`.
///
/// # Panics
/// If the table reaches [`INLINED`] words (a module's table is a few words
/// per inlined call: far below).
pub fn push_inlined_frames(
    table: &mut Vec<u32>,
    outer: u32,
    callees: impl ExactSizeIterator<Item = (u32, u32)>,
) -> u32 {
    let at = u32::try_from(table.len())
        .ok()
        .filter(|at| at & INLINED == 0)
        .expect("inlined-frames table below 2^31 words");
    table.push(outer);
    table.push(u32::try_from(callees.len()).expect("a short chain"));
    for (func, offset) in callees {
        table.push(func);
        table.push(offset);
    }
    at
}

/// The entry at word `at` of a module's inlined-frames table
/// (`ModuleDescriptor::inlined`): the offset of the call in the function
/// that holds the code, and the `(function, offset)` pairs of the inlined
/// callees as a flat slice, outermost first. `None` if the entry does not
/// fit the table (malformed input never panics here: the signal handler
/// reads it).
pub fn inlined_frames(table: &[u32], at: u32) -> Option<(u32, &[u32])> {
    let at = usize::try_from(at).ok()?;
    let outer = *table.get(at)?;
    let n = usize::try_from(*table.get(at.checked_add(1)?)?).ok()?;
    let start = at.checked_add(2)?;
    let pairs = table.get(start..start.checked_add(n.checked_mul(2)?)?)?;
    Some((outer, pairs))
}

/// A function's encoded trap table.
#[derive(Copy, Clone, Debug, Default)]
pub struct TrapTable<'a> {
    bytes: &'a [u8],
}

impl<'a> TrapTable<'a> {
    /// The table in `bytes` (as [`encode_traps`] wrote it).
    pub const fn new(bytes: &'a [u8]) -> Self {
        TrapTable { bytes }
    }

    /// The entries, in offset order.
    pub fn iter(&self) -> TrapIter<'a> {
        TrapIter {
            reader: Reader::new(self.bytes),
            offset: 0,
            code: None,
        }
    }

    /// The code (`TrapCode as u32`) of the trap site at exactly `offset`.
    pub fn code_at(&self, offset: u32) -> Option<u32> {
        self.iter()
            .take_while(|s| s.offset <= offset)
            .find(|s| s.offset == offset)
            .map(|s| s.code)
    }
}

/// Iterator over a [`TrapTable`].
#[derive(Clone, Debug)]
pub struct TrapIter<'a> {
    reader: Reader<'a>,
    offset: u32,
    code: Option<u32>,
}

impl Iterator for TrapIter<'_> {
    type Item = TrapSite;

    fn next(&mut self) -> Option<TrapSite> {
        let head = self.reader.uleb()?;
        self.offset = self.reader.advance(self.offset, head >> 1)?;
        if head & 1 != 0 {
            let code = self.reader.uleb()?;
            self.code = Some(self.reader.check(u32::try_from(code).ok())?);
        }
        // NB: a first entry without a code is malformed.
        let code = self.reader.check(self.code)?;
        Some(TrapSite {
            offset: self.offset,
            code,
        })
    }
}

/// A function's encoded source map.
#[derive(Copy, Clone, Debug, Default)]
pub struct SrcLocTable<'a> {
    bytes: &'a [u8],
    base: u32,
}

impl<'a> SrcLocTable<'a> {
    /// The map in `bytes`, encoded with `base` (see [`encode_srclocs`]).
    pub const fn new(bytes: &'a [u8], base: u32) -> Self {
        SrcLocTable { bytes, base }
    }

    /// The entries, in native-offset order.
    pub fn iter(&self) -> SrcLocIter<'a> {
        SrcLocIter {
            reader: Reader::new(self.bytes),
            native: 0,
            wasm: self.base,
        }
    }

    /// The wasm offset of native `offset`: that of the last entry at or
    /// before it; `None` before the first entry and for an entry without a
    /// wasm location.
    pub fn wasm_offset_at(&self, offset: u32) -> Option<u32> {
        let last = self
            .iter()
            .take_while(|l| l.native_offset <= offset)
            .last()?;
        (last.wasm_offset != NO_INDEX).then_some(last.wasm_offset)
    }
}

/// Iterator over a [`SrcLocTable`].
#[derive(Clone, Debug)]
pub struct SrcLocIter<'a> {
    reader: Reader<'a>,
    native: u32,
    wasm: u32,
}

impl Iterator for SrcLocIter<'_> {
    type Item = SrcLoc;

    fn next(&mut self) -> Option<SrcLoc> {
        let head = self.reader.uleb()?;
        self.native = self.reader.advance(self.native, head >> 1)?;
        let mut wasm_offset = NO_INDEX;
        if head & 1 != 0 {
            let delta = unzigzag(self.reader.uleb()?);
            let wasm = i64::from(self.wasm).checked_add(delta);
            let wasm = wasm.and_then(|w| u32::try_from(w).ok());
            // NB: `NO_INDEX` itself is not a location; only malformed data
            // can produce it.
            self.wasm = self.reader.check(wasm.filter(|w| *w != NO_INDEX))?;
            wasm_offset = self.wasm;
        }
        Some(SrcLoc {
            native_offset: self.native,
            wasm_offset,
        })
    }
}

/// A cursor over encoded bytes that stops for good at the first malformed
/// value.
#[derive(Clone, Debug)]
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    const fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    /// `value`, or (if `None`) the end of the data.
    fn check<T>(&mut self, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.bytes = &[];
        }
        value
    }

    /// Reads one unsigned LEB128 value of at most 64 bits.
    fn uleb(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for (i, &b) in self.bytes.iter().enumerate().take(10) {
            let shift = 7 * i as u32;
            let bits = u64::from(b & 0x7f);
            // The tenth byte may only carry the top bit of a u64.
            if shift == 63 && bits > 1 {
                break;
            }
            value |= bits << shift;
            if b & 0x80 == 0 {
                self.bytes = &self.bytes[i + 1..];
                return Some(value);
            }
        }
        self.bytes = &[];
        None
    }

    /// `offset + delta`, if it fits a `u32`.
    fn advance(&mut self, offset: u32, delta: u64) -> Option<u32> {
        let next = u32::try_from(delta)
            .ok()
            .and_then(|d| offset.checked_add(d));
        self.check(next)
    }
}

/// Appends `v` as unsigned LEB128 (also `crate::debug_symbols`'s encoding).
pub(crate) fn put_uleb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

const fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

const fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::trap::TrapCode;
    use alloc::vec;

    #[test]
    fn inlined_frames_read_their_entry_and_reject_short_tables() {
        let mut table = Vec::new();
        assert_eq!(
            push_inlined_frames(&mut table, 7, [(3, 0x40)].into_iter()),
            0
        );
        let pairs = [(4, 0x50), (5, NO_INDEX)];
        assert_eq!(push_inlined_frames(&mut table, 9, pairs.into_iter()), 4);
        assert_eq!(table, [7, 1, 3, 0x40, 9, 2, 4, 0x50, 5, NO_INDEX]);
        assert_eq!(inlined_entry(inlined_location(4)), Some(4));
        assert_eq!(inlined_entry(0x40), None);
        assert_eq!(inlined_entry(NO_INDEX), None);
        assert_eq!(inlined_frames(&table, 0), Some((7, &table[2..4])));
        assert_eq!(inlined_frames(&table, 4), Some((9, &table[6..10])));
        assert_eq!(inlined_frames(&table, 8), None);
        assert_eq!(inlined_frames(&table, 10), None);
        assert_eq!(inlined_frames(&[1, u32::MAX], 0), None);
    }

    fn traps_bytes(sites: &[TrapSite]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_traps(sites, &mut out);
        out
    }

    fn srclocs_bytes(base: u32, locs: &[SrcLoc]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_srclocs(base, locs, &mut out);
        out
    }

    #[test]
    fn uleb_and_zigzag_round_trip() {
        for v in [
            0,
            1,
            0x7f,
            0x80,
            0x3fff,
            0x4000,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut out = Vec::new();
            put_uleb(&mut out, v);
            let mut r = Reader::new(&out);
            assert_eq!(r.uleb(), Some(v));
            assert!(r.bytes.is_empty());
        }
        for v in [
            0,
            -1,
            1,
            i64::from(u32::MAX),
            -i64::from(u32::MAX),
            i64::MIN,
            i64::MAX,
        ] {
            assert_eq!(unzigzag(zigzag(v)), v);
        }
        assert_eq!(zigzag(-1), 1);
        assert_eq!(zigzag(1), 2);
    }

    #[test]
    fn empty_tables() {
        assert!(traps_bytes(&[]).is_empty());
        assert!(srclocs_bytes(7, &[]).is_empty());
        assert_eq!(TrapTable::new(&[]).iter().count(), 0);
        assert_eq!(TrapTable::new(&[]).code_at(0), None);
        assert_eq!(SrcLocTable::new(&[], 7).wasm_offset_at(0), None);
        assert_eq!(TrapTable::default().iter().count(), 0);
    }

    #[test]
    fn traps_round_trip_and_store_codes_only_when_they_change() {
        let sites = [
            TrapSite::new(0, TrapCode::StackOverflow),
            TrapSite::new(4, TrapCode::MemoryOutOfBounds),
            TrapSite::new(9, TrapCode::MemoryOutOfBounds),
            TrapSite::new(9, TrapCode::UnreachableCodeReached),
            TrapSite::new(200, TrapCode::UnreachableCodeReached),
            TrapSite::new(u32::MAX - 1, TrapCode::MemoryOutOfBounds),
            TrapSite::new(u32::MAX, TrapCode::MemoryOutOfBounds),
        ];
        let bytes = traps_bytes(&sites);
        let table = TrapTable::new(&bytes);
        assert_eq!(table.iter().collect::<Vec<_>>(), sites);
        // Offset 4, same code: one byte for the delta, none for the code.
        let short = traps_bytes(&[
            TrapSite::new(1, TrapCode::MemoryOutOfBounds),
            TrapSite::new(5, TrapCode::MemoryOutOfBounds),
        ]);
        assert_eq!(short.len(), 3);
        assert_eq!(table.code_at(0), Some(TrapCode::StackOverflow as u32));
        assert_eq!(table.code_at(4), Some(TrapCode::MemoryOutOfBounds as u32));
        assert_eq!(table.code_at(9), Some(TrapCode::MemoryOutOfBounds as u32));
        assert_eq!(
            table.code_at(200),
            Some(TrapCode::UnreachableCodeReached as u32)
        );
        assert_eq!(
            table.code_at(u32::MAX),
            Some(TrapCode::MemoryOutOfBounds as u32)
        );
        assert_eq!(table.code_at(5), None);
        assert_eq!(table.code_at(201), None);
    }

    #[test]
    fn srclocs_round_trip_with_huge_and_negative_deltas() {
        let locs = [
            SrcLoc::new(0, NO_INDEX),
            SrcLoc::new(3, 0x1000),
            SrcLoc::new(8, 0x0fff),
            SrcLoc::new(8, 0x20),
            SrcLoc::new(12, NO_INDEX),
            SrcLoc::new(20, 0x21),
            SrcLoc::new(0x10_0000, u32::MAX - 1),
            SrcLoc::new(0x10_0001, 0),
            SrcLoc::new(u32::MAX, 5),
        ];
        for base in [0, 0x1000, u32::MAX - 1] {
            let bytes = srclocs_bytes(base, &locs);
            let table = SrcLocTable::new(&bytes, base);
            assert_eq!(table.iter().collect::<Vec<_>>(), locs);
        }
        let bytes = srclocs_bytes(0x1000, &locs);
        let table = SrcLocTable::new(&bytes, 0x1000);
        assert_eq!(table.wasm_offset_at(0), None);
        assert_eq!(table.wasm_offset_at(2), None);
        assert_eq!(table.wasm_offset_at(3), Some(0x1000));
        assert_eq!(table.wasm_offset_at(7), Some(0x1000));
        // Two entries at one offset: the later wins.
        assert_eq!(table.wasm_offset_at(8), Some(0x20));
        assert_eq!(table.wasm_offset_at(12), None);
        assert_eq!(table.wasm_offset_at(19), None);
        assert_eq!(table.wasm_offset_at(0xf_ffff), Some(0x21));
        assert_eq!(table.wasm_offset_at(0x10_0000), Some(u32::MAX - 1));
        assert_eq!(table.wasm_offset_at(0x10_0001), Some(0));
        assert_eq!(table.wasm_offset_at(u32::MAX), Some(5));
        let late = srclocs_bytes(0, &[SrcLoc::new(4, 1)]);
        assert_eq!(SrcLocTable::new(&late, 0).wasm_offset_at(3), None);
    }

    #[test]
    fn small_entries_take_two_bytes() {
        let bytes = srclocs_bytes(
            0x500,
            &[
                SrcLoc::new(10, 0x510),
                SrcLoc::new(14, 0x508),
                SrcLoc::new(20, NO_INDEX),
            ],
        );
        assert_eq!(bytes.len(), 5);
    }

    #[test]
    #[should_panic(expected = "sorted")]
    fn unsorted_traps_are_a_bug() {
        traps_bytes(&[
            TrapSite::new(4, TrapCode::MemoryOutOfBounds),
            TrapSite::new(2, TrapCode::MemoryOutOfBounds),
        ]);
    }

    #[test]
    fn malformed_bytes_end_decoding_without_panicking() {
        // Truncated LEB128.
        assert_eq!(TrapTable::new(&[0x80]).iter().count(), 0);
        // A first trap entry without a code.
        assert_eq!(TrapTable::new(&[0x08]).iter().count(), 0);
        // An offset past u32::MAX.
        let mut bytes = traps_bytes(&[TrapSite::new(u32::MAX, TrapCode::MemoryOutOfBounds)]);
        bytes.extend_from_slice(&[0x02]);
        assert_eq!(TrapTable::new(&bytes).iter().count(), 1);
        // A code that is not a u32.
        let mut big_code = vec![0x01];
        put_uleb(&mut big_code, u64::from(u32::MAX) + 1);
        assert_eq!(TrapTable::new(&big_code).iter().count(), 0);
        // An eleven-byte integer.
        assert_eq!(TrapTable::new(&[0xff; 11]).iter().count(), 0);
        // A wasm offset below zero.
        let mut below = vec![0x01];
        put_uleb(&mut below, zigzag(-1));
        assert_eq!(SrcLocTable::new(&below, 0).iter().count(), 0);
        assert_eq!(SrcLocTable::new(&below, 1).iter().count(), 1);
        // A wasm offset of NO_INDEX.
        let mut none = vec![0x01];
        put_uleb(&mut none, zigzag(1));
        assert_eq!(SrcLocTable::new(&none, NO_INDEX - 1).iter().count(), 0);
    }
}
