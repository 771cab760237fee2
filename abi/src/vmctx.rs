//! Layout of the per-instance `VMContext` that compiled code reads and the
//! runtime allocates and fills.
//!
//! The context is one contiguous, 16-byte aligned block. Its fields, in order:
//!
//! | field                | size each                    | count                  |
//! |----------------------|------------------------------|------------------------|
//! | header               | [`VMOffsets::HEADER_SIZE`]   | 1                      |
//! | imported functions   | [`VMFunctionImport`]         | imported funcs         |
//! | imported memories    | pointer to [`VMMemoryDefinition`] | imported memories |
//! | imported tables      | pointer to [`VMTableDefinition`]  | imported tables   |
//! | imported globals     | pointer to [`VMGlobal`]      | imported globals       |
//! | defined memories     | [`VMMemoryDefinition`]       | defined memories       |
//! | defined tables       | [`VMTableDefinition`]        | defined tables         |
//! | defined globals      | [`VMGlobal`] (16-aligned)    | defined globals        |
//! | function references  | [`VMFuncRef`]                | all funcs (imports first) |
//! | tags                 | pointer to [`crate::exceptions::VMTag`] | all tags (imports first) |
//! | limits               | `interrupt: *const u64`, `fuel: *mut i64` | 1           |
//!
//! The limits fields are there whether or not the code was compiled with
//! interruption or fuel checks, so the runtime fills every context alike
//! (see [`VMOffsets::interrupt`] and [`VMOffsets::fuel`]).
//!
//! The header holds (offsets from [`VMOffsets`]): magic, the stack limit, the
//! runtime's instance pointer, the pointer to the runtime-interned signature
//! ids (one `u32` per module type index), and the memory that WASI host calls
//! use.
//!
//! A `funcref` value is the address of a [`VMFuncRef`] (usually one inside some
//! instance's function-reference array); null is `0`. `call_indirect` compares
//! `VMFuncRef::type_id` with `type_ids[type_index]` of the calling instance:
//! ids are interned by the runtime so structurally equal function types get
//! the same id across modules.

/// The counts that decide a `VMContext`'s layout.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct VMCounts {
    /// Imported functions.
    pub imported_funcs: u32,
    /// Imported memories.
    pub imported_memories: u32,
    /// Imported tables.
    pub imported_tables: u32,
    /// Imported globals.
    pub imported_globals: u32,
    /// Memories defined by the module.
    pub defined_memories: u32,
    /// Tables defined by the module.
    pub defined_tables: u32,
    /// Globals defined by the module.
    pub defined_globals: u32,
    /// All functions, imported and defined.
    pub funcs: u32,
    /// All tags, imported and defined (exception handling).
    pub tags: u32,
}

/// Field offsets of a `VMContext` for one module.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct VMOffsets {
    /// Pointer size of the target, in bytes.
    pub ptr_size: u8,
    /// The counts this layout was computed from.
    pub counts: VMCounts,
    imported_funcs: u32,
    imported_memories: u32,
    imported_tables: u32,
    imported_globals: u32,
    defined_memories: u32,
    defined_tables: u32,
    defined_globals: u32,
    func_refs: u32,
    tags: u32,
    limits: u32,
    size: u32,
}

/// Value of the `magic` header field of a live `VMContext` ("VMCX").
pub const VMCTX_MAGIC: u32 = 0x5843_4d56;

/// Layout of `VMMemoryDefinition`: `{ base: *mut u8, current_length: usize }`.
/// `base` never changes for the lifetime of a memory (memories are reserved
/// up front), so code may keep it in a register; `current_length` (in bytes)
/// changes on `memory.grow`.
#[repr(C)]
#[derive(Debug)]
pub struct VMMemoryDefinition {
    /// Start of the linear memory.
    pub base: *mut u8,
    /// Accessible length in bytes.
    pub current_length: usize,
}

/// Layout of `VMTableDefinition`: `{ base: *mut *mut u8, current_elements: usize }`.
/// Elements are pointer-sized (`funcref`: `*const VMFuncRef`, `externref`:
/// opaque pointer). `base` may move on `table.grow`, so code reloads it.
#[repr(C)]
#[derive(Debug)]
pub struct VMTableDefinition {
    /// First element.
    pub base: *mut *mut u8,
    /// Number of elements.
    pub current_elements: usize,
}

/// Storage of one global: 16 bytes, 16-aligned, value in the low bytes
/// (little-endian), like [`crate::ValRaw`].
#[repr(C, align(16))]
#[derive(Debug, Default, Clone, Copy)]
pub struct VMGlobal {
    /// The value's bytes.
    pub bytes: [u8; 16],
}

/// A function reference: what a `funcref` points to.
#[repr(C)]
#[derive(Debug)]
pub struct VMFuncRef {
    /// Address of the function's body in the wasm calling convention
    /// (see [`crate::descriptor`] for the convention).
    pub wasm_call: *const u8,
    /// Runtime-interned signature id.
    pub type_id: u32,
    /// Padding; keep zero.
    pub _pad: u32,
    /// The callee's `VMContext`.
    pub vmctx: *mut u8,
}

/// An imported function: the callee's code and its `VMContext`.
#[repr(C)]
#[derive(Debug)]
pub struct VMFunctionImport {
    /// Address of the body in the wasm calling convention.
    pub wasm_call: *const u8,
    /// The callee's `VMContext`.
    pub vmctx: *mut u8,
}

const fn align_to(v: u32, a: u32) -> u32 {
    (v + a - 1) & !(a - 1)
}

impl VMOffsets {
    /// Size of the fixed header.
    pub const HEADER_SIZE: u32 = 48;
    /// Offset of the `magic: u32` field.
    pub const MAGIC: u32 = 0;
    /// Offset of `stack_limit: usize`: the lowest stack pointer wasm code may
    /// use; function prologues trap with `StackOverflow` below it.
    pub const STACK_LIMIT: u32 = 8;
    /// Offset of `instance: *mut ()`: the runtime's own instance state.
    pub const INSTANCE: u32 = 16;
    /// Offset of `type_ids: *const u32`: interned signature id per type index.
    pub const TYPE_IDS: u32 = 24;
    /// Offset of `wasi_memory: *mut VMMemoryDefinition`: the memory host
    /// calls read and write (the export `memory`), null if none.
    pub const WASI_MEMORY: u32 = 32;
    /// Offset of `host_state: *mut ()`: the WASI context of this instance.
    pub const HOST_STATE: u32 = 40;

    /// Size of `VMMemoryDefinition`.
    pub const fn size_of_memory_definition(ptr: u8) -> u32 {
        2 * ptr as u32
    }
    /// Size of `VMTableDefinition`.
    pub const fn size_of_table_definition(ptr: u8) -> u32 {
        2 * ptr as u32
    }
    /// Size of one signature id of the `type_ids` array (`u32`, indexed by
    /// module type index).
    pub const fn size_of_type_id() -> u32 {
        4
    }
    /// Size of `VMGlobal`.
    pub const fn size_of_global() -> u32 {
        16
    }
    /// Size of `VMFuncRef`.
    pub const fn size_of_func_ref(ptr: u8) -> u32 {
        2 * ptr as u32 + 8
    }
    /// Size of `VMFunctionImport`.
    pub const fn size_of_function_import(ptr: u8) -> u32 {
        2 * ptr as u32
    }
    /// Offset of `base` in `VMMemoryDefinition`.
    pub const fn memory_base() -> u32 {
        0
    }
    /// Offset of `current_length` in `VMMemoryDefinition`.
    pub const fn memory_current_length(ptr: u8) -> u32 {
        ptr as u32
    }
    /// Offset of `base` in `VMTableDefinition`.
    pub const fn table_base() -> u32 {
        0
    }
    /// Offset of `current_elements` in `VMTableDefinition`.
    pub const fn table_current_elements(ptr: u8) -> u32 {
        ptr as u32
    }
    /// Offset of `wasm_call` in `VMFuncRef`.
    pub const fn func_ref_wasm_call() -> u32 {
        0
    }
    /// Offset of `type_id` in `VMFuncRef`.
    pub const fn func_ref_type_id(ptr: u8) -> u32 {
        ptr as u32
    }
    /// Offset of `vmctx` in `VMFuncRef`.
    pub const fn func_ref_vmctx(ptr: u8) -> u32 {
        ptr as u32 + 8
    }
    /// Offset of `wasm_call` in `VMFunctionImport`.
    pub const fn function_import_wasm_call() -> u32 {
        0
    }
    /// Offset of `vmctx` in `VMFunctionImport`.
    pub const fn function_import_vmctx(ptr: u8) -> u32 {
        ptr as u32
    }

    /// Computes the layout for a module with `counts` on a target whose
    /// pointers are `ptr_size` bytes.
    pub const fn new(ptr_size: u8, counts: VMCounts) -> VMOffsets {
        let p = ptr_size as u32;
        let imported_funcs = Self::HEADER_SIZE;
        let imported_memories =
            imported_funcs + counts.imported_funcs * Self::size_of_function_import(ptr_size);
        let imported_tables = imported_memories + counts.imported_memories * p;
        let imported_globals = imported_tables + counts.imported_tables * p;
        let defined_memories = imported_globals + counts.imported_globals * p;
        let defined_tables =
            defined_memories + counts.defined_memories * Self::size_of_memory_definition(ptr_size);
        let defined_globals = align_to(
            defined_tables + counts.defined_tables * Self::size_of_table_definition(ptr_size),
            16,
        );
        let func_refs = defined_globals + counts.defined_globals * Self::size_of_global();
        let tags = func_refs + counts.funcs * Self::size_of_func_ref(ptr_size);
        let limits = tags + counts.tags * p;
        let size = align_to(limits + 2 * p, 16);
        VMOffsets {
            ptr_size,
            counts,
            imported_funcs,
            imported_memories,
            imported_tables,
            imported_globals,
            defined_memories,
            defined_tables,
            defined_globals,
            func_refs,
            tags,
            limits,
            size,
        }
    }

    /// Total size of the context in bytes (a multiple of 16).
    pub const fn size(&self) -> u32 {
        self.size
    }
    /// Offset of the `VMFunctionImport` of imported function `i`.
    pub const fn imported_function(&self, i: u32) -> u32 {
        self.imported_funcs + i * Self::size_of_function_import(self.ptr_size)
    }
    /// Offset of the pointer to the definition of imported memory `i`.
    pub const fn imported_memory(&self, i: u32) -> u32 {
        self.imported_memories + i * self.ptr_size as u32
    }
    /// Offset of the pointer to the definition of imported table `i`.
    pub const fn imported_table(&self, i: u32) -> u32 {
        self.imported_tables + i * self.ptr_size as u32
    }
    /// Offset of the pointer to the storage of imported global `i`.
    pub const fn imported_global(&self, i: u32) -> u32 {
        self.imported_globals + i * self.ptr_size as u32
    }
    /// Offset of the `VMMemoryDefinition` of defined memory `i`.
    pub const fn defined_memory(&self, i: u32) -> u32 {
        self.defined_memories + i * Self::size_of_memory_definition(self.ptr_size)
    }
    /// Offset of the `VMTableDefinition` of defined table `i`.
    pub const fn defined_table(&self, i: u32) -> u32 {
        self.defined_tables + i * Self::size_of_table_definition(self.ptr_size)
    }
    /// Offset of the `VMGlobal` of defined global `i`.
    pub const fn defined_global(&self, i: u32) -> u32 {
        self.defined_globals + i * Self::size_of_global()
    }
    /// Offset of the `VMFuncRef` of function `i` (imports first, then defined).
    pub const fn func_ref(&self, i: u32) -> u32 {
        self.func_refs + i * Self::size_of_func_ref(self.ptr_size)
    }
    /// Offset of the pointer to the [`crate::exceptions::VMTag`] of tag `i`
    /// (imports first, then defined).
    pub const fn tag(&self, i: u32) -> u32 {
        self.tags + i * self.ptr_size as u32
    }
    /// Offset of `interrupt: *const u64`: the process's interrupt flag,
    /// zero until the run's time limit (`-W timeout`) passes, then non-zero
    /// for good. One flag for every instance of the process, so the
    /// runtime's timer sets it with one atomic store while wasm runs on any
    /// thread. Code compiled with interruption checks loads the pointer once
    /// per function, reads the flag with an atomic load at the function
    /// entry and at every loop header, and traps with
    /// [`crate::trap::TrapCode::Interrupt`] when it is not zero. Never null.
    pub const fn interrupt(&self) -> u32 {
        self.limits
    }
    /// Offset of `fuel: *mut i64`: the fuel counter of the thread that runs
    /// this instance, in Wasmtime's encoding: minus the fuel left. Code
    /// compiled with fuel checks keeps it in a local variable, adds the cost
    /// of what it executes, writes it back before calls and returns (and
    /// reloads it after calls), and traps with
    /// [`crate::trap::TrapCode::OutOfFuel`] at a check (function entry,
    /// loop header) once it is `>= 0`. Never null: without `-W fuel` the
    /// runtime points it at a counter starting at `i64::MIN`.
    pub const fn fuel(&self) -> u32 {
        self.limits + self.ptr_size as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn host_records_match_offsets() {
        let p = size_of::<usize>() as u8;
        assert_eq!(
            size_of::<VMMemoryDefinition>() as u32,
            VMOffsets::size_of_memory_definition(p)
        );
        assert_eq!(
            offset_of!(VMMemoryDefinition, current_length) as u32,
            VMOffsets::memory_current_length(p)
        );
        assert_eq!(
            size_of::<VMTableDefinition>() as u32,
            VMOffsets::size_of_table_definition(p)
        );
        assert_eq!(
            offset_of!(VMTableDefinition, current_elements) as u32,
            VMOffsets::table_current_elements(p)
        );
        assert_eq!(size_of::<VMGlobal>() as u32, VMOffsets::size_of_global());
        assert_eq!(
            size_of::<VMFuncRef>() as u32,
            VMOffsets::size_of_func_ref(p)
        );
        assert_eq!(
            offset_of!(VMFuncRef, type_id) as u32,
            VMOffsets::func_ref_type_id(p)
        );
        assert_eq!(
            offset_of!(VMFuncRef, vmctx) as u32,
            VMOffsets::func_ref_vmctx(p)
        );
        assert_eq!(
            size_of::<VMFunctionImport>() as u32,
            VMOffsets::size_of_function_import(p)
        );
        assert_eq!(
            offset_of!(VMFunctionImport, vmctx) as u32,
            VMOffsets::function_import_vmctx(p)
        );
    }

    #[test]
    fn globals_are_16_aligned() {
        let o = VMOffsets::new(
            8,
            VMCounts {
                imported_funcs: 1,
                imported_memories: 1,
                defined_tables: 1,
                defined_globals: 3,
                funcs: 5,
                ..Default::default()
            },
        );
        assert_eq!(o.defined_global(0) % 16, 0);
        assert_eq!(o.size() % 16, 0);
        assert!(o.func_ref(4) + VMOffsets::size_of_func_ref(8) <= o.interrupt());
    }

    #[test]
    fn limits_come_last_and_aligned() {
        for tags in [0, 1, 2] {
            let o = VMOffsets::new(
                8,
                VMCounts {
                    funcs: 3,
                    tags,
                    ..Default::default()
                },
            );
            assert_eq!(o.interrupt() % 8, 0);
            assert!(o.interrupt() >= o.tag(tags));
            assert_eq!(o.fuel(), o.interrupt() + 8);
            assert_eq!(o.fuel() % 8, 0);
            assert!(o.fuel() + 8 <= o.size());
        }
    }
}
