//! The state of the running component, its one owner
//! ([`ComponentRuntime`]), and the rule that keeps it sound when host code
//! calls wasm that calls host code again.
//!
//! Phase: from instantiation (`super::instances::instantiate`) until the
//! process exits (a command), or until [`uninstall`] tears it down (an HTTP
//! server, after each request). Inputs: the checked [`Component`] view, the core
//! instances as instantiation builds them, the [`Host`] that implements the
//! lowered imports (the WASI 0.2 host). Outputs: scoped access to that
//! state for host functions and built-ins.
//!
//! The owner holds three kinds of state:
//! - immutable: the descriptor view (`component`);
//! - append-only: the core instances (`core`, [`CoreInstances`]), one
//!   added per step of instantiation, never replaced;
//! - mutable, in one cell: per component instance its [`InstanceState`]
//!   (flags, handle table, call scopes), per lowered import its
//!   host-resource map, the [`Host`], and the P3 state (tasks, waitables,
//!   streams and futures: `super::p3`, reached through
//!   [`ComponentRuntime::with_p3`]).
//!
//! The first two are read through plain shared references (the owner is
//! handed out as `&'static ComponentRuntime`: it is leaked, never mutated
//! through that reference, and `!Sync`; [`uninstall`] reclaims it when
//! nothing of the component runs and no such reference is used again). The mutable part is reached only
//! inside the closures of [`ComponentRuntime::with_instance`] and
//! [`ComponentRuntime::with_host`].
//!
//! # Re-entrancy rule (host -> wasm -> host)
//!
//! **No borrow of the mutable state is alive while guest code runs.** Every
//! call from the host into wasm (start functions, exports, `realloc`,
//! post-return, destructors) goes through `GuestFunc::call`, which first
//! checks that the cell is not borrowed; every host entry from wasm
//! (lowered imports, `resource.new/rep/drop`) borrows the cell, which
//! checks that it is not borrowed already. Either check failing is a bug
//! in Kiln and panics (an internal error), so two `&mut` to the state can
//! never be alive at once. A host call is therefore a sequence of short
//! borrows with guest code only between them:
//! - a lowered import (`kiln_wasi::p2::dispatch` through
//!   `super::call_host`): one borrow to set the import's host-resource map,
//!   one to check `may_leave`, open the call scope and lift the parameters,
//!   one for the host function, then, while lowering the results, one per
//!   handle operation and one on each side of every `realloc` (to clear and
//!   restore `may_leave`), `realloc` itself running unborrowed, and one to
//!   close the call scope;
//! - `resource.new/rep/drop` (`super::builtins`): one borrow for the handle
//!   table, one for the host's drop of a host resource; a guest destructor
//!   runs after both;
//! - post-return (`super::instances::call_post_return`): one borrow to
//!   clear `may_leave`, the call, one to restore it.
//!
//! Ending the borrows, rather than counting on a cleared `may_leave` to
//! keep the guest out, is needed: `resource.rep` does not check
//! `may_leave`, so a `realloc` may use its instance's handle table in the
//! middle of a lowering into that instance.
//!
//! Traps unwind by longjmp without running destructors
//! (`kiln_vm::traps::catch`), so a borrow guard on a skipped frame would
//! stay borrowed. That cannot happen: a wasm trap is raised while guest
//! code runs, when nothing is borrowed, and host code raises its traps
//! (`super::instances::raise`) after its borrows ended, which `raise`
//! checks. (Today a component's trap ends the process anyway: the
//! embedding API runs core modules only.)
//!
//! Threads: a component runs on one thread (component-model threads are
//! refused at compile time; wasi-threads exist only for P1 modules, started
//! from `kiln_runner::entry::run_guest`). The owner is installed in a
//! thread-local and is `!Sync`: another thread sees no runtime.

use super::call::{InstanceAccess, InstanceGuard, InstanceState};
use super::p3::{HostWait, P3Cx, P3State};
use super::program::Component;
use super::trap::{self, Trap};
use kiln_abi::component::CanonOpts;
use kiln_vm::instance::Instance;
use std::any::Any;
use std::cell::{Cell, OnceCell, RefCell};

/// What the component runtime needs from the host that implements the
/// lowered imports. The host's own functions reach it by downcasting
/// ([`ComponentRuntime::with_host`] gives a `&mut dyn Host`, which is a
/// `&mut dyn Any`).
pub trait Host: Any {
    /// Drops the host object of host resource type `ty` behind `rep` (the
    /// `resource.drop` of an own handle of an imported resource).
    fn drop_resource(&mut self, ty: u32, rep: u32) -> Result<(), Trap>;

    /// The stream and future channels whose readable ends the host held
    /// (`P3Cx::hold_readable`) and its last [`Host::drop_resource`] let go
    /// of (a message dropped with its body unsent): the caller drops them,
    /// so their writers see the reader gone.
    fn take_released(&mut self) -> Vec<u32> {
        Vec::new()
    }

    /// The P3 event loop's wait: which of `waits` are ready, blocking
    /// until one is when `block` (the host's one reactor).
    fn p3_wait(&mut self, waits: &[HostWait], block: bool) -> Result<Vec<bool>, Trap> {
        let _ = (waits, block);
        Err(trap::trap("this host has no event loop"))
    }
}

/// The core instances of the component in plan order, appended as
/// instantiation builds them (start functions run between two appends and
/// may already reach the earlier ones). Each slot is written once and never
/// again, so shared references to written slots stay valid.
pub struct CoreInstances {
    slots: Box<[OnceCell<*mut Instance>]>,
    len: Cell<usize>,
}

impl CoreInstances {
    fn with_capacity(n: usize) -> CoreInstances {
        CoreInstances {
            slots: (0..n).map(|_| OnceCell::new()).collect(),
            len: Cell::new(0),
        }
    }

    /// Core instance `k`, if it is built.
    pub fn get(&self, k: usize) -> Option<&*mut Instance> {
        self.slots.get(k)?.get()
    }

    /// The built core instances, in plan order.
    pub fn iter(&self) -> impl Iterator<Item = *mut Instance> + '_ {
        self.slots.iter().map_while(|s| s.get().copied())
    }

    /// Appends the next core instance.
    pub(super) fn push(&self, instance: *mut Instance) -> Result<(), String> {
        let k = self.len.get();
        self.slots
            .get(k)
            .and_then(|s| s.set(instance).ok())
            .ok_or_else(|| "corrupt component descriptor: too many core instances".to_string())?;
        self.len.set(k + 1);
        Ok(())
    }
}

/// The mutable part of [`ComponentRuntime`] (see the module docs).
struct RuntimeState {
    /// Per component instance: flags, handle table, call scopes.
    instances: Vec<InstanceState>,
    /// The host of the lowered imports.
    host: Box<dyn Host>,
    /// Tasks, waitables, streams and futures (component-model async).
    p3: P3State,
}

/// Everything the running component's host calls need (see the module
/// docs for what may be borrowed when).
pub struct ComponentRuntime {
    /// The descriptor view.
    pub component: Component,
    /// Core instances built so far, in plan order.
    pub core: CoreInstances,
    state: StateCell<RuntimeState>,
}

/// A value reached only inside [`StateCell::with`] closures, one at a
/// time: a nested `with` is refused with a panic instead of aliasing.
struct StateCell<T>(RefCell<T>);

impl<T> StateCell<T> {
    fn new(value: T) -> StateCell<T> {
        StateCell(RefCell::new(value))
    }

    /// Runs `f` on the value; panics if a `with` is already running.
    #[inline]
    fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        f(&mut self.borrow())
    }

    /// The borrow of [`StateCell::with`], kept out of its many generic
    /// instances (one per host function) so that each of them stays small.
    #[inline(never)]
    fn borrow(&self) -> std::cell::RefMut<'_, T> {
        self.0.try_borrow_mut().expect(REENTERED)
    }

    /// Whether a `with` is running.
    fn is_borrowed(&self) -> bool {
        self.0.try_borrow_mut().is_err()
    }
}

/// The message of a broken re-entrancy rule (a bug in Kiln).
const REENTERED: &str =
    "the component state is borrowed across a call into wasm (re-entrancy rule broken)";

impl ComponentRuntime {
    /// A runtime for `component` with no core instance built yet, every
    /// component instance free to leave and be entered, and `host`.
    pub(super) fn new(component: Component, host: Box<dyn Host>) -> ComponentRuntime {
        let n = component.desc.num_component_instances;
        ComponentRuntime {
            component,
            core: CoreInstances::with_capacity(component.instances.len()),
            state: StateCell::new(RuntimeState {
                instances: (0..n).map(InstanceState::new).collect(),
                host,
                p3: P3State::default(),
            }),
        }
    }

    /// Runs `f` on the mutable state; a nested call panics (the module
    /// docs' rule).
    fn with_state<T>(&self, f: impl FnOnce(&mut RuntimeState) -> T) -> T {
        self.state.with(f)
    }

    /// Checks that the mutable state is not borrowed: called before any
    /// guest code runs.
    pub fn check_unborrowed(&self) {
        if self.is_borrowed() {
            panic!("{REENTERED}");
        }
    }

    /// Whether a closure of [`ComponentRuntime::with_instance`] or
    /// [`ComponentRuntime::with_host`] is running.
    pub fn is_borrowed(&self) -> bool {
        self.state.is_borrowed()
    }

    /// Runs `f` on the state of component instance `id`; `f` must not call
    /// into wasm.
    pub fn with_instance<T>(
        &self,
        id: u32,
        f: impl FnOnce(&mut InstanceState) -> Result<T, Trap>,
    ) -> Result<T, Trap> {
        f(&mut *self.instance_state(id)?)
    }

    /// The borrow behind [`ComponentRuntime::with_instance`] and
    /// [`RuntimeInstance`] (not generic, so not repeated per caller).
    fn instance_state(&self, id: u32) -> Result<std::cell::RefMut<'_, InstanceState>, Trap> {
        std::cell::RefMut::filter_map(self.state.borrow(), |s| s.instances.get_mut(id as usize))
            .map_err(|_| trap::no_instance())
    }

    /// Runs `f` on the host; `f` must not call into wasm.
    pub fn with_host<T>(
        &self,
        f: impl FnOnce(&mut dyn Host) -> Result<T, Trap>,
    ) -> Result<T, Trap> {
        f(&mut *self.state.borrow().host)
    }

    /// Runs `f` on the P3 state with every instance and the host; `f`
    /// must not call into wasm.
    pub fn with_p3<T>(&self, f: impl FnOnce(&mut P3Cx<'_>) -> Result<T, Trap>) -> Result<T, Trap> {
        self.with_state(|s| {
            f(&mut P3Cx {
                p3: &mut s.p3,
                instances: &mut s.instances,
                host: &mut *s.host,
            })
        })
    }

    /// Places the strings of host-written futures whose reads completed
    /// while the guest was not looking (`P3State::pending_lowers`): called
    /// with the state released before any guest code can see a
    /// completion (at the end of every P3 built-in, of each turn of the
    /// event loop, and before a task's callback runs), so the readers'
    /// `realloc`s run before the readers look. Not in `with_p3`, which is
    /// instantiated for every caller (a check there costs 6 KB of code).
    #[inline(never)]
    pub fn lower_pending(&self) -> Result<(), Trap> {
        let lowers = self.with_state(|s| std::mem::take(&mut s.p3.pending_lowers));
        for (opts, strings) in lowers.into_iter().filter(|(o, _)| *o != 0) {
            // SAFETY: the address of a read built-in's `CanonOpts` record,
            // static and filled at instantiation (`PendingCopy::opts`),
            // only read here.
            let opts = unsafe { &*(opts as *const CanonOpts) };
            crate::p3::builtins::lower_strings(self, opts, strings)?;
        }
        Ok(())
    }

    /// Component instance `id`, reached one operation at a time (for
    /// lowering, which runs `realloc` in between).
    pub fn instance(&self, id: u32) -> RuntimeInstance<'_> {
        RuntimeInstance { rt: self, id }
    }

    /// The component instance of the lowered import with options `opts`,
    /// with the import's host-resource map installed for the call (see
    /// `InstanceState::set_import_resources`).
    pub fn prepare_host_call(&self, opts: &CanonOpts) -> Result<RuntimeInstance<'_>, Trap> {
        let c = self.component;
        let id = opts.component_instance;
        self.with_state(|s| {
            let map = import_resources(c, opts);
            let inst = s
                .instances
                .get_mut(id as usize)
                .ok_or_else(trap::no_instance)?;
            inst.set_import_resources(map);
            Ok(self.instance(id))
        })
    }
}

/// One component instance of a [`ComponentRuntime`] as an
/// [`InstanceAccess`]: each operation is one short borrow.
pub struct RuntimeInstance<'r> {
    rt: &'r ComponentRuntime,
    id: u32,
}

impl InstanceAccess for RuntimeInstance<'_> {
    fn instance(&mut self) -> Result<InstanceGuard<'_>, Trap> {
        self.rt.instance_state(self.id).map(InstanceGuard::Cell)
    }
}

thread_local! {
    /// The running component of this thread (see the module docs).
    static RUNTIME: Cell<Option<&'static ComponentRuntime>> = const { Cell::new(None) };
}

/// Installs `rt` as this thread's running component, until [`uninstall`]
/// (a command: for the rest of the process).
pub(super) fn install(rt: ComponentRuntime) -> Result<&'static ComponentRuntime, String> {
    if runtime().is_some() {
        return Err("a component is already running on this thread".to_string());
    }
    let rt: &'static ComponentRuntime = Box::leak(Box::new(rt));
    RUNTIME.with(|r| r.set(Some(rt)));
    Ok(rt)
}

/// The running component of this thread, if any.
pub fn runtime() -> Option<&'static ComponentRuntime> {
    RUNTIME.with(Cell::get)
}

/// Tears down this thread's running component, if any: its host state
/// (handles, host resources, the `Host`) and then its core instances, last
/// built first (memories unmapped, tables and contexts freed). The HTTP
/// server does this after every request, then instantiates afresh
/// (`super::instances::instantiate`).
///
/// # Safety
/// No guest code and no host function of the component is running on any
/// frame of this thread (a trap that unwound them is over), and no
/// reference obtained from [`runtime`] or `instantiate` is used afterwards:
/// the `'static` they were handed out with ends here.
pub unsafe fn uninstall() {
    let Some(rt) = RUNTIME.with(|r| r.take()) else {
        return;
    };
    // SAFETY: `install` leaked exactly this box; the caller guarantees no
    // use of the reference remains, so this is the only owner now.
    drop(unsafe { Box::from_raw(rt as *const ComponentRuntime as *mut ComponentRuntime) });
}

impl Drop for ComponentRuntime {
    fn drop(&mut self) {
        // Host state first (it may refer to guest memory no longer; it
        // never refers to instances), then the instances, last first: an
        // instance's imports (memories, tables, functions) belong to
        // earlier ones.
        let state = std::mem::replace(
            &mut self.state,
            StateCell::new(RuntimeState {
                instances: Vec::new(),
                host: Box::new(NoHost),
                p3: P3State::default(),
            }),
        );
        drop(state);
        let built: Vec<*mut Instance> = self.core.iter().collect();
        for i in built.into_iter().rev() {
            // SAFETY: `instantiate` built each with `Box::into_raw` and
            // never freed it; nothing runs in it any more (`uninstall`).
            drop(unsafe { Box::from_raw(i) });
        }
    }
}

/// The host of a torn-down runtime (never called).
struct NoHost;

impl Host for NoHost {
    fn drop_resource(&mut self, _ty: u32, _rep: u32) -> Result<(), Trap> {
        Err(trap::no_instance())
    }
}

/// (host type number, imported resource index) of the host resources the
/// type of lowered import `opts` names, computed once per function type
/// and process: a server instantiates per request, and the walk decodes
/// the function's whole type tree (`wasi:http`'s `error-code` has dozens
/// of cases). The component's tables are the executable's, fixed for the
/// process; each distinct list is leaked once (bounded by the function
/// types).
fn import_resources(c: Component, opts: &CanonOpts) -> &'static [(u32, u32)] {
    thread_local! {
        static MAPS: crate::program::TypeFacts<&'static [(u32, u32)]> = const {
            std::cell::RefCell::new(std::collections::BTreeMap::new())
        };
    }
    c.memo(&MAPS, opts.func_type, || {
        let mut out = Vec::new();
        if let Some((params, results)) = c.func_type(opts.func_type) {
            let types = c.types();
            for t in params.iter().chain(results) {
                collect_host_resources(&c, &types, *t, &mut out, 0);
            }
        }
        Vec::leak(out)
    })
}

/// Adds (host type, resource index) for every `own`/`borrow` of a host
/// resource inside type `t`.
fn collect_host_resources(
    c: &Component,
    types: &kiln_abi::component::TypeTable<'_>,
    t: u32,
    out: &mut Vec<(u32, u32)>,
    depth: u32,
) {
    use kiln_abi::component::program::RESOURCE_HOST;
    use kiln_abi::component::{Type, TypeIndex};
    if depth > 100 {
        return;
    }
    let mut walk = |t: Option<TypeIndex>| {
        if let Some(t) = t {
            collect_host_resources(c, types, t.0, out, depth + 1);
        }
    };
    match types.get(TypeIndex(t)) {
        Some(Type::Own(r) | Type::Borrow(r)) => {
            if let Some(d) = c.resources.get(r as usize)
                && d.kind == RESOURCE_HOST
                && !out.contains(&(d.host_type, r))
            {
                out.push((d.host_type, r));
            }
        }
        Some(Type::List(e) | Type::FixedList(e, _) | Type::Option(e)) => walk(Some(e)),
        Some(Type::Result { ok, err }) => {
            walk(ok);
            walk(err);
        }
        Some(Type::Record(ch) | Type::Tuple(ch) | Type::Variant(ch)) => {
            for child in ch.iter() {
                walk(child.ty);
            }
        }
        Some(Type::Stream(e) | Type::Future(e)) => walk(e),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::StateCell;

    #[test]
    fn one_borrow_at_a_time() {
        let cell = StateCell::new(1);
        assert!(!cell.is_borrowed());
        cell.with(|v| {
            *v += 1;
        });
        assert_eq!(cell.with(|v| *v), 2);
        let nested = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            cell.with(|_| {
                assert!(cell.is_borrowed());
                cell.with(|v| *v)
            })
        }));
        assert!(nested.is_err(), "a nested borrow is refused");
        // Unwinding released the outer borrow: the cell is not wedged.
        assert!(!cell.is_borrowed());
        assert_eq!(cell.with(|v| *v), 2);
    }
}
