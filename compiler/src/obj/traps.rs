//! Per-function trap tables and source maps from Cranelift's code buffer.
//!
//! Phase 3. Input: a compiled function's `MachBufferFinalized`. Output: the
//! `kiln_abi::descriptor::TrapSite` and `SrcLoc` lists (as plain pairs),
//! sorted by native offset. Invariant: every trap code in compiled code maps
//! to an ABI trap code ([`crate::func::abi_trap`]); one that does not is a
//! Kiln bug, reported as [`CompileError::Codegen`].

use crate::CompileError;
use cranelift_codegen::{Final, MachSrcLoc, MachTrap};
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

/// The source map of a function: runs of code with a known wasm offset,
/// merging neighbours with the same offset.
pub fn src_map(srclocs: &[MachSrcLoc<Final>]) -> Vec<SrcLocEntry> {
    let mut map: Vec<SrcLocEntry> = Vec::new();
    for s in srclocs {
        if s.loc.is_default() || s.start == s.end {
            continue;
        }
        let wasm_offset = s.loc.bits();
        if map.last().is_some_and(|l| l.wasm_offset == wasm_offset) {
            continue;
        }
        map.push(SrcLocEntry {
            native_offset: s.start,
            wasm_offset,
        });
    }
    map
}
