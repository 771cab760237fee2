//! One host call under the canonical ABI: [`InstanceState`], the runtime
//! state of a component instance (flags word and handle table), and
//! [`call_host`], which runs a host function as a lowered import's callee.
//!
//! [`call_host`] implements the host half of the lowered-import contract
//! (`kiln_abi::component::canon`) for `flatten_functype(.., Lower)` of
//! `(params P) -> R`:
//! 1. traps if `may_leave` is clear (trampolines do not check it);
//! 2. opens a call scope on the instance (borrows lifted from it are lent
//!    until the call ends);
//! 3. lifts `P` from the slots, or, when `P` flattens to more than
//!    `MAX_FLAT_PARAMS` values, loads it from the tuple at `slots[0]`
//!    (aligned to and fitting `P`, else Wasmtime's "pointer not aligned" /
//!    "pointer out of bounds");
//! 4. runs the host function;
//! 5. with `may_leave` cleared, lowers `R` into `slots[0]`, or, when it
//!    flattens to more than `MAX_FLAT_RESULTS` values, stores it at the
//!    return pointer (the slot after the core parameters), checked the same
//!    way, calling `realloc` in the spec's order;
//! 6. restores the flags and closes the call scope (returning lends;
//!    trapping if borrows handed to the instance were left behind).
//!
//! [`call_host_async`] is the same for an `async` lowering of a host
//! function that finishes at once: the async flattening (at most
//! `MAX_FLAT_ASYNC_PARAMS` flat parameters, results always at the return
//! pointer) and the status `RETURNED` in `slots[0]`.
//!
//! The instance state is reached through an [`InstanceAccess`], one step
//! at a time: steps 1 to 3 in one borrow, step 4 and every `realloc` of
//! step 5 with none, so that a running component's state is never borrowed
//! while guest code runs (the re-entrancy rule in `super::runtime`).

use super::handles::{CallScope, HandleTable};
use super::memory::{GuestMemory, LiftCx, LowerCx, Realloc};
use super::trap::{self, Trap};
use super::value::{FlatSink, FlatSource, Lift, Lower};
use core::ptr::NonNull;
use kiln_abi::component::canon::subtask_state;
use kiln_abi::component::{
    INSTANCE_FLAG_MAY_ENTER, INSTANCE_FLAG_MAY_LEAVE, MAX_FLAT_ASYNC_PARAMS, MAX_FLAT_PARAMS,
    MAX_FLAT_RESULTS, StringEncoding,
};
use kiln_abi::vmctx::VMGlobal;

/// The runtime state of one component instance: its flags word
/// (`INSTANCE_FLAG_*`) and its handle table with the call scopes that
/// count borrows.
#[derive(Debug)]
pub struct InstanceState {
    pub(super) id: u32,
    flags: FlagsWord,
    pub(super) handles: HandleTable,
    /// The active call scopes' ids, innermost last (sync calls nest; an
    /// async call's scopes are pushed only while its values move).
    pub(super) scopes: Vec<u32>,
    /// Every open call scope, by id: those on `scopes` and those of async
    /// calls in progress (see `InstanceState::open_scope`).
    pub(super) scope_slab: Vec<Option<CallScope>>,
    /// Free ids of `scope_slab`, last freed first.
    pub(super) scope_free: Vec<u32>,
    /// During a host call: (host type number, the component's imported
    /// resource index) of each host resource the lowered function's type
    /// names, so handles are typed by the component's own imported type
    /// (two versions of an interface may import distinct types).
    pub(super) import_resources: &'static [(u32, u32)],
}

impl InstanceState {
    /// Component instance `id` (plan numbering), which may leave and be
    /// entered, with an empty handle table.
    pub fn new(id: u32) -> InstanceState {
        InstanceState::with_handles(id, HandleTable::new())
    }

    /// Like [`InstanceState::new`] with a given table (tests of limits).
    pub fn with_handles(id: u32, handles: HandleTable) -> InstanceState {
        InstanceState {
            id,
            flags: FlagsWord::new(INSTANCE_FLAG_MAY_LEAVE | INSTANCE_FLAG_MAY_ENTER),
            handles,
            scopes: Vec::new(),
            scope_slab: Vec::new(),
            scope_free: Vec::new(),
            import_resources: &[],
        }
    }

    /// The component instance number.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The flags word.
    pub fn flags(&self) -> u32 {
        self.flags.get()
    }

    /// Replaces the flags word.
    pub fn set_flags(&mut self, flags: u32) {
        self.flags.set(flags);
    }

    /// Whether the instance may call imports.
    pub fn may_leave(&self) -> bool {
        self.flags() & INSTANCE_FLAG_MAY_LEAVE != 0
    }

    /// Wasmtime's "cannot leave component instance" trap unless the
    /// instance may leave (inside a `realloc` or `post-return` called by a
    /// lowering or lifting, it may not).
    pub fn check_may_leave(&self) -> Result<(), Trap> {
        if self.may_leave() {
            Ok(())
        } else {
            Err(trap::cannot_leave())
        }
    }

    /// The storage of the flags word, which fused adapters import as a
    /// mutable `i32` global (`DEF_INSTANCE_FLAGS`): valid as long as this
    /// state, at a fixed address.
    pub fn flags_global(&self) -> *mut VMGlobal {
        self.flags.0.as_ptr()
    }

    /// The handle table.
    pub fn handles(&self) -> &HandleTable {
        &self.handles
    }

    /// The handle table, mutably.
    pub fn handles_mut(&mut self) -> &mut HandleTable {
        &mut self.handles
    }
}

/// The flags word of an instance, in a `VMGlobal` of its own on the heap:
/// compiled adapters read and write it as a global (with no borrow of the
/// runtime's state, which is free while wasm runs), the runtime through
/// this handle. Neither keeps a reference to the cell: every access is one
/// raw read or write, so wasm's accesses and the runtime's never overlap
/// (one thread runs a component's instances; the runtime touches the word
/// only between calls into wasm, under the state's borrow rule).
#[derive(Debug)]
struct FlagsWord(NonNull<VMGlobal>);

impl FlagsWord {
    fn new(flags: u32) -> FlagsWord {
        let word = FlagsWord(NonNull::from(Box::leak(Box::default())));
        word.set(flags);
        word
    }

    fn get(&self) -> u32 {
        // SAFETY: the box is alive until `drop` and aligned for `u32`; the
        // value is in the low four bytes, little-endian (`VMGlobal`); no
        // reference to it exists (see the type).
        u32::from_le_bytes(unsafe { self.0.as_ptr().cast::<[u8; 4]>().read() })
    }

    fn set(&self, flags: u32) {
        // SAFETY: as in `get`; a plain write through the raw pointer, with
        // no reference alive to alias it.
        unsafe { self.0.as_ptr().cast::<[u8; 4]>().write(flags.to_le_bytes()) }
    }
}

impl Drop for FlagsWord {
    fn drop(&mut self) {
        // SAFETY: from `Box::leak` in `new`, freed once; adapters that
        // imported it no longer run once their component's state is gone.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

/// What a lowered-import trampoline hands the host: the slots and the
/// canonical options' memory, `realloc` and encoding.
pub struct HostCall<'a> {
    /// The `u64` slots (parameters in, result out).
    pub slots: &'a mut [u64],
    /// The `memory` option's current view (empty if none).
    pub memory: GuestMemory,
    /// The `realloc` option.
    pub realloc: Option<&'a mut dyn Realloc>,
    /// The `string-encoding` option.
    pub encoding: StringEncoding,
}

/// Access to one component instance's state, one operation at a time.
///
/// Lowering holds this, not a `&mut InstanceState`, because it calls the
/// guest's `realloc` between its handle operations, and no borrow of the
/// running component's state may be alive while guest code runs (the
/// re-entrancy rule in `super::runtime`). An [`InstanceState`] owned by the
/// caller (tests) is its own access.
pub trait InstanceAccess {
    /// The instance state, borrowed until the guard is dropped (one
    /// operation: never across a call into wasm).
    fn instance(&mut self) -> Result<InstanceGuard<'_>, Trap>;
}

/// A borrow of one component instance's state: plain for a caller-owned
/// state, or a cell borrow of the running component's state, released when
/// the guard drops.
pub enum InstanceGuard<'a> {
    /// A state the caller owns.
    Owned(&'a mut InstanceState),
    /// A state inside a cell, borrowed for this guard's life.
    Cell(std::cell::RefMut<'a, InstanceState>),
}

impl std::ops::Deref for InstanceGuard<'_> {
    type Target = InstanceState;
    fn deref(&self) -> &InstanceState {
        match self {
            InstanceGuard::Owned(i) => i,
            InstanceGuard::Cell(i) => i,
        }
    }
}

impl std::ops::DerefMut for InstanceGuard<'_> {
    fn deref_mut(&mut self) -> &mut InstanceState {
        match self {
            InstanceGuard::Owned(i) => i,
            InstanceGuard::Cell(i) => i,
        }
    }
}

impl InstanceAccess for InstanceState {
    fn instance(&mut self) -> Result<InstanceGuard<'_>, Trap> {
        Ok(InstanceGuard::Owned(self))
    }
}

/// Runs `f` on the instance state behind `access` (one operation).
pub fn with_instance<A, T>(
    access: &mut A,
    f: impl FnOnce(&mut InstanceState) -> Result<T, Trap>,
) -> Result<T, Trap>
where
    A: InstanceAccess + ?Sized,
{
    f(&mut *access.instance()?)
}

/// Runs host function `f` as the callee of a lowered import of type
/// `(P) -> R` (see the module docs). The instance state is borrowed
/// through `inst` for each step, never while `f` or `realloc` runs.
///
/// # Safety
/// `call.memory` must satisfy [`GuestMemory::new`]'s contract, and the guest
/// must not run (other than through `realloc` during result lowering)
/// while `'m` values lifted from it are alive.
pub unsafe fn call_host<'m, P, R, F>(
    inst: &mut dyn InstanceAccess,
    call: HostCall<'_>,
    f: F,
) -> Result<(), Trap>
where
    P: Lift<'m>,
    R: Lower,
    F: FnOnce(P) -> Result<R, Trap>,
{
    // SAFETY: forwarded contract.
    unsafe { call_host_lowered::<P, R, F>(inst, call, false, f) }
}

/// [`call_host`] for an `async` lowering of a host function that completes
/// before it returns: the parameters are flat up to
/// `MAX_FLAT_ASYNC_PARAMS` values (else one pointer), the result, if any,
/// is always stored at the return pointer after them, and `slots[0]`
/// receives the subtask status `RETURNED` (no subtask handle: the callee
/// finished, as Wasmtime reports a host call that never blocked).
///
/// # Safety
/// As [`call_host`].
pub unsafe fn call_host_async<'m, P, R, F>(
    inst: &mut dyn InstanceAccess,
    call: HostCall<'_>,
    f: F,
) -> Result<(), Trap>
where
    P: Lift<'m>,
    R: Lower,
    F: FnOnce(P) -> Result<R, Trap>,
{
    // SAFETY: forwarded contract.
    unsafe { call_host_lowered::<P, R, F>(inst, call, true, f) }
}

/// [`call_host`] and [`call_host_async`]: `async_` selects the async
/// flattening (parameters: `MAX_FLAT_ASYNC_PARAMS`; results: always the
/// return pointer; the status in slot 0).
///
/// # Safety
/// As [`call_host`].
unsafe fn call_host_lowered<'m, P, R, F>(
    inst: &mut dyn InstanceAccess,
    call: HostCall<'_>,
    async_: bool,
    f: F,
) -> Result<(), Trap>
where
    P: Lift<'m>,
    R: Lower,
    F: FnOnce(P) -> Result<R, Trap>,
{
    // Only the lifting, the host function and the lowering depend on the
    // types: the steps around them are the non-generic functions below, so
    // that the one instance of this function per host function stays small.
    let max_params = if async_ {
        MAX_FLAT_ASYNC_PARAMS
    } else {
        MAX_FLAT_PARAMS
    };
    let params_in_memory = P::FLAT > max_params;
    let core_params = if params_in_memory { 1 } else { P::FLAT };
    let results_in_memory = if async_ {
        R::FLAT > 0
    } else {
        R::FLAT > MAX_FLAT_RESULTS
    };
    let needed = if results_in_memory {
        core_params + 1
    } else {
        core_params.max(R::FLAT).max(usize::from(async_))
    };
    // SAFETY: the caller's contract on `call.memory` and on `'m`.
    let bytes: &'m [u8] = unsafe { call.memory.bytes() };
    let HostCall {
        slots,
        memory,
        mut realloc,
        encoding,
    } = call;
    // Steps 1 to 3; the outer error leaves no call scope open.
    enter_call(inst, slots.len(), needed)?;
    let lifted = with_instance(inst, |i| {
        Ok(lift_params::<P>(
            i,
            bytes,
            memory,
            encoding,
            slots,
            params_in_memory,
            core_params,
        ))
    });
    let result = lifted.and_then(|lifted| lifted).and_then(f).and_then(|r| {
        let saved = clear_may_leave(inst)?;
        let realloc = realloc.as_mut().map(|r| &mut **r as &mut dyn Realloc);
        let mut cx = LowerCx::new(memory, realloc, encoding, Some(&mut *inst));
        let lowered = if results_in_memory {
            let ptr = slots[core_params] as u32;
            check_tuple_ptr(cx.memory(), ptr, R::ALIGN32, R::SIZE32)
                .and_then(|()| r.store(&mut cx, ptr))
        } else {
            r.lower_flat(&mut cx, &mut FlatSink::new(&mut slots[..R::FLAT]))
        };
        lowered.and(set_flags(inst, saved))
    });
    if async_ && result.is_ok() {
        slots[0] = u64::from(subtask_state::RETURNED);
    }
    result.and(exit_call(inst))
}

/// Steps 1 and 2 of [`call_host`]: the instance may leave, the trampoline
/// passed enough slots; opens the call scope.
fn enter_call(inst: &mut dyn InstanceAccess, slots: usize, needed: usize) -> Result<(), Trap> {
    with_instance(inst, |i| {
        i.check_may_leave()?;
        if slots < needed {
            return Err(trap::trap(format!(
                "lowered import called with {slots} slots, expected {needed}"
            )));
        }
        i.enter_call();
        Ok(())
    })
}

/// Clears `may_leave` for the lowering of results; returns the flags to
/// restore.
fn clear_may_leave(inst: &mut dyn InstanceAccess) -> Result<u32, Trap> {
    with_instance(inst, |i| {
        let saved = i.flags();
        i.set_flags(saved & !INSTANCE_FLAG_MAY_LEAVE);
        Ok(saved)
    })
}

/// Restores the flags [`clear_may_leave`] saved.
fn set_flags(inst: &mut dyn InstanceAccess, flags: u32) -> Result<(), Trap> {
    with_instance(inst, |i| {
        i.set_flags(flags);
        Ok(())
    })
}

/// The last step of [`call_host`]: closes the call scope (a borrow still
/// lent out of it traps).
fn exit_call(inst: &mut dyn InstanceAccess) -> Result<(), Trap> {
    with_instance(inst, |i| i.exit_call())
}

/// Step 3 of [`call_host`]: the parameters from the slots or memory.
fn lift_params<'m, P: Lift<'m>>(
    inst: &mut InstanceState,
    bytes: &'m [u8],
    memory: GuestMemory,
    encoding: StringEncoding,
    slots: &[u64],
    params_in_memory: bool,
    core_params: usize,
) -> Result<P, Trap> {
    let mut cx = LiftCx::new(bytes, encoding, Some(inst));
    if params_in_memory {
        let ptr = slots[0] as u32;
        check_tuple_ptr(memory, ptr, P::ALIGN32, P::SIZE32)?;
        P::load(&mut cx, ptr)
    } else {
        P::lift_flat(&mut cx, &mut FlatSource::new(&slots[..core_params]))
    }
}

/// The checks on a parameter tuple pointer or return pointer (also the
/// `task.return` values a host lifts from memory): aligned to the tuple,
/// and the whole tuple in bounds.
pub fn check_tuple_ptr(mem: GuestMemory, ptr: u32, align: u32, size: u32) -> Result<(), Trap> {
    if !ptr.is_multiple_of(align) {
        return Err(trap::pointer_unaligned());
    }
    if !mem.in_bounds(ptr, u64::from(size)) {
        return Err(trap::pointer_out_of_bounds());
    }
    Ok(())
}

/// Stores `r`, the results of a host `async func` that finished after its
/// call returned `STARTED`, at the call's return pointer `ptr`: the
/// lowering of [`call_host_async`]'s last step, run later (by the event
/// loop, with the runtime state released so that `realloc` may run).
///
/// # Safety
/// `call.memory` is the options' memory and no other view of it is
/// alive; `call.slots` is unused.
pub unsafe fn store_host_results<R: Lower>(
    inst: &mut dyn InstanceAccess,
    call: HostCall<'_>,
    ptr: u32,
    r: &R,
) -> Result<(), Trap> {
    let HostCall {
        memory,
        mut realloc,
        encoding,
        ..
    } = call;
    if R::FLAT == 0 {
        return Ok(());
    }
    let saved = clear_may_leave(inst)?;
    let realloc = realloc.as_mut().map(|r| &mut **r as &mut dyn Realloc);
    let mut cx = LowerCx::new(memory, realloc, encoding, Some(&mut *inst));
    let stored = check_tuple_ptr(cx.memory(), ptr, R::ALIGN32, R::SIZE32)
        .and_then(|()| r.store(&mut cx, ptr));
    stored.and(set_flags(inst, saved))
}
