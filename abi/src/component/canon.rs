//! Canonical options, limits and the lowered-import calling contract: the
//! runtime-facing facts of `canon lift`/`canon lower` that compiled
//! trampolines and the runtime's host functions share.
//!
//! # Lowered-import trampolines
//!
//! For each `canon lower` of a host import the compiler emits one trampoline
//! with the core signature `flatten_functype(opts, ft, Lower)` (see
//! [`super::flatten`]) in the wasm calling convention. Its callee
//! `VMContext` argument is the address of its [`CanonOpts`] record (the
//! runtime binds the import that way, see [`super::program::TrampolineDesc`]).
//! It:
//! 1. spills the core parameters into a stack array of
//!    [`lowered_slots_len`] `u64` slots ([`LOWERED_SLOT_SIZE`] bytes each,
//!    8-aligned): parameter `i` in slot `i`, `i32`/`f32` (bits) zero-extended
//!    into the low 32 bits, `i64`/`f64` (bits) in the whole slot. A return
//!    pointer, when `flatten_functype` appended one, is simply the last
//!    parameter; when the parameters travel in memory, slot 0 is their
//!    address;
//! 2. calls the host function [`LoweredHostFn`] `(opts, slots, num_slots)`;
//! 3. returns the flat result, if any, from slot 0 (same encoding as
//!    parameters; an `i32` result is the low 32 bits).
//!
//! The host function checks `may_leave`, lifts the parameters from the
//! slots (or from memory at `slots[0]`), runs, and lowers the result into
//! slot 0 or at the return pointer with `may_leave` cleared, calling
//! `realloc` from `opts` as the spec orders it. It never returns on a trap
//! or a fatal host error: the runtime raises it (unwinding to the innermost
//! trap catcher of an embedding, or reporting it and exiting in an
//! executable), so the trampoline has no error path.
//!
//! Resource built-ins (`resource.new/rep/drop`) use the same trampoline
//! shape, calling [`crate::symbols::RESOURCE_NEW`] and friends with their
//! own `CanonOpts` record (whose `resource` field names the resource).

use crate::descriptor::{Addr, NO_INDEX};

/// `string-encoding=` canonical option.
#[repr(u8)]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum StringEncoding {
    /// `utf8` (the default): code units are bytes, alignment 1.
    #[default]
    Utf8 = 0,
    /// `utf16`: code units are little-endian `u16`s, alignment 2.
    Utf16 = 1,
    /// `latin1+utf16`: Latin-1 bytes, or UTF-16 when the length carries
    /// [`utf16_tag`]; alignment 2.
    Latin1Utf16 = 2,
}

impl StringEncoding {
    /// Decodes the `repr(u8)` value.
    pub const fn from_u8(v: u8) -> Option<StringEncoding> {
        Some(match v {
            0 => StringEncoding::Utf8,
            1 => StringEncoding::Utf16,
            2 => StringEncoding::Latin1Utf16,
            _ => return None,
        })
    }

    /// Alignment of a string's bytes in this encoding (`load_string`).
    pub const fn alignment(self) -> u32 {
        match self {
            StringEncoding::Utf8 => 1,
            StringEncoding::Utf16 | StringEncoding::Latin1Utf16 => 2,
        }
    }
}

/// Bit of a 32-bit memory's string length that marks UTF-16 code units
/// under `latin1+utf16` (`utf16_tag(i32)`: bit 31).
pub const UTF16_TAG: u32 = 1 << 31;

/// `utf16_tag(ptr_type)`: the top bit of a pointer-sized length.
pub const fn utf16_tag(ptr: super::PtrType) -> u64 {
    1 << (ptr.size() * 8 - 1)
}

/// Largest byte length `realloc` is ever asked for (`REALLOC_I32_MAX`).
pub const REALLOC_I32_MAX: u64 = (1 << 32) - 1;
/// Loading a longer string traps (`MAX_STRING_BYTE_LENGTH`).
pub const MAX_STRING_BYTE_LENGTH: u32 = (1 << 28) - 1;
/// Longest string, in bytes, that fused adapters move (Wasmtime's adapters
/// trap "string content out-of-bounds" past it: a string's code units times
/// the growth factor of each copy step).
pub const MAX_ADAPTER_STRING_BYTE_LENGTH: u32 = (1 << 31) - 1;
/// Loading a list of more bytes traps (`MAX_LIST_BYTE_LENGTH`).
pub const MAX_LIST_BYTE_LENGTH: u32 = (1 << 28) - 1;
/// The NaN every lifted `f32` NaN becomes (`CANONICAL_FLOAT32_NAN`).
pub const CANONICAL_FLOAT32_NAN: u32 = 0x7fc0_0000;
/// The NaN every lifted `f64` NaN becomes (`CANONICAL_FLOAT64_NAN`).
pub const CANONICAL_FLOAT64_NAN: u64 = 0x7ff8_0000_0000_0000;

/// Handle table index 0 is reserved: it is never a valid handle, and the
/// first handle added is 1.
pub const HANDLE_INDEX_RESERVED: u32 = 0;
/// Largest valid handle table index (`Table.MAX_LENGTH`, `2^28 - 1`); adding
/// past it traps. The top 4 bits of a handle are therefore free, which the
/// async ABI uses for packing (`index << 4 | code`).
pub const HANDLE_TABLE_MAX_LENGTH: u32 = (1 << 28) - 1;

/// Per-component-instance flag word bit: the instance may call imports
/// (`may_leave`). Cleared while the runtime lowers values into it, during
/// `realloc` and `post-return`.
pub const INSTANCE_FLAG_MAY_LEAVE: u32 = 1 << 0;
/// Per-component-instance flag word bit: the instance may be entered through
/// an export (`may_enter`).
pub const INSTANCE_FLAG_MAY_ENTER: u32 = 1 << 1;
/// Per-component-instance flag word bit: a sync lift returned and its
/// `post-return` has not run yet.
pub const INSTANCE_FLAG_NEEDS_POST_RETURN: u32 = 1 << 2;

/// Operand of the fused adapters' flags built-in
/// ([`crate::symbols::ADAPTER_FLAGS`], called with the `CanonOpts` of the
/// component instance it acts on): trap "cannot leave component instance"
/// unless `may_leave` is set (the check every `canon lower` starts with).
/// Adapters test and flip `may_leave` inline, in the instance's flags word
/// imported as a global (`program::DEF_INSTANCE_FLAGS`), and call this
/// only once the test has failed, to raise the trap.
pub const ADAPTER_FLAGS_CHECK_LEAVE: u32 = 0;
/// Adapter flags operand: trap "cannot enter component instance" (an
/// adapter from a component instance into itself, which is always
/// recursive re-entrance; Wasmtime 49 decides it the same static way).
pub const ADAPTER_FLAGS_CANNOT_ENTER: u32 = 3;
/// Adapter flags operand: start a call scope of the instance (borrows
/// handed to it are counted there, handles it lends are recorded there).
pub const ADAPTER_FLAGS_ENTER_CALL: u32 = 4;
/// Adapter flags operand: end the instance's innermost call scope (traps if
/// borrows handed to it remain; returns its lends).
pub const ADAPTER_FLAGS_EXIT_CALL: u32 = 5;
/// Operand of the fused adapters' handle built-in
/// ([`crate::symbols::ADAPTER_HANDLE`]): move an `own` handle from one
/// instance's table to the other's.
pub const ADAPTER_HANDLE_MOVE_OWN: u32 = 0;
/// Adapter handle operand: lift a `borrow` from one instance's table
/// (lending an own handle to its call scope) and lower it into the other's
/// (the rep itself in the defining instance).
pub const ADAPTER_HANDLE_BORROW: u32 = 1;
/// Adapter handle operand: move the readable end of a stream or future
/// from one instance's table to the other's (the built-in's `resource` is
/// [`crate::descriptor::NO_INDEX`]: ends are not resources). The fifth
/// operand is the value's stream or future type: the end must be one of
/// it, as Wasmtime checks when it lifts the end.
pub const ADAPTER_HANDLE_MOVE_END: u32 = 2;
/// Adapter handle operand: give the other instance a handle of its own to
/// the error context behind a handle of the source instance, which keeps
/// its handle (CanonicalABI.md lifts an `error-context` without removing
/// it); the built-in's `resource` is [`crate::descriptor::NO_INDEX`], as
/// for ends.
pub const ADAPTER_HANDLE_COPY_ERROR: u32 = 3;

/// [`CanonOpts::flags`] bit: the `async` option.
pub const CANON_OPT_ASYNC: u8 = 1 << 0;
/// [`CanonOpts::flags`] bit: the `memory` option is a 64-bit memory (🐘).
pub const CANON_OPT_MEMORY64: u8 = 1 << 1;
/// [`CanonOpts::flags`] bit: the function type is `async` (a lifted task
/// of it may block even when lifted without the `async` option).
pub const CANON_OPT_ASYNC_TYPE: u8 = 1 << 3;
/// [`CanonOpts::flags`] bit, on the third record of an async-call
/// trampoline (`program::TRAMPOLINE_ASYNC_CALL`): the trampoline has the
/// lifting's core signature and its values are already the callee's (a
/// generated synchronous adapter moved them); the runtime only runs the
/// call as a task of its own, as Wasmtime 49's `enter-sync-call` does for
/// a callee of an `async` function type lifted without `async`.
pub const CANON_OPT_CORE_VALUES: u8 = 1 << 4;

/// A core item of the flattened component: item `index` of core instance
/// `instance` (the compiler's plan numbering of module instances; the index
/// is in the module's own function or memory index space). Both
/// [`NO_INDEX`] = absent.
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct CoreItemRef {
    /// Core instance in plan order.
    pub instance: u32,
    /// Function or memory index in that instance's module.
    pub index: u32,
}

impl CoreItemRef {
    /// The absent item.
    pub const NONE: CoreItemRef = CoreItemRef {
        instance: NO_INDEX,
        index: NO_INDEX,
    };

    /// Whether this refers to an item.
    pub const fn is_some(&self) -> bool {
        self.instance != NO_INDEX
    }
}

impl Default for CoreItemRef {
    fn default() -> Self {
        CoreItemRef::NONE
    }
}

/// The canonical options of one `canon lift`/`canon lower`/built-in, as one
/// static record in writable data (48 + 32 bytes, 8-aligned).
///
/// The compiler fills the first part (which items the options name); the
/// runtime's component initialization fills the address part once the core
/// instances exist, before any guest code can use the record. Compiled code
/// and host functions read only the addresses, the encoding and the flags.
#[repr(C)]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct CanonOpts {
    /// The component instance (plan numbering) whose flags and handle tables
    /// this `canon` definition uses.
    pub component_instance: u32,
    /// A [`StringEncoding`].
    pub string_encoding: u8,
    /// `CANON_OPT_*` bits.
    pub flags: u8,
    /// Padding; keep zero.
    pub _pad: u16,
    /// The type of the function lifted or lowered, in the component's
    /// function-type table (plan numbering), or [`NO_INDEX`] for built-ins
    /// that have none.
    pub func_type: u32,
    /// Resource built-ins: the plan's resource index; P3 built-ins: their
    /// immediate (see [`super::builtins`]); else [`NO_INDEX`].
    pub resource: u32,
    /// `memory`: a memory index of a core instance.
    pub memory: CoreItemRef,
    /// `realloc`: a function of a core instance.
    pub realloc: CoreItemRef,
    /// `post-return` (lift only).
    pub post_return: CoreItemRef,
    /// `callback` (async lift only).
    pub callback: CoreItemRef,
    /// Runtime: address of the memory's `VMMemoryDefinition`; 0 = none.
    pub memory_def: Addr,
    /// Runtime: address of `realloc`'s `VMFuncRef`; 0 = none.
    pub realloc_func: Addr,
    /// Runtime: address of `post-return`'s `VMFuncRef`; 0 = none.
    pub post_return_func: Addr,
    /// Runtime: address of `callback`'s `VMFuncRef`; 0 = none.
    pub callback_func: Addr,
}

impl CanonOpts {
    /// Options naming nothing: utf8, sync, no memory or functions.
    pub const EMPTY: CanonOpts = CanonOpts {
        component_instance: 0,
        string_encoding: StringEncoding::Utf8 as u8,
        flags: 0,
        _pad: 0,
        func_type: NO_INDEX,
        resource: NO_INDEX,
        memory: CoreItemRef::NONE,
        realloc: CoreItemRef::NONE,
        post_return: CoreItemRef::NONE,
        callback: CoreItemRef::NONE,
        memory_def: 0,
        realloc_func: 0,
        post_return_func: 0,
        callback_func: 0,
    };

    /// The decoded string encoding (utf8 for an unknown value).
    pub const fn encoding(&self) -> StringEncoding {
        match StringEncoding::from_u8(self.string_encoding) {
            Some(e) => e,
            None => StringEncoding::Utf8,
        }
    }

    /// Whether the `async` option is present.
    pub const fn is_async(&self) -> bool {
        self.flags & CANON_OPT_ASYNC != 0
    }

    /// Whether the function type is `async` ([`CANON_OPT_ASYNC_TYPE`]).
    pub const fn is_async_type(&self) -> bool {
        self.flags & CANON_OPT_ASYNC_TYPE != 0
    }

    /// The address type of the memory option.
    pub const fn ptr_type(&self) -> super::PtrType {
        if self.flags & CANON_OPT_MEMORY64 != 0 {
            super::PtrType::I64
        } else {
            super::PtrType::I32
        }
    }

    /// The [`super::FlattenOpts`] these options imply.
    pub const fn flatten_opts(&self) -> super::FlattenOpts {
        super::FlattenOpts {
            ptr: self.ptr_type(),
            async_: self.is_async(),
            callback: self.callback.is_some(),
        }
    }
}

impl Default for CanonOpts {
    fn default() -> Self {
        CanonOpts::EMPTY
    }
}

/// Bytes per slot of a lowered-import argument block.
pub const LOWERED_SLOT_SIZE: u32 = 8;

/// Number of `u64` slots a lowered-import trampoline passes for core
/// signature `sig`: room for every core parameter and for the result, at
/// least one.
pub fn lowered_slots_len(sig: &super::CoreSig) -> usize {
    lowered_slots_count(sig.params.as_slice().len(), sig.results.as_slice().len())
}

/// [`lowered_slots_len`] from the numbers of core parameters and results.
pub const fn lowered_slots_count(params: usize, results: usize) -> usize {
    let n = if params > results { params } else { results };
    if n > 1 { n } else { 1 }
}

/// A host function reached from a lowered-import trampoline (see the module
/// docs); it returns only on success.
pub type LoweredHostFn =
    unsafe extern "C" fn(opts: *const CanonOpts, slots: *mut u64, num_slots: u32);

/// Result of an async-lifted core function or its `callback`
/// (`CallbackCode`): the low 4 bits; `WAIT` carries a waitable-set index in
/// the upper 28 bits.
pub mod callback_code {
    /// The task is done.
    pub const EXIT: u32 = 0;
    /// Call the callback again soon.
    pub const YIELD: u32 = 1;
    /// Wait on the waitable set `packed >> 4`.
    pub const WAIT: u32 = 2;
}

/// Event codes delivered to `callback` and `waitable-set.wait` (P3).
pub mod event_code {
    /// No event.
    pub const NONE: u32 = 0;
    /// A subtask changed state.
    pub const SUBTASK: u32 = 1;
    /// A stream read finished.
    pub const STREAM_READ: u32 = 2;
    /// A stream write finished.
    pub const STREAM_WRITE: u32 = 3;
    /// A future read finished.
    pub const FUTURE_READ: u32 = 4;
    /// A future write finished.
    pub const FUTURE_WRITE: u32 = 5;
    /// The current task was cancelled.
    pub const TASK_CANCELLED: u32 = 6;
}

/// Subtask states, the low 4 bits of an async lower's status (P3).
pub mod subtask_state {
    /// Arguments not read yet.
    pub const STARTING: u32 = 0;
    /// Arguments read, no result yet.
    pub const STARTED: u32 = 1;
    /// The result was delivered.
    pub const RETURNED: u32 = 2;
    /// Cancelled before the arguments were read.
    pub const CANCELLED_BEFORE_STARTED: u32 = 3;
    /// Cancelled before a result was delivered.
    pub const CANCELLED_BEFORE_RETURNED: u32 = 4;
}
