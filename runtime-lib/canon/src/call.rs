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
//! The instance state is reached through an [`InstanceAccess`], one step
//! at a time: steps 1 to 3 in one borrow, step 4 and every `realloc` of
//! step 5 with none, so that a running component's state is never borrowed
//! while guest code runs (the re-entrancy rule in `super::runtime`).

use super::handles::{CallScope, HandleTable};
use super::memory::{GuestMemory, LiftCx, LowerCx, Realloc};
use super::trap::{self, Trap};
use super::value::{FlatSink, FlatSource, Lift, Lower};
use kiln_abi::component::{
    INSTANCE_FLAG_MAY_ENTER, INSTANCE_FLAG_MAY_LEAVE, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS,
    StringEncoding,
};

/// The runtime state of one component instance: its flags word
/// (`INSTANCE_FLAG_*`) and its handle table with the call scopes that
/// count borrows.
#[derive(Debug)]
pub struct InstanceState {
    pub(super) id: u32,
    pub(super) flags: u32,
    pub(super) handles: HandleTable,
    pub(super) scopes: Vec<CallScope>,
    /// During a host call: (host type number, the component's imported
    /// resource index) of each host resource the lowered function's type
    /// names, so handles are typed by the component's own imported type
    /// (two versions of an interface may import distinct types).
    pub(super) import_resources: Vec<(u32, u32)>,
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
            flags: INSTANCE_FLAG_MAY_LEAVE | INSTANCE_FLAG_MAY_ENTER,
            handles,
            scopes: Vec::new(),
            import_resources: Vec::new(),
        }
    }

    /// The component instance number.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The flags word.
    pub fn flags(&self) -> u32 {
        self.flags
    }

    /// Replaces the flags word.
    pub fn set_flags(&mut self, flags: u32) {
        self.flags = flags;
    }

    /// Whether the instance may call imports.
    pub fn may_leave(&self) -> bool {
        self.flags & INSTANCE_FLAG_MAY_LEAVE != 0
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
    /// Runs `f` on the instance state.
    fn with_instance_dyn(&mut self, f: &mut dyn FnMut(&mut InstanceState)) -> Result<(), Trap>;
}

impl InstanceAccess for InstanceState {
    fn with_instance_dyn(&mut self, f: &mut dyn FnMut(&mut InstanceState)) -> Result<(), Trap> {
        f(self);
        Ok(())
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
    let mut f = Some(f);
    let mut out = None;
    access.with_instance_dyn(&mut |inst| {
        if let Some(f) = f.take() {
            out = Some(f(inst));
        }
    })?;
    // `None`: the access did not run the closure (no such instance).
    out.unwrap_or_else(|| Err(trap::no_instance()))
}

/// Runs host function `f` as the callee of a lowered import of type
/// `(P) -> R` (see the module docs). The instance state is borrowed
/// through `inst` for each step, never while `f` or `realloc` runs.
///
/// # Safety
/// `call.memory` must satisfy [`GuestMemory::new`]'s contract, and the guest
/// must not run (other than through `realloc` during result lowering)
/// while `'m` values lifted from it are alive.
pub unsafe fn call_host<'m, P, R, A, F>(inst: &mut A, call: HostCall<'_>, f: F) -> Result<(), Trap>
where
    P: Lift<'m>,
    R: Lower,
    A: InstanceAccess,
    F: FnOnce(P) -> Result<R, Trap>,
{
    let params_in_memory = P::FLAT > MAX_FLAT_PARAMS;
    let core_params = if params_in_memory { 1 } else { P::FLAT };
    let results_in_memory = R::FLAT > MAX_FLAT_RESULTS;
    let needed = if results_in_memory {
        core_params + 1
    } else {
        core_params.max(R::FLAT)
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
    let lifted = with_instance(inst, |i| {
        if !i.may_leave() {
            return Err(trap::cannot_leave());
        }
        if slots.len() < needed {
            return Err(trap::trap(format!(
                "lowered import called with {} slots, expected {needed}",
                slots.len()
            )));
        }
        i.enter_call();
        Ok(lift_params::<P>(
            i,
            bytes,
            memory,
            encoding,
            slots,
            core_params,
        ))
    })?;
    let result = lifted.and_then(f).and_then(|r| {
        let saved = with_instance(inst, |i| {
            let saved = i.flags();
            i.set_flags(saved & !INSTANCE_FLAG_MAY_LEAVE);
            Ok(saved)
        })?;
        let realloc = realloc.as_mut().map(|r| &mut **r as &mut dyn Realloc);
        let mut cx = LowerCx::new(memory, realloc, encoding, Some(&mut *inst));
        let lowered = if results_in_memory {
            let ptr = slots[core_params] as u32;
            check_tuple_ptr(cx.memory(), ptr, R::ALIGN32, R::SIZE32)
                .and_then(|()| r.store(&mut cx, ptr))
        } else {
            r.lower_flat(&mut cx, &mut FlatSink::new(&mut slots[..R::FLAT]))
        };
        let restored = with_instance(inst, |i| {
            i.set_flags(saved);
            Ok(())
        });
        lowered.and(restored)
    });
    let exit = with_instance(inst, |i| i.exit_call());
    result.and(exit)
}

/// Step 3 of [`call_host`]: the parameters from the slots or memory.
fn lift_params<'m, P: Lift<'m>>(
    inst: &mut InstanceState,
    bytes: &'m [u8],
    memory: GuestMemory,
    encoding: StringEncoding,
    slots: &[u64],
    core_params: usize,
) -> Result<P, Trap> {
    let mut cx = LiftCx::new(bytes, encoding, Some(inst));
    if P::FLAT > MAX_FLAT_PARAMS {
        let ptr = slots[0] as u32;
        check_tuple_ptr(memory, ptr, P::ALIGN32, P::SIZE32)?;
        P::load(&mut cx, ptr)
    } else {
        P::lift_flat(&mut cx, &mut FlatSource::new(&slots[..core_params]))
    }
}

/// The checks on a parameter tuple pointer or return pointer.
fn check_tuple_ptr(mem: GuestMemory, ptr: u32, align: u32, size: u32) -> Result<(), Trap> {
    if !ptr.is_multiple_of(align) {
        return Err(trap::pointer_unaligned());
    }
    if !mem.in_bounds(ptr, u64::from(size)) {
        return Err(trap::pointer_out_of_bounds());
    }
    Ok(())
}
