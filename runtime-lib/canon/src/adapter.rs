//! The built-ins of fused adapters (generated core code between two
//! component instances, see the compiler's `component/adapter`):
//! [`__kiln_cm_adapter_flags`] (instance flags, call scopes, and the
//! traps of `may_leave` and re-entrance), [`__kiln_cm_adapter_transcode`] (string
//! contents) and [`__kiln_cm_adapter_handle`] (`own` and
//! `borrow` values from one instance's handle table to the other's).
//! Both use the lowered-import contract of `kiln_abi::component::canon`:
//! `(opts, slots, n)`, operands in the slots, the result back in slot 0,
//! failures never return.
//!
//! The transcoders only convert and validate text
//! ([`super::transcode`]); the generated adapter makes the checks and the
//! `realloc` calls around them, as Wasmtime's adapters do.

use super::builtins::{builtin, target};
#[cfg(doc)]
use super::call::InstanceState;
use super::memory::GuestMemory;
use super::transcode;
use super::trap::{self, Trap};
use kiln_abi::component::canon::{
    ADAPTER_FLAGS_CANNOT_ENTER, ADAPTER_FLAGS_CHECK_LEAVE, ADAPTER_FLAGS_ENTER_CALL,
    ADAPTER_FLAGS_EXIT_CALL, ADAPTER_HANDLE_BORROW, ADAPTER_HANDLE_COPY_ERROR,
    ADAPTER_HANDLE_MOVE_END, ADAPTER_HANDLE_MOVE_OWN,
};
use kiln_abi::component::transcode::Transcode;
use kiln_abi::component::{CanonOpts, INSTANCE_FLAG_MAY_LEAVE, Type, TypeIndex};

/// The instance-flags built-in of fused adapters: one of the
/// `kiln_abi::component::canon::ADAPTER_FLAGS_*` operations (slot 0) on the
/// component instance of `opts`: the call scopes (which live in the
/// runtime's state), and the traps of a failed `may_leave` test and of
/// re-entrance (the adapters' value checks trap in their own code).
/// `may_leave` itself is tested
/// and flipped by the adapter's own code, in the flags word it imports as
/// a global ([`InstanceState::flags_global`]).
///
/// # Safety
/// Called by compiled trampolines only (the contract).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __kiln_cm_adapter_flags(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        builtin(opts, slots, n, |rt, opts, slots| {
            let op = slots[0] as u32;
            if op == ADAPTER_FLAGS_CANNOT_ENTER {
                return Err(trap::cannot_enter());
            }
            rt.with_instance(opts.component_instance, |inst| {
                let flags = inst.flags();
                match op {
                    ADAPTER_FLAGS_CHECK_LEAVE if flags & INSTANCE_FLAG_MAY_LEAVE == 0 => {
                        Err(trap::cannot_leave())
                    }
                    ADAPTER_FLAGS_CHECK_LEAVE => Ok(()),
                    ADAPTER_FLAGS_ENTER_CALL => {
                        inst.enter_call();
                        Ok(())
                    }
                    ADAPTER_FLAGS_EXIT_CALL => inst.exit_call(),
                    _ => Err(trap::trap(format!("unknown adapter flags operation {op}"))),
                }
            })
        })
    }
}

/// The string transcoders of fused adapters (`kiln_abi::component::
/// transcode`): the operation is the first record's `resource`, its
/// operands are in the slots, its results go back to slots 0 and 1.
///
/// # Safety
/// Called by compiled trampolines only (the contract of
/// `TRAMPOLINE_ADAPTER_TRANSCODE`: `opts` is the first of two records).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __kiln_cm_adapter_transcode(
    opts: *const CanonOpts,
    slots: *mut u64,
    n: u32,
) {
    // SAFETY: the contract: two consecutive filled records.
    let src_opts = unsafe { &*opts.add(1) };
    // SAFETY: forwarded; the records' memory definitions are the live
    // memories of their instances (filled at instantiation).
    unsafe {
        builtin(opts, slots, n, |_, dst_opts, slots| {
            transcode_call(src_opts, dst_opts, slots)
        })
    }
}

/// Runs the transcoder of `dst`'s record on the operands in `slots`.
///
/// # Safety
/// Both records' `memory_def`s must describe live memories that no guest
/// code or other reference uses during the call.
unsafe fn transcode_call(
    src_opts: &CanonOpts,
    dst_opts: &CanonOpts,
    slots: &mut [u64],
) -> Result<(), Trap> {
    let op = Transcode::from_number(dst_opts.resource)
        .ok_or_else(|| trap::trap(format!("unknown string transcoder {}", dst_opts.resource)))?;
    let (params, results) = op.arity();
    let mut a = [0u32; 5];
    for (a, s) in a.iter_mut().zip(slots.iter()).take(params) {
        *a = *s as u32;
    }
    // SAFETY: the caller's contract.
    let (src_mem, mut dst_mem) = unsafe {
        (
            GuestMemory::from_definition(src_opts.memory_def as usize as *const _),
            GuestMemory::from_definition(dst_opts.memory_def as usize as *const _),
        )
    };
    let len = u64::from(a[1]) * u64::from(op.source_unit_bytes());
    if !src_mem.in_bounds(a[0], len) {
        return Err(trap::pointer_out_of_bounds());
    }
    let (start, end) = (a[0] as usize, a[0] as usize + len as usize);
    let out = if src_opts.memory_def == dst_opts.memory_def {
        // SAFETY: one memory: the source is copied out before the
        // destination view (`bytes_mut`) is made.
        let src = unsafe { src_mem.bytes() }[start..end].to_vec();
        transcode::run(op, a, &src, dst_mem.bytes_mut())?
    } else {
        // SAFETY: two distinct memories (separate mappings): the shared
        // source slice and the destination's mutable one never alias, and
        // nothing else touches either during the call.
        let src = &unsafe { src_mem.bytes() }[start..end];
        transcode::run(op, a, src, dst_mem.bytes_mut())?
    };
    for (s, r) in slots.iter_mut().zip(out).take(results) {
        *s = u64::from(r);
    }
    Ok(())
}

/// The handle built-in of fused adapters: slot 0 is a handle of the
/// source instance (slot 2) for the resource of `opts`, slot 1 an
/// `ADAPTER_HANDLE_*` operation, slot 4 the stream or future type of an
/// end; slot 0 gets the destination instance's
/// (slot 3) handle, or the rep for a borrow into the defining instance.
/// The handle tables' own checks apply (`lift_own` of a lent or borrowed
/// handle, a wrong type, an unknown index). The host-call map of imported
/// resource types is cleared first: no host call is running, and a moved
/// handle's imported type is not known in its new table.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __kiln_cm_adapter_handle(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        builtin(opts, slots, n, |rt, opts, slots| {
            let [handle, op, src, dst, end_ty] =
                [0, 1, 2, 3, 4].map(|i| slots.get(i).copied().unwrap_or(0) as u32);
            if op == ADAPTER_HANDLE_MOVE_END {
                // A stream or future end in an async call's values: one of
                // the value's type (`end_ty`), as Wasmtime checks when it
                // lifts the end, before it leaves the giver's table.
                let future = match rt.component.types().get(TypeIndex(end_ty)) {
                    Some(Type::Future(_)) => true,
                    Some(Type::Stream(_)) => false,
                    _ => {
                        return Err(trap::trap(format!(
                            "unknown stream or future type {end_ty}"
                        )));
                    }
                };
                let h = rt.with_p3(|cx| {
                    cx.end_at(src, handle, future, end_ty)?;
                    crate::p3::task::move_end(cx, src, handle, dst)
                })?;
                slots[0] = u64::from(h);
                return Ok(());
            }
            if op == ADAPTER_HANDLE_COPY_ERROR {
                let h = rt.with_p3(|cx| {
                    let e = cx.error_at(src, handle)?;
                    cx.add_error_handle(dst, e)
                })?;
                slots[0] = u64::from(h);
                return Ok(());
            }
            let ty = target(rt, opts)?.ty;
            let rep = rt.with_instance(src, |i| {
                i.set_import_resources(&[]);
                match op {
                    ADAPTER_HANDLE_MOVE_OWN => i.lift_own(ty, handle),
                    ADAPTER_HANDLE_BORROW => i.lift_borrow(ty, handle),
                    _ => Err(trap::trap(format!("unknown adapter handle operation {op}"))),
                }
            })?;
            let out = rt.with_instance(dst, |i| {
                i.set_import_resources(&[]);
                if op == ADAPTER_HANDLE_MOVE_OWN {
                    i.lower_own(ty, rep)
                } else {
                    i.lower_borrow(ty, rep)
                }
            })?;
            slots[0] = u64::from(out);
            Ok(())
        })
    }
}
