//! Per-function trap tables and source maps from Cranelift's code buffer.
//!
//! Driver, right after Cranelift compiled a function. Input: its
//! `MachBufferFinalized`. Output: the plain `kiln_abi::tables` [`TrapSite`]
//! and [`SrcLoc`] lists, sorted by native offset, which the descriptor
//! (`crate::obj::descriptor`) encodes; native code without a wasm
//! location maps to `NO_INDEX`. Invariants: every trap code in compiled
//! code maps to an ABI trap code ([`crate::func::abi_trap`]); one that does
//! not is a Kiln bug, reported as [`CompileError::Codegen`]. The source map
//! keeps only what the runtime looks up ([`lookup_offsets`]), and gives the
//! same answer at those offsets as the full map ([`src_map`]).

use crate::CompileError;
use cranelift_codegen::{Final, MachSrcLoc, MachTrap};
use kiln_abi::descriptor::NO_INDEX;
use kiln_abi::tables::{SrcLoc, TrapSite};

/// The trap table of a function, sorted by offset.
pub fn trap_table(func: u32, traps: &[MachTrap]) -> Result<Vec<TrapSite>, CompileError> {
    let mut table = traps
        .iter()
        .map(|t| match crate::func::abi_trap(t.code) {
            Some(code) => Ok(TrapSite {
                offset: t.offset,
                code: code as u32,
            }),
            None => Err(CompileError::Codegen {
                func,
                message: format!(
                    "trap code {} at offset {:#x} has no ABI trap code (use func::clif_trap)",
                    t.code, t.offset
                ),
            }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    table.sort();
    table.dedup();
    Ok(table)
}

/// The full source map of a function of `code_len` bytes, in the shape of
/// Wasmtime's address map (`collect_address_maps` + `AddressMapSection`):
/// each entry covers native code from its offset up to the next entry's.
/// Code with no wasm location (the prologue, which Cranelift tags with
/// `SourceLoc::default()`; gaps between ranges; the tail after the last
/// range, e.g. constants) gets an entry with [`NO_INDEX`], so the runtime
/// prints no offset for it, exactly like Wasmtime. Consecutive entries with
/// the same wasm offset are merged.
pub fn src_map(srclocs: &[MachSrcLoc<Final>], code_len: u32) -> Vec<SrcLoc> {
    let mut map: Vec<SrcLoc> = Vec::new();
    let push = |map: &mut Vec<SrcLoc>, native_offset: u32, wasm_offset: u32| {
        if map.last().is_none_or(|l| l.wasm_offset != wasm_offset) {
            map.push(SrcLoc {
                native_offset,
                wasm_offset,
            });
        }
    };
    let mut end = 0;
    for s in srclocs {
        if s.start == s.end {
            continue;
        }
        if s.start != end {
            push(&mut map, end, NO_INDEX);
        }
        let wasm_offset = if s.loc.is_default() {
            NO_INDEX
        } else {
            s.loc.bits()
        };
        push(&mut map, s.start, wasm_offset);
        end = s.end;
    }
    if end != code_len && !map.is_empty() {
        push(&mut map, end, NO_INDEX);
    }
    map
}

/// The native offsets at which the runtime looks up a function's source
/// map: every trap site (frame 0 of a trap's backtrace is the faulting pc,
/// looked up exactly) and the last byte of every call (every other frame is
/// a return address, looked up minus one, as Wasmtime does). Cranelift
/// records every call it emits, direct, indirect or libcall, as a call site
/// with its return address (`call_returns`).
pub fn lookup_offsets(traps: &[TrapSite], call_returns: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut offsets: Vec<u32> = traps
        .iter()
        .map(|t| t.offset)
        .chain(call_returns.filter_map(|r| r.checked_sub(1)))
        .collect();
    offsets.sort_unstable();
    offsets.dedup();
    offsets
}

/// The part of the full source `map` that answers lookups at the sorted
/// `offsets`: one entry at each offset whose answer differs from the
/// previous offset's (a lookup takes the last entry at or before it, so
/// each answer stays the same; before the first entry there is none, like
/// an entry without a location).
pub fn needed_src_map(map: &[SrcLoc], offsets: &[u32]) -> Vec<SrcLoc> {
    let mut needed: Vec<SrcLoc> = Vec::new();
    let mut next = map.iter().peekable();
    let mut current = NO_INDEX;
    for &offset in offsets {
        while let Some(l) = next.next_if(|l| l.native_offset <= offset) {
            current = l.wasm_offset;
        }
        if needed.last().map_or(NO_INDEX, |l| l.wasm_offset) != current {
            needed.push(SrcLoc {
                native_offset: offset,
                wasm_offset: current,
            });
        }
    }
    needed
}

#[cfg(test)]
mod tests {
    use super::*;
    use cranelift_codegen::ir::SourceLoc;

    fn range(start: u32, end: u32, loc: Option<u32>) -> MachSrcLoc<Final> {
        MachSrcLoc {
            start,
            end,
            loc: loc.map_or_else(SourceLoc::default, SourceLoc::new),
        }
    }

    fn entries(map: &[SrcLoc]) -> Vec<(u32, u32)> {
        map.iter()
            .map(|e| (e.native_offset, e.wasm_offset))
            .collect()
    }

    #[test]
    fn prologue_gaps_and_tail_have_no_wasm_offset() {
        let srclocs = [
            range(0, 8, None),
            range(8, 12, Some(0x20)),
            range(12, 14, Some(0x20)),
            range(14, 20, Some(0x22)),
            // 20..24: no range (e.g. a regalloc move), then the same offset.
            range(24, 30, Some(0x22)),
            range(30, 30, Some(0x40)),
            range(30, 34, None),
        ];
        assert_eq!(
            entries(&src_map(&srclocs, 40)),
            [
                (0, NO_INDEX),
                (8, 0x20),
                (14, 0x22),
                (20, NO_INDEX),
                (24, 0x22),
                (30, NO_INDEX),
            ]
        );
    }

    #[test]
    fn empty_code_has_empty_map() {
        assert!(src_map(&[], 0).is_empty());
        assert!(src_map(&[], 16).is_empty());
    }

    fn loc(native_offset: u32, wasm_offset: u32) -> SrcLoc {
        SrcLoc {
            native_offset,
            wasm_offset,
        }
    }

    /// What the runtime answers at `offset` from an encoded `map`.
    fn lookup(map: &[SrcLoc], offset: u32) -> Option<u32> {
        let mut bytes = Vec::new();
        kiln_abi::tables::encode_srclocs(0x10, map, &mut bytes);
        kiln_abi::tables::SrcLocTable::new(&bytes, 0x10).wasm_offset_at(offset)
    }

    #[test]
    fn lookups_are_trap_sites_and_last_bytes_of_calls() {
        let traps = [
            TrapSite { offset: 2, code: 1 },
            TrapSite { offset: 9, code: 2 },
        ];
        assert_eq!(lookup_offsets(&traps, [10, 5, 0, 3].into_iter()), [2, 4, 9]);
        assert!(lookup_offsets(&[], core::iter::empty()).is_empty());
    }

    #[test]
    fn needed_map_answers_every_lookup_like_the_full_map() {
        let full = [
            loc(0, NO_INDEX),
            loc(8, 0x20),
            loc(14, 0x22),
            loc(20, NO_INDEX),
            loc(24, 0x22),
            loc(30, 0x18),
            loc(36, NO_INDEX),
        ];
        let all: Vec<u32> = (0..40).collect();
        let some = [3, 8, 9, 13, 15, 21, 25, 26, 29, 31, 39];
        let late = [10, 11];
        for offsets in [&all[..], &some[..], &late[..], &[]] {
            let needed = needed_src_map(&full, offsets);
            for &o in offsets {
                assert_eq!(lookup(&needed, o), lookup(&full, o), "at {o}");
            }
        }
        // Only changes are kept: nothing for 3 (no location, like before
        // any entry), 9 and 13 (as 8), 26 and 29 (as 25).
        assert_eq!(
            entries(&needed_src_map(&full, &some)),
            [
                (8, 0x20),
                (15, 0x22),
                (21, NO_INDEX),
                (25, 0x22),
                (31, 0x18),
                (39, NO_INDEX),
            ]
        );
        assert!(needed_src_map(&full, &[]).is_empty());
        assert!(needed_src_map(&[], &some).is_empty());
    }
}
