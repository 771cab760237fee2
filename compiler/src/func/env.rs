//! The translation environment of one function: where things live in the
//! `VMContext` and how to reach the runtime.
//!
//! Phase 2 (HOW). Inputs: [`super::ModuleEnv`] (layout from
//! `kiln_abi::vmctx::VMOffsets`, declared function ids). Outputs: CLIF values
//! for the addresses of memories, tables and globals, and calls to libcalls,
//! WASI host functions and wasm functions.
//!
//! Invariants:
//! - Every layout number comes from `VMOffsets`; nothing is hard-coded.
//! - Values that never change while the instance lives (memory bases, the
//!   definition pointers of imports, the `type_ids` array, the element base
//!   of a table that cannot grow) are loaded once, in
//!   the function's entry block, and reused everywhere: the entry block
//!   dominates every other block and always ends with a `jump` to the body, so
//!   loads are inserted just before that jump, whenever they are first needed.
//! - Values that change (memory lengths, table bases and lengths, mutable
//!   globals) are loaded at each use; a table that cannot grow has a constant
//!   length.

use super::translator::FuncCodegen;
use crate::CompileError;
use crate::key::FuncKey;
use crate::module::{GlobalIndex, MemoryIndex, TableIndex};
use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{self, InstBuilder, MemFlagsData};
use kiln_abi::vmctx::VMOffsets;

/// Entry-block values cached for the whole function.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Cached {
    /// `*mut VMMemoryDefinition` of an imported memory (module memory index).
    ImportedMemoryDef(MemoryIndex),
    /// `VMMemoryDefinition::base` of a memory (module memory index).
    MemoryBase(MemoryIndex),
    /// `*mut VMTableDefinition` of an imported table (module table index).
    ImportedTableDef(TableIndex),
    /// `VMTableDefinition::base` of a defined table that cannot grow (see
    /// `table.rs`).
    TableBase(TableIndex),
    /// Pointer to the storage of an imported global (module global index).
    ImportedGlobal(GlobalIndex),
    /// `VMContext::type_ids`.
    TypeIds,
    /// `VMContext::fuel`, the fuel counter's address (fuel checks only).
    FuelPtr,
    /// `VMContext::interrupt`, the interrupt flag's address (interruption
    /// checks only).
    InterruptPtr,
}

/// Flags for loads and stores of `VMContext` fields and runtime records:
/// always accessible and naturally aligned.
pub(super) fn vm_flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Flags for loads of fields that never change while the instance lives:
/// the load may be hoisted, merged and moved freely.
pub(super) fn vm_readonly_flags() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly().with_can_move()
}

/// Alias region (index in every function's region set, see
/// [`declare_alias_regions`]) of the bytes of linear memories: only
/// [`heap_flags`] accesses touch them.
const HEAP_REGION: u32 = 0;
/// Alias region of `VMMemoryDefinition::current_length` of unshared
/// memories: only [`FuncCodegen::memory_length`] reads it, nothing in
/// compiled code writes it (the runtime does, inside calls, which Cranelift
/// treats as touching every region).
const MEMORY_LENGTH_REGION: u32 = 1;

/// Declares the alias regions Kiln tags memory accesses with, first thing
/// in `func`, so that they get the fixed indices [`HEAP_REGION`] and
/// [`MEMORY_LENGTH_REGION`]. With them, Cranelift's alias analysis knows a
/// linear-memory store cannot change a memory's length: a length loaded for
/// one explicitly bounds-checked access is reused by the next until a call,
/// an atomic or a store outside these regions.
pub(super) fn declare_alias_regions(func: &mut ir::Function) {
    for (index, description) in [
        (HEAP_REGION, "wasm linear memory"),
        (MEMORY_LENGTH_REGION, "linear memory lengths"),
    ] {
        let region = func.dfg.alias_regions.insert(ir::AliasRegionData {
            user_id: index,
            description: description.into(),
        });
        assert_eq!(
            region,
            ir::AliasRegion::from_u32(index),
            "internal: Kiln's alias regions are declared first"
        );
    }
}

/// Flags of wasm linear-memory accesses: little-endian, maybe unaligned, and
/// trapping with `HEAP_OUT_OF_BOUNDS` so the signal handler finds the faulting
/// pc in the trap table; in the linear-memory alias region.
pub(super) fn heap_flags() -> MemFlagsData {
    MemFlagsData::new()
        .with_endianness(ir::Endianness::Little)
        .with_trap_code(Some(super::clif_trap(
            kiln_abi::trap::TrapCode::MemoryOutOfBounds,
        )))
        .with_alias_region(Some(ir::AliasRegion::from_u32(HEAP_REGION)))
}

/// An offset in the `VMContext` or a runtime record as a CLIF immediate.
pub(super) fn imm(offset: u32) -> Result<i32, CompileError> {
    i32::try_from(offset).map_err(|_| CompileError::ImplLimit("VMContext larger than 2 GiB"))
}

impl FuncCodegen<'_, '_> {
    /// The pointer size of the target in bytes.
    pub(super) fn ptr_size(&self) -> u8 {
        self.env.offsets.ptr_size
    }

    /// Returns the cached entry-block value `key`, computing it with
    /// `compute` (inserted before the entry block's terminator) the first time.
    fn cached(
        &mut self,
        key: Cached,
        compute: impl FnOnce(&mut FuncCursor<'_>) -> ir::Value,
    ) -> ir::Value {
        if let Some(v) = self.cache.get(&key) {
            return *v;
        }
        let term = self
            .builder
            .func
            .layout
            .last_inst(self.entry)
            .expect("internal: the entry block ends with a jump to the body");
        let mut pos = FuncCursor::new(self.builder.func)
            .at_inst(term)
            .with_srcloc(self.entry_srcloc);
        let v = compute(&mut pos);
        self.cache.insert(key, v);
        v
    }

    /// A pointer-sized, never-changing field at `vmctx + offset`, loaded once.
    pub(super) fn cached_vmctx_ptr(
        &mut self,
        key: Cached,
        offset: u32,
    ) -> Result<ir::Value, CompileError> {
        let offset = imm(offset)?;
        let (vmctx, ptr) = (self.vmctx, self.pointer);
        Ok(self.cached(key, |pos| {
            pos.ins().load(ptr, vm_readonly_flags(), vmctx, offset)
        }))
    }

    /// Where the `VMMemoryDefinition` of memory `mem` is: (base, offset).
    pub(super) fn memory_def(
        &mut self,
        mem: MemoryIndex,
    ) -> Result<(ir::Value, i32), CompileError> {
        match self.env.info.defined_memory_index(mem) {
            Some(defined) => {
                let off = self.env.offsets.defined_memory(defined.as_u32());
                Ok((self.vmctx, imm(off)?))
            }
            None => {
                let off = self.env.offsets.imported_memory(mem.as_u32());
                Ok((
                    self.cached_vmctx_ptr(Cached::ImportedMemoryDef(mem), off)?,
                    0,
                ))
            }
        }
    }

    /// The base address of memory `mem`'s bytes. Bases never move (memories
    /// are reserved up front), so this is loaded once per function.
    pub(super) fn memory_base(&mut self, mem: MemoryIndex) -> Result<ir::Value, CompileError> {
        if let Some(v) = self.cache.get(&Cached::MemoryBase(mem)) {
            return Ok(*v);
        }
        let (def, off) = self.memory_def(mem)?;
        let off = off + imm(VMOffsets::memory_base())?;
        let ptr = self.pointer;
        Ok(self.cached(Cached::MemoryBase(mem), |pos| {
            pos.ins().load(ptr, vm_readonly_flags(), def, off)
        }))
    }

    /// The current byte length of memory `mem` (pointer-sized). It changes
    /// on `memory.grow` (here or, for a shared or imported memory, anywhere
    /// else), so it is loaded at each use; the alias region lets Cranelift
    /// reuse an earlier load when nothing in between can change it.
    pub(super) fn memory_length(&mut self, mem: MemoryIndex) -> Result<ir::Value, CompileError> {
        let shared = self
            .env
            .info
            .memories
            .get(mem)
            .expect("validated: memory index in range")
            .shared;
        let (def, off) = self.memory_def(mem)?;
        let off = off + imm(VMOffsets::memory_current_length(self.ptr_size()))?;
        // A shared memory may grow on another thread at any time: no region,
        // so every use reloads it.
        let flags = if shared {
            vm_flags()
        } else {
            vm_flags().with_alias_region(Some(ir::AliasRegion::from_u32(MEMORY_LENGTH_REGION)))
        };
        Ok(self.builder.ins().load(self.pointer, flags, def, off))
    }

    /// Where the `VMTableDefinition` of table `table` is: (base, offset).
    pub(super) fn table_def(
        &mut self,
        table: TableIndex,
    ) -> Result<(ir::Value, i32), CompileError> {
        match self.env.info.defined_table_index(table) {
            Some(defined) => {
                let off = self.env.offsets.defined_table(defined.as_u32());
                Ok((self.vmctx, imm(off)?))
            }
            None => {
                let off = self.env.offsets.imported_table(table.as_u32());
                Ok((
                    self.cached_vmctx_ptr(Cached::ImportedTableDef(table), off)?,
                    0,
                ))
            }
        }
    }

    /// Where the storage of global `global` is: (base, offset).
    pub(super) fn global_addr(
        &mut self,
        global: GlobalIndex,
    ) -> Result<(ir::Value, i32), CompileError> {
        match self.env.info.defined_global_index(global) {
            Some(defined) => {
                let off = self.env.offsets.defined_global(defined.as_u32());
                Ok((self.vmctx, imm(off)?))
            }
            None => {
                let off = self.env.offsets.imported_global(global.as_u32());
                Ok((
                    self.cached_vmctx_ptr(Cached::ImportedGlobal(global), off)?,
                    0,
                ))
            }
        }
    }

    /// `VMContext::type_ids`: the runtime-interned signature id per type.
    pub(super) fn type_ids(&mut self) -> Result<ir::Value, CompileError> {
        self.cached_vmctx_ptr(Cached::TypeIds, VMOffsets::TYPE_IDS)
    }

    /// `global.get`.
    pub(super) fn translate_global_get(&mut self, global: GlobalIndex) -> Result<(), CompileError> {
        let info = self
            .env
            .info
            .globals
            .get(global)
            .expect("validated: global index in range");
        let ty = self.value_type(info.ty, self.offset)?;
        // Immutable globals are initialized before any wasm code runs, so
        // their loads may be hoisted and merged.
        let flags = if info.mutable {
            vm_flags()
        } else {
            vm_readonly_flags()
        }
        .with_endianness(ir::Endianness::Little);
        let (base, off) = self.global_addr(global)?;
        let v = self.builder.ins().load(ty, flags, base, off);
        self.stack.push(v);
        Ok(())
    }

    /// `global.set`.
    pub(super) fn translate_global_set(&mut self, global: GlobalIndex) -> Result<(), CompileError> {
        let v = self.pop1();
        let (base, off) = self.global_addr(global)?;
        let flags = vm_flags().with_endianness(ir::Endianness::Little);
        self.builder.ins().store(flags, v, base, off);
        Ok(())
    }

    /// The `FuncRef` of `key` in this function, imported on first use.
    pub(super) fn func_ref(&mut self, key: FuncKey, sig: ir::Signature) -> ir::FuncRef {
        if let Some(r) = self.func_refs.get(&key) {
            return *r;
        }
        let name = self.env.ids.external_name(key);
        let name = self.builder.func.declare_imported_user_function(name);
        let signature = self.builder.import_signature(sig);
        let r = self.builder.import_function(ir::ExtFuncData {
            name: ir::ExternalName::User(name),
            signature,
            // Wasm functions (and the linked code of other modules and
            // trampolines) are in the same object (`.text`), close by;
            // runtime functions come from the runtime archive (near only
            // where the target needs it, see `runtime_calls_are_near`).
            colocated: matches!(key, FuncKey::Wasm(_) | FuncKey::Linked(_))
                || crate::isa::runtime_calls_are_near(self.env.isa),
            patchable: false,
        });
        self.func_refs.insert(key, r);
        r
    }

    /// Calls the runtime's libcall `name` with `args` (after `vmctx`, which
    /// is passed first). Returns its result, if any. If the libcall is a
    /// trapping one, a non-zero result traps with its fixed code.
    pub(super) fn call_libcall(&mut self, name: &str, args: &[ir::Value]) -> Option<ir::Value> {
        let index = kiln_abi::libcalls::LIBCALLS
            .iter()
            .position(|l| l.name == name)
            .expect("internal: libcall name is in kiln_abi::libcalls::LIBCALLS");
        let sig = &kiln_abi::libcalls::LIBCALLS[index];
        let clif_sig = super::sig::native_signature(sig.params, sig.result, false, self.env.isa);
        let f = self.func_ref(FuncKey::Libcall(index), clif_sig);
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(self.vmctx);
        all.extend_from_slice(args);
        let call = self.builder.ins().call(f, &all);
        let result = self.builder.inst_results(call).first().copied();
        if let (Some(code), Some(r)) = (kiln_abi::libcalls::trap_code_of(name), result) {
            self.builder.ins().trapnz(r, super::clif_trap(code));
        }
        result
    }
}
