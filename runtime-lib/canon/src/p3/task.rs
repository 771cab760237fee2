//! Tasks that interleave: calls between component instances where either
//! side is async (guest subtasks), the scheduler that resumes tasks on the
//! one event loop, backpressure and cancellation.
//!
//! Phase: run time. Inputs: calls through an async-call trampoline
//! (`TRAMPOLINE_ASYNC_CALL`: the caller's options, the callee's, the
//! callee's core function), callback codes, `task.return`/`task.cancel`,
//! `subtask.cancel`. Outputs: subtask statuses and events in the caller,
//! results at the caller's return pointer, handles of stream and future
//! ends moved between the two instances' tables.
//!
//! The spec's rules, as Kiln keeps them:
//! - a call enters its instance at once unless the instance has
//!   backpressure or earlier calls still waiting to enter: then its task
//!   is STARTING and starts, in call order, when the scheduler finds the
//!   instance free (the caller gets a `STARTED` event);
//! - a stackless task leaves its instance free whenever its callback
//!   returns (`WAIT`, `YIELD`), so several tasks of one instance
//!   interleave; a task of an instance with guest code on the stack
//!   (`P3State::current`) is never resumed, so nested blocking waits
//!   resume only other instances' tasks;
//! - `subtask.cancel` of a started guest callee delivers `TASK_CANCELLED`
//!   to it at once if it waits, else at its next wait; the callee answers
//!   with `task.cancel` (`CANCELLED_BEFORE_RETURNED`) or `task.return`.
//!
//! Values: where each is one flat `bool`, integer or float
//! (`adapter::async_values`), the runtime passes them as they are. Other
//! values (stream and future ends among them, moved from the giver's table
//! to the taker's keeping their waitables, by the handle built-in) move
//! through the call's two generated halves ([`Halves`]): the parameters
//! when the task starts, the results inside `task.return` (or as a sync
//! lift returns), each a core function called with the P3 state released.
//! Such a call has two call scopes of its own (`Task::scopes`), made
//! current only while its parameters move: borrows the callee is handed
//! are counted there and must be dropped by `task.return`, and handles the
//! caller lends stay lent until the call resolves.

use super::run::{deadlock, turn};
use super::{
    ASYNC_WAITABLE, Caller, Cancel, Halves, P3Cx, SubtaskState, Task, TaskState, Waitable,
    WaitableKind, traps,
};
use crate::instances::{GuestFunc, call_post_return, raise};
use crate::runtime::{ComponentRuntime, runtime};
use crate::trap::{self, Trap};
use kiln_abi::ValRaw;
use kiln_abi::component::builtins::COPY_BLOCKED;
use kiln_abi::component::canon::{callback_code, event_code, subtask_state};
use kiln_abi::component::{
    AbiContext, CANON_OPT_CORE_VALUES, CanonOpts, FlattenOpts, FuncSig, TypeIndex,
};
use kiln_abi::trap::TrapCode;

/// What the scheduler does next with a task.
enum Step {
    /// Enter it: its core function and arguments.
    Start(GuestFunc, Vec<ValRaw>),
    /// Call its callback with this event.
    Event(u32, u32, u32),
    /// Call its callback after a `YIELD`.
    Yield,
}

/// The `TRAMPOLINE_ASYNC_CALL` entry: a lowered call of a function another
/// component instance lifts.
///
/// # Safety
/// Called by compiled trampolines only: `opts` is the first of three
/// consecutive filled records, `slots` holds `n >= 1` slots.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn __kiln_cm_p3_async_call(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: the contract of `TRAMPOLINE_ASYNC_CALL`: three records, read
    // only (no guest code writes them); the slots are the trampoline's own
    // buffer, borrowed only for this call.
    let (lower, lift, callee, slots) = unsafe {
        (
            &*opts,
            &*opts.add(1),
            &*opts.add(2),
            std::slice::from_raw_parts_mut(slots, n as usize),
        )
    };
    let result = runtime()
        .ok_or_else(trap::no_instance)
        .and_then(|rt| call(rt, lower, lift, callee, slots));
    if let Err(t) = result {
        raise(t)
    }
}

fn raw(v: u64) -> ValRaw {
    let mut r = ValRaw::default();
    r.0[..8].copy_from_slice(&v.to_le_bytes());
    r
}

fn low(v: &ValRaw) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&v.0[..8]);
    u64::from_le_bytes(b)
}

/// Reads a leaked `GuestFunc` address of a filled record (0: none).
fn guest_func(addr: u64) -> Option<GuestFunc> {
    // SAFETY: filled from a leaked `GuestFunc` (`fill_opts`), never freed.
    (addr != 0).then(|| unsafe { *(addr as usize as *const GuestFunc) })
}

/// Moves the readable end behind handle `h` of instance `from` into
/// instance `to`'s table; returns its new handle.
pub(crate) fn move_end(cx: &mut P3Cx<'_>, from: u32, h: u32, to: u32) -> Result<u32, Trap> {
    let (w, _) = cx.movable_end(from, h)?;
    cx.detach_end(from, h, w)?;
    let nh = cx.instance(to)?.add_async(ASYNC_WAITABLE, w)?;
    if let Some(x) = cx.p3.waitables.get_mut(w) {
        x.instance = to;
        x.handle = nh;
        x.set = None;
    }
    Ok(nh)
}

/// The generated halves of an async call (the third record's `realloc`
/// is `params`) and how many flat parameters the lowering passes before
/// its return pointer.
fn halves(
    rt: &ComponentRuntime,
    lower: &CanonOpts,
    params: GuestFunc,
    callee: &CanonOpts,
    slots: &[u64],
) -> (Halves, usize) {
    let types = rt.component.types();
    let (p, r) = rt
        .component
        .func_type(lower.func_type)
        .unwrap_or((&[], &[]));
    let (p, r): (Vec<TypeIndex>, Vec<TypeIndex>) = (
        p.iter().map(|t| TypeIndex(*t)).collect(),
        r.iter().map(|t| TypeIndex(*t)).collect(),
    );
    let sig = FuncSig {
        params: &p,
        results: &r,
    };
    let lowered = types.flatten_functype(
        sig,
        FlattenOpts {
            async_: lower.is_async(),
            ..FlattenOpts::default()
        },
        AbiContext::Lower,
    );
    let lifted = types.flatten_functype(sig, FlattenOpts::default(), AbiContext::Lift);
    let n_in = lowered.params.as_slice().len() - usize::from(lowered.results_in_memory);
    let h = Halves {
        params,
        lift_params: lifted.params.as_slice().len(),
        results: guest_func(callee.post_return_func),
        retptr: lowered
            .results_in_memory
            .then(|| slots.get(n_in).copied().unwrap_or(0) as u32),
    };
    (h, n_in)
}

/// Instance `inst`'s backpressure counter.
fn backpressure(cx: &P3Cx<'_>, inst: u32) -> u32 {
    cx.p3
        .backpressure
        .iter()
        .find(|(k, _)| *k == inst)
        .map_or(0, |(_, n)| *n)
}

/// Whether a new call into instance `inst` must wait to start: its
/// backpressure is on, or earlier calls wait.
pub(super) fn held_back(cx: &P3Cx<'_>, inst: u32) -> bool {
    let tasks = &cx.p3.tasks;
    backpressure(cx, inst) > 0
        || cx
            .p3
            .starting
            .iter()
            .any(|s| tasks.get(*s).is_some_and(|t| t.instance == inst))
}

/// The instances with guest code on the stack.
fn locked(cx: &P3Cx<'_>) -> Vec<u32> {
    cx.p3
        .current
        .iter()
        .filter_map(|t| cx.p3.tasks.get(*t).map(|t| t.instance))
        .collect()
}

/// A lowered call of a lifted function of another instance (see the
/// module docs): `slots` hold the lowering's flat parameters (and an async
/// lowering's return pointer); slot 0 gets its status or result.
fn call(
    rt: &ComponentRuntime,
    lower: &CanonOpts,
    lift: &CanonOpts,
    callee: &CanonOpts,
    slots: &mut [u64],
) -> Result<(), Trap> {
    let func = guest_func(callee.callback_func)
        .ok_or_else(|| trap::trap("corrupt component descriptor: an async call without callee"))?;
    let callback = guest_func(lift.callback_func);
    let (params, results) = rt
        .component
        .func_type(lower.func_type)
        .ok_or_else(|| trap::trap("corrupt component descriptor: an async call's type"))?;
    let result_type = results.first().copied().unwrap_or(u32::MAX);
    let (from, to) = (lower.component_instance, lift.component_instance);
    let sync = !lower.is_async();
    // A generated adapter's call (`CANON_OPT_CORE_VALUES`): the slots hold
    // the callee's core parameters, passed as they are.
    let core_values = callee.flags & CANON_OPT_CORE_VALUES != 0;
    let halves = guest_func(callee.realloc_func).map(|p| halves(rt, lower, p, callee, slots));
    // With generated halves the task keeps the caller's flat values as
    // they are until it starts; else each is one flat `bool`, integer or
    // float (`adapter::async_values`), passed as it is.
    let mut args = match &halves {
        _ if core_values => slots.iter().map(|v| raw(*v)).collect(),
        Some((_, n_in)) => slots
            .iter()
            .take(*n_in)
            .map(|v| raw(*v))
            .chain(std::iter::repeat(ValRaw::default()))
            .take((*n_in).max(1))
            .collect(),
        None => vec![ValRaw::default(); params.len().max(1)],
    };
    let halves = halves.map(|(h, _)| h);
    let (task, w, wait) = rt.with_p3(|cx| {
        // Calls wait behind backpressure and behind earlier waiting calls.
        let wait = held_back(cx, to);
        for (i, _) in params
            .iter()
            .enumerate()
            .filter(|_| halves.is_none() && !core_values)
        {
            args[i] = raw(slots.get(i).copied().unwrap_or(0));
        }
        let w = cx.p3.waitables.insert(Waitable {
            instance: from,
            handle: 0,
            kind: WaitableKind::Subtask,
            channel: u32::MAX,
            set: None,
            event: None,
            busy: false,
            done: None,
            subtask: SubtaskState(if wait {
                subtask_state::STARTING
            } else {
                subtask_state::STARTED
            }),
            delivered: false,
            callee: u32::MAX,
        });
        let mut t = Task::new(to, result_type);
        t.halves = halves;
        t.callback = callback;
        // A task may block if lifted `async` or if its function type is
        // async (Wasmtime 49 lets a sync lift of an async type block too).
        t.may_block = callback.is_some() || lift.is_async_type();
        t.lift = lift as *const CanonOpts as usize;
        t.caller = Some(Caller {
            instance: from,
            subtask: w,
            memory: lower.memory_def as usize,
            sync,
        });
        if wait {
            t.state = TaskState::Starting(func, std::mem::take(&mut args));
        }
        let task = cx.p3.tasks.insert(t);
        if let Some(x) = cx.p3.waitables.get_mut(w) {
            x.callee = task;
        }
        if wait {
            cx.p3.starting.push_back(task);
        }
        Ok((task, w, wait))
    })?;
    if !wait {
        start(rt, task, func, args, false)?;
    }
    if sync {
        // The caller waits for the result itself.
        let done = |cx: &mut P3Cx<'_>| {
            cx.p3
                .waitables
                .get(w)
                .is_none_or(|x| x.subtask.0 >= subtask_state::RETURNED)
        };
        if !rt.with_p3(|cx| Ok(done(cx)))? {
            if !rt.with_p3(|cx| Ok(cx.may_block(lower.component_instance)))? {
                return Err(super::cannot_block());
            }
            run_until(rt, done)?;
        }
        let v = rt.with_p3(|cx| {
            let v = cx
                .p3
                .tasks
                .get(task)
                .and_then(|t| t.result.as_ref())
                .and_then(|r| r.first().copied())
                .unwrap_or(0);
            if let Some(t) = cx.p3.tasks.get_mut(task) {
                t.caller = None;
            }
            cx.p3.waitables.remove(w);
            reap(cx, task);
            Ok(v)
        })?;
        if let Some(s) = slots.first_mut() {
            *s = v;
        }
        return Ok(());
    }
    // An async lowering: RETURNED without a handle, else the subtask
    // joins the caller's table.
    let st = rt.with_p3(|cx| {
        let st = cx.p3.waitables.get(w).map_or(0, |x| x.subtask.0);
        if st >= subtask_state::RETURNED {
            if let Some(t) = cx.p3.tasks.get_mut(task) {
                t.caller = None;
            }
            cx.p3.waitables.remove(w);
            reap(cx, task);
            return Ok(st);
        }
        let h = cx.instance(from)?.add_async(ASYNC_WAITABLE, w)?;
        if let Some(x) = cx.p3.waitables.get_mut(w) {
            x.handle = h;
            x.event = None;
        }
        Ok(st | (h << 4))
    })?;
    if let Some(s) = slots.first_mut() {
        *s = u64::from(st);
    }
    Ok(())
}

/// Removes task `task`, called by a guest (the host's own tasks have no
/// `lift`: their caller takes the result), if it exited and nothing refers
/// to it any more.
fn reap(cx: &mut P3Cx<'_>, task: u32) {
    let gone =
        cx.p3.tasks.get(task).is_some_and(|t| {
            matches!(t.state, TaskState::Exited) && t.caller.is_none() && t.lift != 0
        });
    if gone {
        cx.p3.tasks.remove(task);
    }
}

/// Enters task `task`: calls its core function with `args`; `queued` if it
/// waited to start (its caller then gets a `STARTED` event).
fn start(
    rt: &ComponentRuntime,
    task: u32,
    func: GuestFunc,
    mut args: Vec<ValRaw>,
    queued: bool,
) -> Result<(), Trap> {
    let (callback, lift, has_result, halves, async_caller) = rt.with_p3(|cx| {
        let t = cx
            .p3
            .tasks
            .get_mut(task)
            .ok_or_else(|| trap::trap("unknown task"))?;
        t.state = TaskState::Running;
        let (callback, lift, caller, halves) = (t.callback, t.lift, t.caller, t.halves);
        let has_result = t.result_type != u32::MAX;
        let to = t.instance;
        if queued && let Some(c) = caller {
            if let Some(x) = cx.p3.waitables.get_mut(c.subtask) {
                x.subtask = SubtaskState(subtask_state::STARTED);
            }
            if !c.sync {
                cx.post(c.subtask, event_code::SUBTASK, subtask_state::STARTED);
            }
        }
        cx.p3.current.push(task);
        if let (Some(c), Some(_)) = (caller, halves) {
            // The values move between the two scopes of this call, made
            // current for the move only (other tasks run before it ends).
            let a = cx.instance(c.instance)?.open_scope();
            cx.instance(c.instance)?.push_scope(a);
            let b = cx.instance(to)?.open_scope();
            cx.instance(to)?.push_scope(b);
            if let Some(t) = cx.p3.tasks.get_mut(task) {
                t.scopes = Some((a, b));
            }
        }
        Ok((
            callback,
            lift,
            has_result,
            halves,
            caller.is_some_and(|c| !c.sync),
        ))
    })?;
    if let Some(h) = halves {
        // The values move now, when the task starts: the caller's flat
        // values become the callee's core parameters.
        args.resize(args.len().max(h.lift_params), ValRaw::default());
        // Wasmtime moves them on the callee's fiber: a trap's backtrace
        // shows the move's frame only.
        let boundary = kiln_vm::traps::backtrace::enter_task();
        // SAFETY: the generated half takes the lowering's flat parameters
        // (the task kept them as passed) and returns the callee's core
        // parameters, `args` sized for both; nothing is borrowed.
        let moved = unsafe { h.params.call(&mut args) };
        drop(boundary);
        rt.with_p3(|cx| {
            let Some(t) = cx.p3.tasks.get(task) else {
                return Ok(());
            };
            if let (Some(c), Some(_)) = (t.caller, t.scopes) {
                let to = t.instance;
                cx.instance(c.instance)?.pop_scope();
                cx.instance(to)?.pop_scope();
            }
            Ok(())
        })?;
        if let Err(t) = moved {
            rt.with_p3(|cx| {
                cx.p3.current.pop();
                Ok(())
            })?;
            return Err(t);
        }
        args.truncate(h.lift_params.max(1));
    }
    // A task reached through an async lowering or lifting is its own
    // thread in Wasmtime (a fiber): a trap's backtrace shows its frames
    // only. A sync-to-sync call (an async function type lifted and lowered
    // without `async`) stays on the caller's stack.
    let _task = (callback.is_some() || async_caller).then(kiln_vm::traps::backtrace::enter_task);
    // SAFETY: the callee's core function has the lifting's core signature
    // (validated), with `args` sized for its parameters and one result;
    // nothing is borrowed.
    let called = unsafe { func.call(&mut args) };
    rt.with_p3(|cx| {
        cx.p3.current.pop();
        Ok(())
    })?;
    called?;
    if callback.is_some() {
        let code = low(&args[0]) as u32;
        return after_code(rt, task, code);
    }
    // A sync lift: its one flat result (checked at compile time) is the
    // task's value; then its post-return.
    rt.with_p3(|cx| {
        if let Some(t) = cx.p3.tasks.get_mut(task) {
            t.result = Some(if has_result {
                vec![low(&args[0])]
            } else {
                Vec::new()
            });
        }
        Ok(())
    })?;
    returned(rt, task)?;
    if lift != 0 {
        // SAFETY: the lift's filled record (`call` stored its address).
        let opts = unsafe { &*(lift as *const CanonOpts) };
        // SAFETY: `args` holds the lifted function's results.
        unsafe { call_post_return(opts, &mut args) }?;
    }
    rt.with_p3(|cx| {
        if let Some(t) = cx.p3.tasks.get_mut(task) {
            t.state = TaskState::Exited;
        }
        reap(cx, task);
        Ok(())
    })
}

/// Records the callback code `code` task `task` returned.
pub fn after_code(rt: &ComponentRuntime, task: u32, code: u32) -> Result<(), Trap> {
    rt.with_p3(|cx| {
        let t = cx
            .p3
            .tasks
            .get(task)
            .ok_or_else(|| trap::trap("unknown task"))?;
        let inst = t.instance;
        let state = match code & 0xf {
            callback_code::EXIT => {
                if t.result.is_none() {
                    // A wasm trap in Wasmtime 49 (exit 134).
                    return Err(traps::code(TrapCode::NoAsyncResult));
                }
                TaskState::Exited
            }
            callback_code::YIELD => TaskState::Yielding,
            callback_code::WAIT => TaskState::Waiting(cx.set_at(inst, code >> 4, true)?),
            _ => return Err(traps::code(TrapCode::UnsupportedCallbackCode)),
        };
        if let Some(t) = cx.p3.tasks.get_mut(task) {
            t.state = state;
        }
        reap(cx, task);
        Ok(())
    })
}

/// Task `task` called `task.return` (or its sync lift returned): its value
/// reaches its guest caller, whose subtask is `RETURNED`.
pub fn returned(rt: &ComponentRuntime, task: u32) -> Result<(), Trap> {
    rt.with_p3(|cx| end_scopes(cx, task))?;
    let half = rt.with_p3(|cx| {
        Ok(cx.p3.tasks.get(task).and_then(|t| {
            let h = t.halves?;
            t.caller?;
            Some((h, t.result.clone().unwrap_or_default()))
        }))
    })?;
    if let Some((h, values)) = half {
        let mut v: Vec<ValRaw> = values.iter().map(|x| raw(*x)).collect();
        v.extend(h.retptr.map(|p| raw(u64::from(p))));
        if v.is_empty() {
            v.push(ValRaw::default());
        }
        if let Some(f) = h.results {
            // SAFETY: the generated half takes the callee's results as it
            // gave them and the return pointer, and returns the sync
            // lowering's flat result if any; `v` is sized for both,
            // nothing is borrowed.
            unsafe { f.call(&mut v) }?;
        }
        let lowered = low(&v[0]);
        return rt.with_p3(|cx| {
            let Some(t) = cx.p3.tasks.get_mut(task) else {
                return Ok(());
            };
            // What the sync lowering returns flat (its caller reads it).
            t.result = Some(vec![lowered]);
            if let Some(c) = t.caller {
                resolve(cx, c, subtask_state::RETURNED);
            }
            Ok(())
        });
    }
    rt.with_p3(|cx| {
        let Some(t) = cx.p3.tasks.get(task) else {
            return Ok(());
        };
        let Some(c) = t.caller else {
            return Ok(());
        };
        // No halves: a sync lowering reads the flat result itself (an
        // async lowering's result always moves through the results' half,
        // `adapter::async_values`).
        resolve(cx, c, subtask_state::RETURNED);
        Ok(())
    })
}

/// Ends the call scopes of task `task` when it resolves: the borrows it was
/// handed must all be dropped (else the spec's trap), and the handles its
/// caller lent it are the caller's again. (CanonicalABI.md returns the
/// lends when the resolution reaches the caller; Kiln returns them when the
/// callee resolves, which only lets a caller drop a handle a little
/// earlier.)
fn end_scopes(cx: &mut P3Cx<'_>, task: u32) -> Result<(), Trap> {
    let Some(t) = cx.p3.tasks.get_mut(task) else {
        return Ok(());
    };
    let Some((a, b)) = t.scopes.take() else {
        return Ok(());
    };
    let (callee, caller) = (t.instance, t.caller.map(|c| c.instance));
    if let Some(ci) = caller {
        cx.instance(ci)?.close_scope(a)?;
    }
    cx.instance(callee)?.close_scope(b)
}

/// The caller's subtask of `c` reaches terminal state `st`.
fn resolve(cx: &mut P3Cx<'_>, c: Caller, st: u32) {
    if let Some(x) = cx.p3.waitables.get_mut(c.subtask) {
        x.subtask = SubtaskState(st);
    }
    if !c.sync {
        cx.post(c.subtask, event_code::SUBTASK, st);
    }
}

/// `task.cancel`: the current task, whose cancellation was delivered,
/// resolves its caller's subtask as `CANCELLED_BEFORE_RETURNED`.
pub fn task_cancel(rt: &ComponentRuntime, instance: u32) -> Result<(), Trap> {
    rt.with_p3(|cx| {
        // A sync-lifted function called from another instance's task has
        // no task here, and a sync task is never cancelled.
        let (id, t) = cx
            .current_task_of(instance)
            .map_err(|_| traps::code(TrapCode::TaskCancelNotCancelled))?;
        if t.cancel != Cancel::Delivered || t.result.is_some() {
            return Err(traps::code(TrapCode::TaskCancelNotCancelled));
        }
        t.cancel = Cancel::Done;
        t.result = Some(Vec::new());
        let caller = t.caller;
        end_scopes(cx, id)?;
        if let Some(c) = caller {
            resolve(cx, c, subtask_state::CANCELLED_BEFORE_RETURNED);
        }
        Ok(())
    })
}

/// `subtask.cancel` of guest subtask `w` (callee task `task`): its status,
/// or `BLOCKED` for an async cancel the callee has not answered yet.
pub fn cancel_subtask(rt: &ComponentRuntime, w: u32, task: u32, sync: bool) -> Result<u32, Trap> {
    let st = rt.with_p3(|cx| Ok(cx.p3.waitables.get(w).map_or(0, |x| x.subtask.0)))?;
    if st == subtask_state::STARTING {
        return rt.with_p3(|cx| {
            cx.p3.starting.retain(|t| *t != task);
            cx.p3.tasks.remove(task);
            let st = subtask_state::CANCELLED_BEFORE_STARTED;
            if let Some(x) = cx.p3.waitables.get_mut(w) {
                x.subtask = SubtaskState(st);
                x.callee = u32::MAX;
                x.event = None;
            }
            cx.deliver(w, st);
            Ok(st)
        });
    }
    if st < subtask_state::RETURNED {
        // Ask; a callee waiting now hears it at once.
        let now = rt.with_p3(|cx| {
            let locked = locked(cx);
            let Some(t) = cx.p3.tasks.get_mut(task) else {
                return Ok(false);
            };
            t.cancel = Cancel::Requested;
            let idle = matches!(t.state, TaskState::Waiting(_) | TaskState::Yielding);
            if idle && !locked.contains(&t.instance) {
                t.cancel = Cancel::Delivered;
                return Ok(true);
            }
            Ok(false)
        })?;
        if now {
            call_back(rt, task, event_code::TASK_CANCELLED, 0, 0)?;
        }
    }
    let resolved = |cx: &mut P3Cx<'_>| {
        cx.p3
            .waitables
            .get(w)
            .is_none_or(|x| x.subtask.0 >= subtask_state::RETURNED)
    };
    if !rt.with_p3(|cx| Ok(resolved(cx)))? {
        if !sync {
            return Ok(COPY_BLOCKED);
        }
        run_until(rt, resolved)?;
    }
    rt.with_p3(|cx| {
        let st = cx.p3.waitables.get(w).map_or(0, |x| x.subtask.0);
        if let Some(x) = cx.p3.waitables.get_mut(w) {
            x.event = None;
        }
        cx.deliver(w, st);
        Ok(st)
    })
}

/// The caller dropped subtask `w`: its callee no longer reports to it.
pub fn forget_caller(cx: &mut P3Cx<'_>, task: u32) {
    if let Some(t) = cx.p3.tasks.get_mut(task) {
        t.caller = None;
    }
    reap(cx, task);
}

/// Calls task `task`'s callback with event `(code, p1, p2)`.
fn call_back(rt: &ComponentRuntime, task: u32, code: u32, p1: u32, p2: u32) -> Result<(), Trap> {
    // A read the event completes has its strings before the task looks.
    rt.lower_pending()?;
    let callback = rt.with_p3(|cx| {
        let t = cx
            .p3
            .tasks
            .get_mut(task)
            .ok_or_else(|| trap::trap("unknown task"))?;
        t.state = TaskState::Running;
        let cb = t
            .callback
            .ok_or_else(|| trap::trap("a task without callback"))?;
        cx.p3.current.push(task);
        Ok(cb)
    })?;
    let mut v = [raw(u64::from(code)), raw(u64::from(p1)), raw(u64::from(p2))];
    // A callback runs as its task, on a stack of its own in Wasmtime.
    let _task = kiln_vm::traps::backtrace::enter_task();
    // SAFETY: a callback is `[i32 i32 i32] -> [i32]` (validated), its
    // instance lives for the process; nothing is borrowed.
    let called = unsafe { callback.call(&mut v) };
    rt.with_p3(|cx| {
        cx.p3.current.pop();
        Ok(())
    })?;
    called?;
    after_code(rt, task, low(&v[0]) as u32)
}

/// The next thing the scheduler can do: an event for a waiting task, a
/// task to start, else a yielded task to resume; none of the tasks in
/// `skip`.
fn pick(cx: &mut P3Cx<'_>, skip: &[u32]) -> Option<(u32, Step)> {
    let locked = locked(cx);
    let ids: Vec<u32> = cx
        .p3
        .tasks
        .iter()
        .map(|(i, _)| i)
        .filter(|i| !skip.contains(i))
        .collect();
    let mut yielder = None;
    for id in ids {
        let t = cx.p3.tasks.get_mut(id)?;
        if locked.contains(&t.instance) {
            continue;
        }
        let set = match t.state {
            TaskState::Waiting(set) => Some(set),
            TaskState::Yielding => None,
            _ => continue,
        };
        if t.cancel == Cancel::Requested {
            t.cancel = Cancel::Delivered;
            return Some((id, Step::Event(event_code::TASK_CANCELLED, 0, 0)));
        }
        match set {
            Some(set) => {
                if let Some((code, h, p)) = cx.take_event(set) {
                    return Some((id, Step::Event(code, h, p)));
                }
            }
            None => {
                yielder.get_or_insert(id);
            }
        }
    }
    // Waiting calls start in call order, each once its instance is free.
    let mut seen = Vec::new();
    for i in 0..cx.p3.starting.len() {
        let id = cx.p3.starting[i];
        let Some(inst) = cx.p3.tasks.get(id).map(|t| t.instance) else {
            continue;
        };
        if seen.contains(&inst) {
            continue;
        }
        seen.push(inst);
        if locked.contains(&inst) || backpressure(cx, inst) > 0 {
            continue;
        }
        cx.p3.starting.remove(i);
        let t = cx.p3.tasks.get_mut(id)?;
        if let TaskState::Starting(f, args) = std::mem::replace(&mut t.state, TaskState::Running) {
            return Some((id, Step::Start(f, args)));
        }
        return None;
    }
    yielder.map(|id| (id, Step::Yield))
}

/// `thread.yield` from guest code: other instances' tasks that are ready
/// now each get one step (Wasmtime 49 suspends the yielding task and runs
/// them), then the yielding code goes on. A task of an instance with
/// guest code on the stack, the yielder's included, is not resumed.
pub fn yield_turn(rt: &ComponentRuntime) -> Result<(), Trap> {
    turn(rt, false)?;
    // Guest code outside any task (nothing marks its instance busy) must
    // not see its own instance's tasks resumed under it: no turns then.
    if rt.with_p3(|cx| Ok(cx.p3.current.is_empty()))? {
        return Ok(());
    }
    let mut ran = Vec::new();
    while let Some((task, step)) = rt.with_p3(|cx| Ok(pick(cx, &ran)))? {
        ran.push(task);
        match step {
            Step::Start(f, args) => start(rt, task, f, args, true)?,
            Step::Event(code, p1, p2) => call_back(rt, task, code, p1, p2)?,
            Step::Yield => call_back(rt, task, event_code::NONE, 0, 0)?,
        }
    }
    Ok(())
}

/// One scheduling step, if a task can go on now: whether one did.
pub(super) fn step(rt: &ComponentRuntime) -> Result<bool, Trap> {
    match rt.with_p3(|cx| Ok(pick(cx, &[])))? {
        Some((task, Step::Start(f, args))) => start(rt, task, f, args, true)?,
        Some((task, Step::Event(code, p1, p2))) => call_back(rt, task, code, p1, p2)?,
        Some((task, Step::Yield)) => {
            turn(rt, false)?;
            call_back(rt, task, event_code::NONE, 0, 0)?;
        }
        None => return Ok(false),
    }
    Ok(true)
}

/// Runs tasks and the event loop until `done` holds; a deadlock when
/// nothing can happen any more.
pub fn run_until(
    rt: &ComponentRuntime,
    mut done: impl FnMut(&mut P3Cx<'_>) -> bool,
) -> Result<(), Trap> {
    loop {
        if rt.with_p3(|cx| Ok(done(cx)))? {
            return Ok(());
        }
        if !step(rt)? && !turn(rt, true)? {
            return Err(deadlock());
        }
    }
}
