//! Per-function trap tables and source maps from Cranelift's code buffer.
//!
//! Phase 3. Input: a compiled function's `MachBufferFinalized`. Output: the
//! `kiln_abi::descriptor::TrapSite` and `SrcLoc` lists (as plain pairs),
//! sorted by native offset; native code without a wasm location maps to
//! `NO_INDEX`. Invariant: every trap code in compiled code maps
//! to an ABI trap code ([`crate::func::abi_trap`]); one that does not is a
//! Kiln bug, reported as [`CompileError::Codegen`].

use crate::CompileError;
use cranelift_codegen::{Final, MachSrcLoc, MachTrap};
use kiln_abi::descriptor::NO_INDEX;
use kiln_abi::trap::TrapCode;

/// One trapping instruction: offset from the function start and code.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TrapEntry {
    /// Offset of the faulting instruction.
    pub offset: u32,
    /// ABI code.
    pub code: TrapCode,
}

/// One source-map entry: native offset where a run of code for one wasm
/// instruction starts, and that instruction's offset in the module.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SrcLocEntry {
    /// Native offset from the function start.
    pub native_offset: u32,
    /// Wasm byte offset in the module.
    pub wasm_offset: u32,
}

/// The trap table of a function, sorted by offset.
pub fn trap_table(func: u32, traps: &[MachTrap]) -> Result<Vec<TrapEntry>, CompileError> {
    let mut table = traps
        .iter()
        .map(|t| match crate::func::abi_trap(t.code) {
            Some(code) => Ok(TrapEntry {
                offset: t.offset,
                code,
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

/// The source map of a function of `code_len` bytes, in the shape of
/// Wasmtime's address map (`collect_address_maps` + `AddressMapSection`):
/// each entry covers native code from its offset up to the next entry's.
/// Code with no wasm location (the prologue, which Cranelift tags with
/// `SourceLoc::default()`; gaps between ranges; the tail after the last
/// range, e.g. constants) gets an entry with [`NO_INDEX`], so the runtime
/// prints no offset for it, exactly like Wasmtime. Consecutive entries with
/// the same wasm offset are merged.
pub fn src_map(srclocs: &[MachSrcLoc<Final>], code_len: u32) -> Vec<SrcLocEntry> {
    let mut map: Vec<SrcLocEntry> = Vec::new();
    let push = |map: &mut Vec<SrcLocEntry>, native_offset: u32, wasm_offset: u32| {
        if map.last().is_none_or(|l| l.wasm_offset != wasm_offset) {
            map.push(SrcLocEntry {
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

    fn entries(map: &[SrcLocEntry]) -> Vec<(u32, u32)> {
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
}
