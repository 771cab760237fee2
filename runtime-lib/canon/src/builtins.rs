//! The resource built-ins compiled trampolines call
//! (`kiln_abi::symbols::RESOURCE_NEW`/`REP`/`DROP`), with the lowered-import
//! contract of `kiln_abi::component::canon`: `(opts, slots, n)`, the handle
//! or rep in slot 0, the result back in slot 0; failures never return.
//!
//! The resource is `opts.resource` (the plan's index): a defined resource
//! is `ResourceType::Defined` of its defining component instance; an
//! imported one is the host's type number, and dropping an own handle of it
//! runs the host's drop (`Host::drop_resource`). Each built-in borrows the
//! instance state (and the host) only for its own step, never across a
//! guest destructor, which runs after the handle is gone and may call
//! imports (the re-entrancy rule in `super::runtime`).

use super::handles::ResourceType;
use super::instances::{GuestFunc, raise, runtime};
use super::runtime::ComponentRuntime;
use super::trap::{self, Trap};
use kiln_abi::ValRaw;
use kiln_abi::component::CanonOpts;
use kiln_abi::component::program::{RESOURCE_DEFINED, RESOURCE_HOST};

/// What a resource built-in works on.
pub(crate) struct Target {
    pub(crate) ty: ResourceType,
    dtor: Option<GuestFunc>,
}

pub(crate) fn target(rt: &ComponentRuntime, opts: &CanonOpts) -> Result<Target, Trap> {
    let r = rt
        .component
        .resources
        .get(opts.resource as usize)
        .ok_or_else(|| trap::trap(format!("unknown resource {}", opts.resource)))?;
    match r.kind {
        RESOURCE_HOST => Ok(Target {
            ty: ResourceType::Host(r.host_type),
            dtor: None,
        }),
        RESOURCE_DEFINED => Ok(Target {
            ty: ResourceType::Defined {
                index: opts.resource,
                instance: r.component_instance,
            },
            dtor: (r.has_dtor != 0)
                .then(|| {
                    rt.core.get(r.dtor.instance as usize).map(|i| GuestFunc {
                        instance: *i,
                        func: r.dtor.index,
                    })
                })
                .flatten(),
        }),
        _ => Err(trap::trap(format!("unknown resource kind {}", r.kind))),
    }
}

/// Runs `f` on the running component, the options and slots of a built-in
/// call, raising errors.
///
/// # Safety
/// `opts` and `slots` come from a compiled trampoline (the contract).
pub(crate) unsafe fn builtin(
    opts: *const CanonOpts,
    slots: *mut u64,
    n: u32,
    f: impl FnOnce(&ComponentRuntime, &CanonOpts, &mut [u64]) -> Result<(), Trap>,
) {
    // SAFETY: the trampoline passes its record and `n >= 1` slots.
    let (opts, slots) = unsafe { (&*opts, std::slice::from_raw_parts_mut(slots, n as usize)) };
    let result = runtime()
        .ok_or_else(trap::no_instance)
        .and_then(|rt| f(rt, opts, slots));
    if let Err(t) = result {
        raise(t)
    }
}

/// `canon resource.new`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __kiln_cm_resource_new(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        builtin(opts, slots, n, |rt, opts, slots| {
            let t = target(rt, opts)?;
            let rep = slots[0] as u32;
            let handle =
                rt.with_instance(opts.component_instance, |inst| inst.resource_new(t.ty, rep))?;
            slots[0] = u64::from(handle);
            Ok(())
        })
    }
}

/// `canon resource.rep`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __kiln_cm_resource_rep(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        builtin(opts, slots, n, |rt, opts, slots| {
            let t = target(rt, opts)?;
            let handle = slots[0] as u32;
            let rep = rt.with_instance(opts.component_instance, |inst| {
                inst.resource_rep(t.ty, handle)
            })?;
            slots[0] = u64::from(rep);
            Ok(())
        })
    }
}

/// `canon resource.drop`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __kiln_cm_resource_drop(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        builtin(opts, slots, n, |rt, opts, slots| {
            let t = target(rt, opts)?;
            let handle = slots[0] as u32;
            let dropped = rt.with_instance(opts.component_instance, |inst| {
                if let ResourceType::Host(_) = t.ty
                    && let Ok(e) = inst.entry(handle)
                {
                    // A host handle handed out as another imported type (two
                    // versions of an interface with distinct resource types).
                    super::handles::check_imported_index(handle, opts.resource, e.imported)?;
                }
                let mut dropped = None;
                inst.resource_drop(t.ty, handle, &mut |ty, rep| {
                    dropped = Some((ty, rep));
                    Ok(())
                })?;
                Ok(dropped)
            })?;
            match dropped {
                Some((ResourceType::Host(ty), rep)) => {
                    let released = rt.with_host(|host| {
                        host.drop_resource(ty, rep)?;
                        Ok(host.take_released())
                    })?;
                    if released.is_empty() {
                        return Ok(());
                    }
                    rt.with_p3(|cx| {
                        released.into_iter().for_each(|c| cx.drop_held(c));
                        Ok(())
                    })
                }
                Some((ResourceType::Defined { .. }, rep)) => match t.dtor {
                    Some(f) => {
                        let mut v = [ValRaw::default()];
                        v[0].0[..4].copy_from_slice(&rep.to_le_bytes());
                        // SAFETY: a destructor is `[i32] -> []`; no borrow
                        // of the state is alive (the closure above ended).
                        f.call(&mut v)
                    }
                    None => Ok(()),
                },
                Some((ResourceType::Async(_), _)) | None => Ok(()),
            }
        })
    }
}
