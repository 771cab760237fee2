//! The P3 built-ins compiled trampolines call (`__kiln_cm_p3_*`, listed in
//! `kiln_abi::component::builtins`), with the lowered-import contract of
//! `kiln_abi::component::canon`: `(opts, slots, n)`, operands in the
//! slots, the result in slot 0; failures never return.
//!
//! Each entry borrows the runtime state for its step ([`super::P3Cx`]); those
//! that block (`waitable-set.wait`, sync copies left waiting) run the
//! event loop of `super::run` between borrows, and only in a task that
//! may block.

use super::copy::{self, CopyArgs};
use super::run;
use super::{ASYNC_SET, WaitableKind, WaitableSet, cannot_block, traps};
use crate::instances::{raise, runtime};
use crate::memory::GuestMemory;
use crate::runtime::ComponentRuntime;
use crate::trap::{self, Trap};
use kiln_abi::component::builtins::{CANON_OPT_CANCELLABLE, COPY_BLOCKED};
use kiln_abi::component::canon::{event_code, subtask_state};
use kiln_abi::component::{CanonOpts, Type, TypeIndex};
use kiln_abi::trap::TrapCode;

/// Runs built-in `f` with the running component, its options and slots,
/// raising its error.
///
/// # Safety
/// `opts` and `slots` come from a compiled trampoline (the contract).
unsafe fn entry(
    opts: *const CanonOpts,
    slots: *mut u64,
    n: u32,
    check_leave: bool,
    f: impl FnOnce(&ComponentRuntime, &CanonOpts, &mut [u64]) -> Result<(), Trap>,
) {
    // SAFETY: the trampoline passes its record and `n >= 1` slots.
    let (opts, slots) = unsafe { (&*opts, std::slice::from_raw_parts_mut(slots, n as usize)) };
    let result = runtime().ok_or_else(trap::no_instance).and_then(|rt| {
        if check_leave {
            check_may_leave(rt, opts.component_instance)?;
        }
        f(rt, opts, slots).and_then(|()| rt.lower_pending())
    });
    if let Err(t) = result {
        raise(t)
    }
}

/// Declares `extern "C"` built-in entries: `name(rt, opts, slots) body`,
/// after `check_leave: bool;` (whether they trap when the instance may
/// not leave).
macro_rules! builtins {
    (check_leave: $leave:expr; $($(#[$doc:meta])* fn $name:ident($rt:ident, $opts:ident, $slots:ident) $body:block)*) => {$(
        $(#[$doc])*
        ///
        /// # Safety
        /// Called by compiled trampolines only (the contract).
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(opts: *const CanonOpts, slots: *mut u64, n: u32) {
            // SAFETY: forwarded.
            unsafe {
                entry(opts, slots, n, $leave, |$rt: &ComponentRuntime, $opts: &CanonOpts, $slots: &mut [u64]| $body)
            }
        }
    )*};
}

/// Traps with Wasmtime's "cannot leave component instance" if component
/// instance `inst` may not leave: inside a `realloc` or `post-return`
/// called by a lowering or lifting. Wasmtime 49 checks it first in every
/// P3 built-in but `context.get`/`context.set` and
/// `backpressure.inc`/`backpressure.dec` (and so `backpressure.set`).
pub(crate) fn check_may_leave(rt: &ComponentRuntime, inst: u32) -> Result<(), Trap> {
    rt.with_instance(inst, |i| i.check_may_leave())
}

fn arg(slots: &[u64], i: usize) -> u32 {
    slots.get(i).copied().unwrap_or(0) as u32
}

/// The element layout ([`elem_layout`]) and [`super::elem::plain`] of
/// stream or future type `ty`, computed once per type (a server makes
/// several channels per request; see `Component::layout`).
fn channel_facts(rt: &ComponentRuntime, ty: u32) -> ((u32, u32), bool) {
    (elem_layout(rt, ty), rt.component.channel_plain(ty))
}

/// Size and alignment of the element of stream or future type `ty`.
fn elem_layout(rt: &ComponentRuntime, ty: u32) -> (u32, u32) {
    match rt.component.types().get(TypeIndex(ty)) {
        Some(Type::Stream(Some(e)) | Type::Future(Some(e))) => rt.component.layout(e),
        _ => (0, 1),
    }
}

/// Checks that a channel element type can be copied (bytes, or lifted
/// and lowered by `elem.rs`).
fn check_copyable(rt: &ComponentRuntime, ty: u32) -> Result<(), Trap> {
    if rt.component.channel_borrows(ty) {
        return Err(trap::trap(
            "Kiln does not copy streams or futures of borrows yet",
        ));
    }
    Ok(())
}

/// Whether handle `h` of `instance` is the readable end of a future whose
/// value the host writes or of a stream a host source fills (an unknown
/// handle is not: the copy reports it).
fn host_written(rt: &ComponentRuntime, instance: u32, h: u32) -> bool {
    rt.with_p3(|cx| {
        let w = cx.waitable_at(instance, h)?;
        let c = cx.p3.waitables.get(w).map(|w| w.channel);
        Ok(c.and_then(|c| cx.p3.channels.get(c)).is_some_and(|ch| {
            matches!(
                ch.writable,
                super::End::HostValue(_) | super::End::Source(_)
            )
        }))
    })
    .unwrap_or(false)
}

/// Puts each string a host source's elements (or a host future's value)
/// name into guest memory with
/// the read's `realloc` and fills its (pointer, length) field; runs with
/// the runtime state released (the re-entrancy rule), as a lowering does:
/// `realloc` runs with the reader's `may_leave` cleared and its result is
/// checked (alignment, bounds) as every lowering's is.
pub(crate) fn lower_strings(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    strings: Vec<(u32, String)>,
) -> Result<(), Trap> {
    use crate::memory::LowerCx;
    if !matches!(opts.encoding(), kiln_abi::component::StringEncoding::Utf8) {
        return Err(trap::trap(
            "Kiln's host streams and futures of strings support the UTF-8 encoding only",
        ));
    }
    let mut realloc = crate::instances::GuestRealloc::from_opts(opts)
        .ok_or_else(|| trap::trap("a stream or future of strings needs a realloc option"))?;
    let mut instance = rt.instance(opts.component_instance);
    for (field, text) in strings {
        let len = u32::try_from(text.len()).map_err(|_| trap::trap("string too long"))?;
        // SAFETY: the options' memory definition, filled at
        // instantiation; `LowerCx` reads it again after `realloc`, which
        // may grow it. No other view of that memory is alive: the guest is
        // stopped in this built-in, and this context ends with the
        // iteration.
        let m = unsafe {
            GuestMemory::from_definition(
                opts.memory_def as usize as *const kiln_abi::vmctx::VMMemoryDefinition,
            )
        };
        let mut cx = LowerCx::new(m, Some(&mut realloc), opts.encoding(), Some(&mut instance));
        let ptr = cx.realloc(0, 0, 1, len)?;
        if !cx.memory().in_bounds(field, 8) {
            return Err(trap::pointer_out_of_bounds());
        }
        cx.write(ptr, text.as_bytes())?;
        cx.write(field, &ptr.to_le_bytes())?;
        cx.write(field.wrapping_add(4), &len.to_le_bytes())?;
    }
    Ok(())
}

/// A new stream or future of `opts.resource` in the caller's instance:
/// `writable << 32 | readable`.
fn new_channel(rt: &ComponentRuntime, opts: &CanonOpts, future: bool) -> Result<u64, Trap> {
    let ty = opts.resource;
    let (elem, plain) = channel_facts(rt, ty);
    let inst = opts.component_instance;
    rt.with_p3(|cx| {
        let c = cx.new_channel(future, ty, elem);
        let (rw, r) = cx.new_waitable(inst, WaitableKind::Readable, c)?;
        let (ww, w) = cx.new_waitable(inst, WaitableKind::Writable, c)?;
        if let Some(ch) = cx.p3.channels.get_mut(c) {
            ch.readable = super::End::Guest(rw);
            ch.writable = super::End::Guest(ww);
            ch.plain = plain;
        }
        Ok((u64::from(w) << 32) | u64::from(r))
    })
}

/// A read or write; a sync one that is left waiting blocks until done.
fn copy_op(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    slots: &mut [u64],
    read: bool,
    future: bool,
) -> Result<(), Trap> {
    // A future the host writes holds a value of fixed bytes (the WASI
    // host writes only payload-free cases: no pointer to relocate), so
    // its read needs no element copying beyond the bytes.
    // Likewise a stream a host source fills: it lays out its elements
    // itself and hands strings over for `realloc` (below).
    if !(read && host_written(rt, opts.component_instance, arg(slots, 0))) {
        check_copyable(rt, opts.resource)?;
    }
    let a = CopyArgs {
        instance: opts.component_instance,
        ty: opts.resource,
        future,
        sync: !opts.is_async(),
        handle: arg(slots, 0),
        memory: opts.memory_def as usize,
        ptr: arg(slots, 1),
        len: if future { 1 } else { arg(slots, 2) },
        opts: opts as *const CanonOpts as usize,
    };
    let (inst, h) = (a.instance, a.handle);
    let (st, strings, copies) = rt.with_p3(|cx| {
        let st = if read {
            copy::read(cx, &a)?
        } else {
            copy::write(cx, &a)?
        };
        Ok((
            st,
            std::mem::take(&mut cx.p3.pending_strings),
            std::mem::take(&mut cx.p3.pending_copies),
        ))
    })?;
    if !strings.is_empty() {
        lower_strings(rt, opts, strings)?;
    }
    if !copies.is_empty() {
        super::elem::run(rt, copies)?;
    }
    let st = if st == COPY_BLOCKED && !opts.is_async() {
        let w = rt.with_p3(|cx| {
            if !cx.may_block(inst) {
                return Err(cannot_block());
            }
            cx.waitable_at(inst, h)
        })?;
        run::wait_waitable(rt, w)?
    } else {
        st
    };
    slots[0] = u64::from(st);
    Ok(())
}

/// Writes an event's handle and payload at `ptr` of the options' memory.
fn store_event(opts: &CanonOpts, ptr: u32, p1: u32, p2: u32) -> Result<(), Trap> {
    // SAFETY: the options' memory definition, filled at instantiation.
    let mut m = unsafe {
        GuestMemory::from_definition(
            opts.memory_def as usize as *const kiln_abi::vmctx::VMMemoryDefinition,
        )
    };
    crate::call::check_tuple_ptr(m, ptr, 4, 8)?;
    let at = ptr as usize;
    let bytes = m.bytes_mut();
    bytes[at..at + 4].copy_from_slice(&p1.to_le_bytes());
    bytes[at + 4..at + 8].copy_from_slice(&p2.to_le_bytes());
    Ok(())
}

// Built-ins that do not check `may_leave` (they only touch the current
// task's slots or the instance's backpressure counter).
builtins! {
    check_leave: false;

    /// `context.get i32 i`.
    fn __kiln_cm_p3_context_get(rt, opts, slots) {
        let i = opts.resource as usize;
        let v = rt.with_p3(|cx| {
            let (_, t) = cx.current_task_of(opts.component_instance)?;
            t.context.get(i).copied().ok_or_else(|| trap::trap("context slot out of range"))
        })?;
        slots[0] = u64::from(v);
        Ok(())
    }

    /// `context.set i32 i`.
    fn __kiln_cm_p3_context_set(rt, opts, slots) {
        let i = opts.resource as usize;
        let v = arg(slots, 0);
        rt.with_p3(|cx| {
            let (_, t) = cx.current_task_of(opts.component_instance)?;
            let slot = t.context.get_mut(i).ok_or_else(|| trap::trap("context slot out of range"))?;
            *slot = v;
            Ok(())
        })
    }

    /// `backpressure.set`.
    fn __kiln_cm_p3_backpressure_set(rt, opts, slots) {
        let on = arg(slots, 0) != 0;
        backpressure(rt, opts.component_instance, |n| Ok(if on { n.max(1) } else { 0 }))
    }

    /// `backpressure.inc`.
    fn __kiln_cm_p3_backpressure_inc(rt, opts, _slots) {
        backpressure(rt, opts.component_instance, |n| {
            n.checked_add(1).filter(|n| *n <= u32::from(u16::MAX))
                .ok_or_else(|| traps::code(TrapCode::BackpressureOverflow))
        })
    }

    /// `backpressure.dec`.
    fn __kiln_cm_p3_backpressure_dec(rt, opts, _slots) {
        backpressure(rt, opts.component_instance, |n| {
            // Wasmtime words underflow as overflow.
            n.checked_sub(1).ok_or_else(|| traps::code(TrapCode::BackpressureOverflow))
        })
    }

}

builtins! {
    check_leave: true;

    /// `task.return`: records the flat values for the caller.
    fn __kiln_cm_p3_task_return(rt, opts, slots) {
        let want = rt
            .component
            .func_type(opts.func_type)
            .and_then(|(params, _)| params.first().copied())
            .unwrap_or(u32::MAX);
        let n = rt
            .component
            .func_type(opts.func_type)
            .map_or(0, |(params, _)| params.len());
        let (task, lift) = rt.with_p3(|cx| {
            // A sync-lifted function called from another instance's task
            // has no task here; Wasmtime's sync task refuses `task.return`.
            let (id, t) = cx
                .current_task_of(opts.component_instance)
                .map_err(|_| traps::code(TrapCode::TaskReturnInvalid))?;
            if t.result.is_some() {
                return Err(traps::code(TrapCode::TaskReturnTwice));
            }
            if t.result_type != want || (n == 0) != (t.result_type == u32::MAX) {
                return Err(traps::code(TrapCode::TaskReturnInvalid));
            }
            t.result = Some(slots.to_vec());
            Ok((id, t.host_lift.take()))
        })?;
        // A host caller's values are lifted now, outside the runtime
        // state (lifting reads guest memory only): once this returns, the
        // guest may free or reuse what they point to.
        if let Some(lift) = lift {
            let value = lift(rt, slots)?;
            rt.with_p3(|cx| {
                if let Some(t) = cx.p3.tasks.get_mut(task) {
                    t.lifted = Some(value);
                }
                Ok(())
            })?;
        }
        super::task::returned(rt, task)
    }

    /// `task.cancel`: only a task whose cancellation was delivered may
    /// call it.
    fn __kiln_cm_p3_task_cancel(rt, opts, _slots) {
        super::task::task_cancel(rt, opts.component_instance)
    }

    /// `waitable-set.new`.
    fn __kiln_cm_p3_waitable_set_new(rt, opts, slots) {
        let inst = opts.component_instance;
        let h = rt.with_p3(|cx| {
            let s = cx.p3.sets.insert(WaitableSet::default());
            match cx.instance(inst)?.add_async(ASYNC_SET, s) {
                Ok(h) => Ok(h),
                Err(e) => {
                    cx.p3.sets.remove(s);
                    Err(e)
                }
            }
        })?;
        slots[0] = u64::from(h);
        Ok(())
    }

    /// `waitable-set.wait`: blocks until a member has an event.
    fn __kiln_cm_p3_waitable_set_wait(rt, opts, slots) {
        let inst = opts.component_instance;
        let (h, ptr) = (arg(slots, 0), arg(slots, 1));
        let set = rt.with_p3(|cx| {
            let set = cx.set_at(inst, h, true)?;
            if cx.p3.current.is_empty() || !cx.may_block(inst) {
                return Err(cannot_block());
            }
            Ok(set)
        })?;
        let (code, p1, p2) = run::wait_set(rt, set)?;
        store_event(opts, ptr, p1, p2)?;
        slots[0] = u64::from(code);
        Ok(())
    }

    /// `waitable-set.poll`: the first event, or `NONE`.
    fn __kiln_cm_p3_waitable_set_poll(rt, opts, slots) {
        let inst = opts.component_instance;
        let (h, ptr) = (arg(slots, 0), arg(slots, 1));
        let set = rt.with_p3(|cx| cx.set_at(inst, h, true))?;
        run::poll_turn(rt)?;
        let ev = rt.with_p3(|cx| Ok(cx.take_event(set)))?;
        let (code, p1, p2) = ev.unwrap_or((event_code::NONE, 0, 0));
        store_event(opts, ptr, p1, p2)?;
        slots[0] = u64::from(code);
        Ok(())
    }

    /// `waitable-set.drop`.
    fn __kiln_cm_p3_waitable_set_drop(rt, opts, slots) {
        let inst = opts.component_instance;
        let h = arg(slots, 0);
        rt.with_p3(|cx| {
            let set = cx.set_at(inst, h, false)?;
            if cx.p3.sets.get(set).is_some_and(|s| s.waiters > 0) {
                return Err(trap::trap("cannot drop waitable set with waiters"));
            }
            if cx.p3.sets.get(set).is_some_and(|s| !s.members.is_empty()) {
                return Err(traps::set_has_members());
            }
            cx.instance(inst)?.handles_mut().remove(h)?;
            if let Some(s) = cx.p3.sets.remove(set) {
                for w in s.members {
                    if let Some(x) = cx.p3.waitables.get_mut(w) {
                        x.set = None;
                    }
                }
            }
            Ok(())
        })
    }

    /// `waitable.join`: moves a waitable into a set (0: out of any).
    fn __kiln_cm_p3_waitable_join(rt, opts, slots) {
        let inst = opts.component_instance;
        let (h, set_h) = (arg(slots, 0), arg(slots, 1));
        rt.with_p3(|cx| {
            let w = cx.waitable_at(inst, h)?;
            let set = if set_h == 0 { None } else { Some(cx.set_at(inst, set_h, false)?) };
            let old = cx.p3.waitables.get_mut(w).and_then(|x| std::mem::replace(&mut x.set, set));
            if let Some(o) = old
                && let Some(s) = cx.p3.sets.get_mut(o)
            {
                s.members.retain(|m| *m != w);
            }
            if let Some(s) = set.and_then(|s| cx.p3.sets.get_mut(s)) {
                s.members.push(w);
            }
            Ok(())
        })
    }

    /// `subtask.cancel`: a host subtask not yet returned is cancelled at
    /// once (its host operation is dropped); one that returned gives its
    /// status.
    fn __kiln_cm_p3_subtask_cancel(rt, opts, slots) {
        let inst = opts.component_instance;
        let h = arg(slots, 0);
        let sync = !opts.is_async();
        let guest = rt.with_p3(|cx| {
            let w = cx.subtask_at(inst, h)?;
            let x = cx.p3.waitables.get_mut(w).ok_or_else(|| trap::unknown_handle(h))?;
            if sync && x.set.is_some() {
                return Err(traps::code(TrapCode::WaitableSyncInSet));
            }
            // A sync cancel may wait for the subtask (Wasmtime checks
            // before looking at its state).
            if sync && !cx.may_block(inst) {
                return Err(cannot_block());
            }
            let x = cx.p3.waitables.get_mut(w).ok_or_else(|| trap::unknown_handle(h))?;
            if x.delivered {
                return Err(traps::code(TrapCode::SubtaskCancelAfterTerminal));
            }
            Ok((x.callee != u32::MAX).then_some((w, x.callee)))
        })?;
        if let Some((w, task)) = guest {
            slots[0] = u64::from(super::task::cancel_subtask(rt, w, task, sync)?);
            return Ok(());
        }
        let st = rt.with_p3(|cx| {
            let w = cx.subtask_at(inst, h)?;
            let x = cx.p3.waitables.get_mut(w).ok_or_else(|| trap::unknown_handle(h))?;
            let st = if x.subtask.0 >= subtask_state::RETURNED {
                x.subtask.0
            } else {
                x.subtask = super::SubtaskState(subtask_state::CANCELLED_BEFORE_RETURNED);
                cx.p3.ops.retain(|op| op.action.subtask() != Some(w));
                subtask_state::CANCELLED_BEFORE_RETURNED
            };
            if let Some(x) = cx.p3.waitables.get_mut(w) {
                x.event = None;
            }
            cx.deliver(w, st);
            Ok(st)
        })?;
        slots[0] = u64::from(st);
        Ok(())
    }

    /// `subtask.drop`: only once it has returned (or was cancelled).
    fn __kiln_cm_p3_subtask_drop(rt, opts, slots) {
        let inst = opts.component_instance;
        let h = arg(slots, 0);
        rt.with_p3(|cx| {
            let w = cx.subtask_at(inst, h)?;
            let x = cx.p3.waitables.get(w).ok_or_else(|| trap::unknown_handle(h))?;
            if x.subtask.0 < subtask_state::RETURNED {
                return Err(traps::code(TrapCode::SubtaskDropUnresolved));
            }
            let (set, callee) = (x.set, x.callee);
            cx.instance(inst)?.handles_mut().remove(h)?;
            cx.p3.waitables.remove(w);
            if callee != u32::MAX {
                super::task::forget_caller(cx, callee);
            }
            if let Some(s) = set.and_then(|s| cx.p3.sets.get_mut(s)) {
                s.members.retain(|m| *m != w);
            }
            Ok(())
        })
    }

    /// `stream.new`.
    fn __kiln_cm_p3_stream_new(rt, opts, slots) {
        slots[0] = new_channel(rt, opts, false)?;
        Ok(())
    }

    /// `stream.read`.
    fn __kiln_cm_p3_stream_read(rt, opts, slots) {
        copy_op(rt, opts, slots, true, false)
    }

    /// `stream.write`.
    fn __kiln_cm_p3_stream_write(rt, opts, slots) {
        copy_op(rt, opts, slots, false, false)
    }

    /// `stream.cancel-read`.
    fn __kiln_cm_p3_stream_cancel_read(rt, opts, slots) {
        let inst = opts.component_instance;
        let st = rt.with_p3(|cx| copy::cancel(cx, inst, (false, opts.resource), arg(slots, 0), true))?;
        slots[0] = u64::from(st);
        Ok(())
    }

    /// `stream.cancel-write`.
    fn __kiln_cm_p3_stream_cancel_write(rt, opts, slots) {
        let inst = opts.component_instance;
        let st = rt.with_p3(|cx| copy::cancel(cx, inst, (false, opts.resource), arg(slots, 0), false))?;
        slots[0] = u64::from(st);
        Ok(())
    }

    /// `stream.drop-readable`.
    fn __kiln_cm_p3_stream_drop_readable(rt, opts, slots) {
        let inst = opts.component_instance;
        rt.with_p3(|cx| copy::drop_end(cx, inst, (false, opts.resource), arg(slots, 0), true))
    }

    /// `stream.drop-writable`.
    fn __kiln_cm_p3_stream_drop_writable(rt, opts, slots) {
        let inst = opts.component_instance;
        rt.with_p3(|cx| copy::drop_end(cx, inst, (false, opts.resource), arg(slots, 0), false))
    }

    /// `future.new`.
    fn __kiln_cm_p3_future_new(rt, opts, slots) {
        slots[0] = new_channel(rt, opts, true)?;
        Ok(())
    }

    /// `future.read`.
    fn __kiln_cm_p3_future_read(rt, opts, slots) {
        copy_op(rt, opts, slots, true, true)
    }

    /// `future.write`.
    fn __kiln_cm_p3_future_write(rt, opts, slots) {
        copy_op(rt, opts, slots, false, true)
    }

    /// `future.cancel-read`.
    fn __kiln_cm_p3_future_cancel_read(rt, opts, slots) {
        let inst = opts.component_instance;
        let st = rt.with_p3(|cx| copy::cancel(cx, inst, (true, opts.resource), arg(slots, 0), true))?;
        slots[0] = u64::from(st);
        Ok(())
    }

    /// `future.cancel-write`.
    fn __kiln_cm_p3_future_cancel_write(rt, opts, slots) {
        let inst = opts.component_instance;
        let st = rt.with_p3(|cx| copy::cancel(cx, inst, (true, opts.resource), arg(slots, 0), false))?;
        slots[0] = u64::from(st);
        Ok(())
    }

    /// `future.drop-readable`.
    fn __kiln_cm_p3_future_drop_readable(rt, opts, slots) {
        let inst = opts.component_instance;
        rt.with_p3(|cx| copy::drop_end(cx, inst, (true, opts.resource), arg(slots, 0), true))
    }

    /// `future.drop-writable`.
    fn __kiln_cm_p3_future_drop_writable(rt, opts, slots) {
        let inst = opts.component_instance;
        rt.with_p3(|cx| copy::drop_end(cx, inst, (true, opts.resource), arg(slots, 0), false))
    }

    /// `thread.yield`: lets host operations progress; never cancelled here.
    fn __kiln_cm_p3_thread_yield(rt, opts, slots) {
        let _cancellable = opts.flags & CANON_OPT_CANCELLABLE != 0;
        super::task::yield_turn(rt)?;
        slots[0] = 0;
        Ok(())
    }

    /// `error-context.new`.
    fn __kiln_cm_p3_error_context_new(rt, opts, slots) {
        slots[0] = u64::from(super::errctx::new(rt, opts, arg(slots, 0), arg(slots, 1))?);
        Ok(())
    }

    /// `error-context.debug-message`.
    fn __kiln_cm_p3_error_context_debug_message(rt, opts, slots) {
        super::errctx::debug_message(rt, opts, arg(slots, 0), arg(slots, 1))
    }

    /// `error-context.drop`.
    fn __kiln_cm_p3_error_context_drop(rt, opts, slots) {
        let (inst, h) = (opts.component_instance, arg(slots, 0));
        rt.with_p3(|cx| cx.drop_error_handle(inst, h))
    }
}

/// Updates instance `inst`'s backpressure counter with `f`.
fn backpressure(
    rt: &ComponentRuntime,
    inst: u32,
    f: impl FnOnce(u32) -> Result<u32, Trap>,
) -> Result<(), Trap> {
    rt.with_p3(|cx| {
        let bp = &mut cx.p3.backpressure;
        let i = match bp.iter().position(|(k, _)| *k == inst) {
            Some(i) => i,
            None => {
                bp.push((inst, 0));
                bp.len() - 1
            }
        };
        bp[i].1 = f(bp[i].1)?;
        Ok(())
    })
}
