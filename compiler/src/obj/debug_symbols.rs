//! The source locations of backtrace frames: a module's DWARF resolved at
//! compile time into a `kiln_abi::debug_symbols` table, so that a trap
//! report under `WASMTIME_BACKTRACE_DETAILS=1` names files, lines and
//! inlined functions as Wasmtime's does, and the program parses no DWARF.
//!
//! Phase: object emission (`descriptor::emit_descriptor`). Inputs: the
//! module's bytes and its `.debug_*` sections' ranges (`ModuleInfo::dwarf`),
//! the code section's start, and the wasm offsets the module's source maps
//! can give a frame (trap sites, call sites, the offsets of inlined
//! frames). Output: the encoded table, or `None` when there is no DWARF,
//! it does not parse, or it names none of the offsets.
//!
//! Each offset is looked up as Wasmtime looks it up: `addr2line`'s frames
//! at the offset minus the code section's start (DWARF addresses in wasm
//! are relative to it), innermost first, each with its raw name (the
//! linkage name if any), file, line and column. Names are stored in the
//! form Wasmtime prints (`module::display_name`). Malformed DWARF gives
//! fewer symbols, never an error: Wasmtime ignores it the same way.

use super::CompiledFunc;
use crate::module::{ModuleInfo, display_name};
use addr2line::gimli;
use kiln_abi::debug_symbols::{Symbol, encode};
use kiln_abi::descriptor::NO_INDEX;
use kiln_abi::tables::inlined_entry;

/// Every wasm offset (relative to the module's bytes) a backtrace frame of
/// `compiled` code can show: the source maps' own, and those of the
/// inlined frames their entries name; sorted, without duplicates.
pub fn frame_offsets(compiled: &[CompiledFunc]) -> Vec<u32> {
    let mut offsets = Vec::new();
    for c in compiled {
        for l in &c.srclocs {
            if inlined_entry(l.wasm_offset).is_none() && l.wasm_offset != NO_INDEX {
                offsets.push(l.wasm_offset);
            }
        }
        for chain in &c.inlined {
            // `[outer_offset, func_1, offset_1, ..., func_n, offset_n]`.
            let (outer, callees) = chain.split_first().unwrap_or((&NO_INDEX, &[]));
            let inner = callees.chunks_exact(2).map(|p| p[1]);
            offsets.extend(
                std::iter::once(*outer)
                    .chain(inner)
                    .filter(|o| *o != NO_INDEX),
            );
        }
    }
    offsets.sort_unstable();
    offsets.dedup();
    offsets
}

/// The table for `offsets` (relative to the module's bytes, sorted, no
/// duplicates); entries are keyed by offset plus `base` (the module's place
/// in the input file, as frames carry it).
pub fn debug_symbols_table(
    info: &ModuleInfo,
    wasm: &[u8],
    base: u32,
    offsets: &[u32],
) -> Option<Vec<u8>> {
    if info.dwarf.is_empty() {
        return None;
    }
    let code_start = u32::try_from(info.code_start?).ok()?;
    let section = |id: gimli::SectionId| {
        let bytes = info
            .dwarf
            .get(id.name())
            .and_then(|r| wasm.get(r.clone()))
            .unwrap_or(&[]);
        Ok::<_, gimli::Error>(gimli::EndianSlice::new(bytes, gimli::LittleEndian))
    };
    let dwarf = gimli::Dwarf::load(section).ok()?;
    let context = addr2line::Context::from_dwarf(dwarf).ok()?;
    let mut entries = Vec::new();
    for &offset in offsets {
        let Some(probe) = offset.checked_sub(code_start) else {
            continue;
        };
        let symbols = frames_at(&context, u64::from(probe));
        if !symbols.is_empty() {
            entries.push((base.saturating_add(offset), symbols));
        }
    }
    (!entries.is_empty()).then(|| encode(&entries))
}

/// Wasmtime's `FrameSymbol`s for one code-section-relative address.
fn frames_at<R: gimli::Reader>(context: &addr2line::Context<R>, probe: u64) -> Vec<Symbol<String>> {
    let mut symbols = Vec::new();
    let Ok(mut frames) = context.find_frames(probe).skip_all_loads() else {
        return symbols;
    };
    while let Ok(Some(frame)) = frames.next() {
        let name = frame
            .function
            .as_ref()
            .and_then(|f| f.raw_name().ok())
            .map(|n| display_name(&n));
        let location = frame.location.as_ref();
        symbols.push(Symbol {
            name,
            file: location.and_then(|l| l.file).map(str::to_string),
            line: location.and_then(|l| l.line),
            column: location.and_then(|l| l.column),
        });
    }
    symbols
}
