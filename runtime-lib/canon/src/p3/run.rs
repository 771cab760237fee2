//! Driving async work: calling an async-lifted export (stackless, with
//! `callback`) and the event loop that completes host operations.
//!
//! Phase: run time, from the host's call of an async export until its
//! task returns. Inputs: the export's options and core function, the
//! host's readiness ([`Host::p3_wait`](super::super::runtime::Host)).
//! Outputs: the values the task returned (`task.return`, flat), events
//! delivered to the callback.
//!
//! The loop (one task runs guest code at a time, on the guest thread;
//! the scheduler is [`super::task::run_until`]):
//! 1. call the core function; it returns a callback code: `EXIT`,
//!    `YIELD` or `WAIT | set << 4`;
//! 2. `YIELD`: poll host operations without blocking, then call
//!    `callback(NONE, 0, 0)`;
//! 3. `WAIT`: deliver the first event of the set; with none, run other
//!    tasks that can go on and wait for host operations (timers,
//!    descriptors) on the host's one reactor, and retry; with nothing
//!    left, nothing can ever happen: a deadlock, reported as Wasmtime
//!    does;
//! 4. `EXIT`: the task must have called `task.return`. The export's call
//!    ends as soon as the task has returned (Wasmtime 49's host calls
//!    resolve at `task.return`; what the guest still does after it, in
//!    later callbacks, never runs).
//!
//! Sync operations that block (`waitable-set.wait`, a sync `stream.read`
//! with nothing to read, a sync call of an async host function) run the
//! same loop nested, on the native stack, until their own event arrives;
//! a task of a non-async export may not do that (it traps).
//!
//! The state is borrowed in short steps ([`ComponentRuntime::with_p3`]),
//! never while the callback runs (the re-entrancy rule of
//! `super::super::runtime`).

use super::task::{after_code, run_until};
use super::{HostAction, HostOp, HostWait, P3Cx, Task, TaskState};
use crate::instances::GuestFunc;
use crate::runtime::ComponentRuntime;
use crate::trap::{self, Trap};
use kiln_abi::ValRaw;
use kiln_abi::component::CanonOpts;
use kiln_abi::component::canon::{event_code, subtask_state};
use kiln_abi::trap::TrapCode;

/// The error when nothing can make progress any more. Wasmtime 49 waits
/// forever there (a known difference: Kiln reports it and exits 1).
pub fn deadlock() -> Trap {
    trap::trap("deadlock detected: event loop cannot make further progress")
}

/// Calls the async-lifted export with options `opts` and core function
/// `func` (flat arguments in `args`, sized for at least one result) and
/// drives its task to the end; returns what `lift` made of the flat values
/// of its `task.return`, during that call (the only time what they point
/// to is valid).
///
/// # Safety
/// `opts` is the export's filled record; `args` fits `func`'s signature.
pub unsafe fn call_async_export<T: 'static>(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    func: GuestFunc,
    args: &mut [ValRaw],
    lift: impl FnOnce(&ComponentRuntime, &[u64]) -> Result<T, Trap> + 'static,
) -> Result<T, Trap> {
    // SAFETY: the caller's contract.
    unsafe { call_async_export_with(rt, opts, func, args, false, lift) }
}

/// Calls the export lifted without `async` whose function type is async
/// (options `opts`, core function `func`, flat arguments and results in
/// `args`) as a task that may block, as Wasmtime 49 runs it: its blocking
/// built-ins and synchronous calls of async callees wait on the event loop
/// instead of trapping.
///
/// # Safety
/// `opts` is the export's filled record; `args` fits `func`'s signature.
pub unsafe fn call_sync_export(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    func: GuestFunc,
    args: &mut [ValRaw],
) -> Result<(), Trap> {
    let mut t = Task::new(opts.component_instance, u32::MAX);
    t.may_block = opts.is_async_type();
    // SAFETY: the caller's contract.
    let (task, called) = unsafe { enter(rt, t, func, args) }?;
    rt.with_p3(|cx| {
        cx.p3.tasks.remove(task);
        Ok(())
    })?;
    called
}

/// Calls `func` (arguments in `args`) as new task `t`, current while it
/// runs; returns the task and the call's outcome.
///
/// # Safety
/// `args` fits `func`'s signature.
unsafe fn enter(
    rt: &ComponentRuntime,
    t: Task,
    func: GuestFunc,
    args: &mut [ValRaw],
) -> Result<(u32, Result<(), Trap>), Trap> {
    let task = rt.with_p3(|cx| {
        let task = cx.p3.tasks.insert(t);
        cx.p3.current.push(task);
        Ok(task)
    })?;
    // SAFETY: the caller's contract.
    let called = unsafe { func.call(args) };
    rt.with_p3(|cx| {
        cx.p3.current.pop();
        Ok(())
    })?;
    Ok((task, called))
}

/// [`call_async_export`], but with `keep` the task stays to go on after
/// its `task.return` ([`run_until_exited`] runs it to its end).
///
/// # Safety
/// As [`call_async_export`].
pub unsafe fn call_async_export_with<T: 'static>(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    func: GuestFunc,
    args: &mut [ValRaw],
    keep: bool,
    lift: impl FnOnce(&ComponentRuntime, &[u64]) -> Result<T, Trap> + 'static,
) -> Result<T, Trap> {
    // SAFETY: the caller's contract.
    let task = unsafe { start_async_export(rt, opts, func, args, lift) }?;
    // The host's call resolves at `task.return`, as in Wasmtime 49: work
    // the task (or another) still has after returning runs only as far as
    // the callback invocation that returned; the loop does not call back
    // again, and the program exits with the value.
    run_until(rt, |cx| has_returned(cx, task))?;
    if !keep {
        let r = take_result(rt, task);
        rt.with_p3(|cx| {
            cx.p3.tasks.remove(task);
            Ok(())
        })?;
        return r;
    }
    take_result(rt, task)
}

/// Starts a task of the async-lifted export with options `opts` and core
/// function `func` (flat arguments in `args`, sized for at least one
/// result) without waiting for it: the host drives it with the rest of
/// the loop ([`step`], [`turn`]) and takes its value with [`take_result`]
/// once [`task_returned`]. `lift` makes the host's value of the flat
/// values of its `task.return`, during that call (the only time what they
/// point to is valid). The task stays after returning until it exits
/// (then [`forget_exited`] removes it).
///
/// A call the instance's backpressure holds back waits to start, as a
/// guest's call does, and starts from the scheduler.
///
/// # Safety
/// `opts` is the export's filled record; `args` fits `func`'s signature.
pub unsafe fn start_async_export<T: 'static>(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    func: GuestFunc,
    args: &mut [ValRaw],
    lift: impl FnOnce(&ComponentRuntime, &[u64]) -> Result<T, Trap> + 'static,
) -> Result<u32, Trap> {
    if opts.callback_func == 0 {
        return Err(trap::trap(
            "async exports without a `callback` (stackful) are not supported",
        ));
    }
    let result_type = rt
        .component
        .func_type(opts.func_type)
        .and_then(|(_, results)| results.first().copied())
        .unwrap_or(u32::MAX);
    let mut t = Task::new(opts.component_instance, result_type);
    // SAFETY: filled from a leaked `GuestFunc` (`fill_opts`).
    t.callback = Some(unsafe { *(opts.callback_func as usize as *const GuestFunc) });
    t.host_lift = Some(Box::new(move |rt: &ComponentRuntime, flat: &[u64]| {
        lift(rt, flat).map(|v| Box::new(v) as Box<dyn std::any::Any>)
    }));
    let inst = opts.component_instance;
    let held = rt.with_p3(|cx| Ok(super::task::held_back(cx, inst)))?;
    if held {
        return rt.with_p3(|cx| {
            t.state = TaskState::Starting(func, args.to_vec());
            let task = cx.p3.tasks.insert(t);
            cx.p3.starting.push_back(task);
            Ok(task)
        });
    }
    // SAFETY: the caller's contract.
    let (task, called) = unsafe { enter(rt, t, func, args) }?;
    called?;
    let code = u32::from_le_bytes([args[0].0[0], args[0].0[1], args[0].0[2], args[0].0[3]]);
    after_code(rt, task, code)?;
    Ok(task)
}

/// Whether task `task` returned its value (or is over).
fn has_returned(cx: &mut P3Cx<'_>, task: u32) -> bool {
    cx.p3
        .tasks
        .get(task)
        .is_none_or(|t| t.result.is_some() || matches!(t.state, TaskState::Exited))
}

/// Whether host-started task `task` ([`start_async_export`]) returned its
/// value (or is over).
pub fn task_returned(rt: &ComponentRuntime, task: u32) -> Result<bool, Trap> {
    rt.with_p3(|cx| Ok(has_returned(cx, task)))
}

/// Whether task `task` exited (or is gone).
pub fn task_exited(rt: &ComponentRuntime, task: u32) -> Result<bool, Trap> {
    rt.with_p3(|cx| {
        Ok(cx
            .p3
            .tasks
            .get(task)
            .is_none_or(|t| matches!(t.state, TaskState::Exited)))
    })
}

/// The value host-started task `task` returned, lifted (once; the task
/// stays until it exits). A task that exited without `task.return` is a
/// wasm trap, as in Wasmtime 49.
pub fn take_result<T: 'static>(rt: &ComponentRuntime, task: u32) -> Result<T, Trap> {
    let done = rt.with_p3(|cx| Ok(cx.p3.tasks.get_mut(task).and_then(|t| t.lifted.take())))?;
    match done {
        Some(r) => r
            .downcast::<T>()
            .map(|v| *v)
            .map_err(|_| trap::trap("internal error: a task's lifted result of another type")),
        // A wasm trap in Wasmtime 49 (exit 134).
        None => Err(super::traps::code(TrapCode::NoAsyncResult)),
    }
}

/// One step of the scheduler without waiting: an event delivered, a task
/// started or a yielded task resumed. Whether there was one.
pub fn step(rt: &ComponentRuntime) -> Result<bool, Trap> {
    super::task::step(rt)
}

/// What the pending host operations wait for, for a host that waits on
/// them together with its own descriptors (then [`turn`] without
/// blocking completes those that are ready).
pub fn pending_waits(rt: &ComponentRuntime) -> Result<Vec<HostWait>, Trap> {
    rt.with_p3(|cx| Ok(cx.p3.ops.iter().map(|o| o.wait).collect()))
}

/// Removes the host-started tasks that exited ([`forget_exited_host_tasks`]).
pub fn forget_exited(rt: &ComponentRuntime) -> Result<(), Trap> {
    rt.with_p3(|cx| {
        forget_exited_host_tasks(cx.p3);
        Ok(())
    })
}

/// Runs every task until all have exited (a server's request: the
/// handler's task, and what it left running after `task.return`, such as
/// a body writer).
pub fn run_until_exited(rt: &ComponentRuntime) -> Result<(), Trap> {
    run_until(rt, |cx| {
        cx.p3
            .tasks
            .iter()
            .all(|(_, t)| matches!(t.state, TaskState::Exited))
    })?;
    // Host tasks (a body forwarded from one connection to another) go on
    // until they are over.
    while rt.with_p3(|cx| {
        Ok(cx
            .p3
            .ops
            .iter()
            .any(|o| matches!(o.action, HostAction::Task(_))))
    })? {
        turn(rt, true)?;
    }
    rt.with_p3(|cx| {
        forget_exited_host_tasks(cx.p3);
        Ok(())
    })
}

/// Removes the exited tasks the host called (kept past their
/// `task.return` by [`call_async_export_with`]): they are over and
/// nothing names them any more. An instance that serves request after
/// request would otherwise gather one per request, and every scheduling
/// step (`task::pick`) walks them all. Tasks a guest called are reaped
/// when their caller lets go of them (`task::reap`).
fn forget_exited_host_tasks(p3: &mut super::P3State) {
    let done: Vec<u32> = p3
        .tasks
        .iter()
        .filter(|(_, t)| matches!(t.state, TaskState::Exited) && t.caller.is_none() && t.lift == 0)
        .map(|(i, _)| i)
        .collect();
    for task in done {
        p3.tasks.remove(task);
    }
}

/// The first event of waitable set `set`, waiting for one (other tasks
/// run meanwhile): (code, handle, payload).
pub fn wait_set(rt: &ComponentRuntime, set: u32) -> Result<(u32, u32, u32), Trap> {
    rt.with_p3(|cx| {
        if let Some(s) = cx.p3.sets.get_mut(set) {
            s.waiters += 1;
        }
        Ok(())
    })?;
    let mut event = None;
    let result = run_until(rt, |cx| {
        event = cx.take_event(set);
        event.is_some()
    });
    rt.with_p3(|cx| {
        if let Some(s) = cx.p3.sets.get_mut(set) {
            s.waiters = s.waiters.saturating_sub(1);
        }
        Ok(())
    })?;
    result?;
    event.ok_or_else(deadlock)
}

/// Waits until waitable `w` has an event and takes it (a sync operation
/// that blocked): its payload.
pub fn wait_waitable(rt: &ComponentRuntime, w: u32) -> Result<u32, Trap> {
    let mut event = None;
    run_until(rt, |cx| {
        event = cx.take_own_event(w);
        event.is_some()
    })?;
    event.map(|(_, payload)| payload).ok_or_else(deadlock)
}

/// The turn a guest's `waitable-set.poll` takes: as [`turn`] without
/// blocking, with [`P3State::polling`](super::P3State::polling) set while
/// it runs (guest code is running).
pub fn poll_turn(rt: &ComponentRuntime) -> Result<(), Trap> {
    let set = |on: bool| {
        rt.with_p3(|cx| {
            cx.p3.polling = on;
            Ok(())
        })
    };
    set(true)?;
    let turned = turn(rt, false);
    set(false)?;
    turned.map(drop)
}

/// One turn of the event loop: waits (or, without `block`, probes) for
/// the pending host operations and completes those that are ready.
/// Returns whether there was anything to wait for.
pub fn turn(rt: &ComponentRuntime, block: bool) -> Result<bool, Trap> {
    let waits: Vec<_> = rt.with_p3(|cx| Ok(cx.p3.ops.iter().map(|o| o.wait).collect()))?;
    if waits.is_empty() {
        return Ok(false);
    }
    let ready = {
        // `-W timeout`: a guest whose tasks all wait for the host here is
        // ended by the deadline, as one blocked in a WASI call is (no
        // callback runs again just to trap at its entry check).
        let _host = block.then(kiln_vm::limits::enter_host_call);
        rt.with_p3(|cx| cx.host.p3_wait(&waits, block))?
    };
    let retries = rt.with_p3(|cx| {
        let ops: Vec<_> = cx.p3.ops.drain(..).collect();
        let mut fire = Vec::new();
        for (op, r) in ops
            .into_iter()
            .zip(ready.iter().chain(std::iter::repeat(&false)))
        {
            if *r {
                fire.push(op.action);
            } else {
                cx.p3.ops.push_back(op);
            }
        }
        let mut retries = Vec::new();
        for action in fire {
            match action {
                HostAction::Retry(w, f) => retries.push((Some(w), f)),
                HostAction::Task(f) => retries.push((None, f)),
                other => complete(cx, other)?,
            }
        }
        Ok(retries)
    })?;
    // Host retries run with the state released: they may call `realloc`.
    for (w, mut f) in retries {
        let next = f(rt)?;
        rt.with_p3(|cx| {
            match (next, w) {
                (None, Some(w)) => subtask_returned(cx, w),
                (None, None) => {}
                (Some(wait), Some(w)) => cx.start_op(HostOp {
                    wait,
                    action: HostAction::Retry(w, f),
                }),
                (Some(wait), None) => cx.start_op(HostOp {
                    wait,
                    action: HostAction::Task(f),
                }),
            }
            Ok(())
        })?;
    }
    // Reads the turn completed get their strings now.
    rt.lower_pending()?;
    Ok(true)
}

/// Host subtask `w` returned: its state and event.
fn subtask_returned(cx: &mut P3Cx<'_>, w: u32) {
    if let Some(x) = cx.p3.waitables.get_mut(w) {
        x.subtask = super::SubtaskState(subtask_state::RETURNED);
    }
    cx.post(w, event_code::SUBTASK, subtask_state::RETURNED);
}

/// Completes a host operation whose wait is over.
fn complete(cx: &mut P3Cx<'_>, action: HostAction) -> Result<(), Trap> {
    match action {
        HostAction::SubtaskReturn(w) => subtask_returned(cx, w),
        HostAction::SubtaskReturnWith(w, results) => {
            // The callee's results reach the caller's memory before the
            // caller can see RETURNED (the spec's order).
            let bytes = (results.finish)(&mut *cx.host)?;
            let mut m = super::copy::memory(results.memory);
            let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
            if !m.in_bounds(results.ptr, len) {
                return Err(crate::trap::pointer_out_of_bounds());
            }
            let start = results.ptr as usize;
            m.bytes_mut()[start..start + bytes.len()].copy_from_slice(&bytes);
            subtask_returned(cx, w);
        }
        HostAction::StreamRead(c) => {
            super::copy::source_read(cx, c, true)?;
        }
        HostAction::StreamWrite(c) => super::copy::flush_to_sink(cx, c)?,
        HostAction::Retry(..) | HostAction::Task(..) => {
            return Err(crate::trap::trap(
                "a host retry completed inside the P3 state",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::InstanceState;
    use crate::p3::{HostResults, P3State};
    use kiln_abi::vmctx::VMMemoryDefinition;

    /// A host with nothing to wait for.
    struct NoHost;

    impl crate::Host for NoHost {
        fn drop_resource(&mut self, _ty: u32, _rep: u32) -> Result<(), Trap> {
            Ok(())
        }
    }

    /// A host subtask that returns values later: the bytes `finish`
    /// computes land at the return pointer, then the subtask is RETURNED
    /// with its event; a pointer past the memory traps instead.
    #[test]
    fn subtask_results_are_stored_before_returned() {
        let mut bytes = vec![0u8; 64];
        let def = VMMemoryDefinition {
            base: bytes.as_mut_ptr(),
            current_length: bytes.len(),
        };
        let mut p3 = P3State::default();
        let mut instances = vec![InstanceState::new(0)];
        let mut host = NoHost;
        let mut cx = P3Cx {
            p3: &mut p3,
            instances: &mut instances,
            host: &mut host,
        };
        let (w, _) = cx.new_subtask(0).expect("subtask");
        let results = |ptr| HostResults {
            memory: &def as *const VMMemoryDefinition as usize,
            ptr,
            finish: Box::new(|_: &mut dyn crate::Host| Ok(vec![1, 2, 3, 4])),
        };
        complete(&mut cx, HostAction::SubtaskReturnWith(w, results(8))).expect("completes");
        assert_eq!(
            cx.take_own_event(w),
            Some((event_code::SUBTASK, subtask_state::RETURNED))
        );
        let err = complete(&mut cx, HostAction::SubtaskReturnWith(w, results(62)));
        assert!(err.is_err(), "a return pointer past the memory traps");
        assert_eq!(&bytes[8..12], &[1, 2, 3, 4]);
        assert_eq!(bytes[62..], [0, 0]);
    }

    /// A served request's handler task, exited, leaves the state when the
    /// request is over; running tasks and tasks a guest called stay.
    #[test]
    fn exited_host_tasks_are_forgotten() {
        let mut p3 = P3State::default();
        let task = |state, lift| {
            let mut t = Task::new(0, u32::MAX);
            t.state = state;
            t.lift = lift;
            t
        };
        let exited = p3.tasks.insert(task(TaskState::Exited, 0));
        let running = p3.tasks.insert(task(TaskState::Running, 0));
        let guest_called = p3.tasks.insert(task(TaskState::Exited, 64));
        forget_exited_host_tasks(&mut p3);
        assert!(p3.tasks.get(exited).is_none());
        assert!(p3.tasks.get(running).is_some());
        assert!(p3.tasks.get(guest_called).is_some());
    }

    /// The state of a test's memory and P3 context.
    fn memory_def(bytes: &mut [u8]) -> VMMemoryDefinition {
        VMMemoryDefinition {
            base: bytes.as_mut_ptr(),
            current_length: bytes.len(),
        }
    }

    /// A host sink that cannot take bytes on its first try (a socket
    /// whose buffer is full) and takes them all on the next.
    struct BlockOnce(std::rc::Rc<std::cell::RefCell<Vec<u8>>>, bool);

    impl crate::p3::HostSink for BlockOnce {
        fn write(
            &mut self,
            _host: &mut dyn crate::Host,
            data: &[u8],
        ) -> Result<crate::p3::SinkWrite, Trap> {
            if !self.1 {
                self.1 = true;
                return Ok(crate::p3::SinkWrite::Blocked(crate::p3::HostWait::Fd {
                    fd: 0,
                    write: true,
                }));
            }
            self.0.borrow_mut().extend_from_slice(data);
            Ok(crate::p3::SinkWrite::Wrote(data.len()))
        }

        fn finish(&mut self, _host: &mut dyn crate::Host) -> Option<(u32, crate::p3::FutureValue)> {
            None
        }
    }

    /// A guest write of `len` elements of `(size, align)` from offset 0 of
    /// `memory` into a new stream whose readable end is `sink`: (channel,
    /// writable waitable, the write's status).
    fn write_to_sink(
        cx: &mut P3Cx<'_>,
        elem: (u32, u32),
        sink: Box<dyn crate::p3::HostSink>,
        memory: &VMMemoryDefinition,
        len: u32,
    ) -> (u32, u32, Result<u32, Trap>) {
        let c = cx.new_channel(false, 7, elem);
        let (w, h) = cx
            .new_waitable(0, crate::p3::WaitableKind::Writable, c)
            .expect("waitable");
        let ch = cx.p3.channels.get_mut(c).expect("channel");
        ch.writable = crate::p3::End::Guest(w);
        ch.readable = crate::p3::End::Sink(sink);
        let args = crate::p3::copy::CopyArgs {
            instance: 0,
            ty: 7,
            future: false,
            sync: false,
            handle: h,
            memory: memory as *const VMMemoryDefinition as usize,
            ptr: 0,
            len,
            opts: 0,
        };
        (c, w, crate::p3::copy::write(cx, &args))
    }

    /// A guest write into a host sink that blocks stays pending (BLOCKED)
    /// with a `StreamWrite` operation on the reactor; when that is ready
    /// the write is retried and its event reports every byte.
    #[test]
    fn blocked_sink_writes_resume_from_the_loop() {
        use kiln_abi::component::builtins::COPY_BLOCKED;
        let mut bytes = *b"abcd";
        let def = memory_def(&mut bytes);
        let mut p3 = P3State::default();
        let mut instances = vec![InstanceState::new(0)];
        let mut host = NoHost;
        let mut cx = P3Cx {
            p3: &mut p3,
            instances: &mut instances,
            host: &mut host,
        };
        let got = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let sink = Box::new(BlockOnce(got.clone(), false));
        let (c, w, st) = write_to_sink(&mut cx, (1, 1), sink, &def, 4);
        assert_eq!(st.expect("writes"), COPY_BLOCKED);
        assert!(got.borrow().is_empty());
        let op = cx.p3.ops.pop_front().expect("a host operation");
        assert!(matches!(op.action, HostAction::StreamWrite(k) if k == c));
        complete(&mut cx, op.action).expect("completes");
        assert_eq!(&got.borrow()[..], b"abcd");
        let (code, payload) = cx.take_own_event(w).expect("an event");
        assert_eq!(code, event_code::STREAM_WRITE);
        assert_eq!(payload >> 4, 4, "four bytes written");
    }

    /// A host source of `own` handles: each element becomes a handle in
    /// the reading instance's table, stored as the element.
    #[test]
    fn host_sources_hand_out_owned_handles() {
        use crate::handles::ResourceType;
        use crate::p3::copy::CopyArgs;
        struct One;
        impl crate::p3::HostSource for One {
            fn read(
                &mut self,
                _host: &mut dyn crate::Host,
                _buf: &mut [u8],
            ) -> Result<crate::p3::SourceRead, Trap> {
                Ok(crate::p3::SourceRead::Handles(vec![(
                    ResourceType::Host(3),
                    42,
                )]))
            }
            fn closed(
                &mut self,
                _host: &mut dyn crate::Host,
            ) -> Option<(u32, crate::p3::FutureValue)> {
                None
            }
            fn ended(&mut self) -> Option<(u32, crate::p3::FutureValue)> {
                None
            }
        }
        let mut bytes = [0u8; 16];
        let def = memory_def(&mut bytes);
        let mut p3 = P3State::default();
        let mut instances = vec![InstanceState::new(0)];
        let mut host = NoHost;
        let mut cx = P3Cx {
            p3: &mut p3,
            instances: &mut instances,
            host: &mut host,
        };
        let (_, h) = cx.host_stream(0, 9, (4, 4), Box::new(One)).expect("stream");
        let args = CopyArgs {
            instance: 0,
            ty: 9,
            future: false,
            sync: false,
            handle: h,
            memory: &def as *const VMMemoryDefinition as usize,
            ptr: 8,
            len: 2,
            opts: 0,
        };
        let st = crate::p3::copy::read(&mut cx, &args).expect("reads");
        assert_eq!(st >> 4, 1, "one element");
        let handle = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        let rep = cx.instances[0]
            .lift_own(ResourceType::Host(3), handle)
            .expect("an own handle of the type");
        assert_eq!(rep, 42);
    }

    /// A host sink that takes every byte and records only how many (it
    /// never reads them: the test's 4 GiB memory stays untouched).
    struct CountingSink(std::rc::Rc<std::cell::Cell<usize>>);

    impl crate::p3::HostSink for CountingSink {
        fn write(
            &mut self,
            _host: &mut dyn crate::Host,
            data: &[u8],
        ) -> Result<crate::p3::SinkWrite, Trap> {
            self.0.set(data.len());
            Ok(crate::p3::SinkWrite::Wrote(data.len()))
        }

        fn finish(&mut self, _host: &mut dyn crate::Host) -> Option<(u32, crate::p3::FutureValue)> {
            None
        }
    }

    /// A guest write of a buffer filling a whole 4 GiB memory (2^27
    /// elements of 32 bytes): its 2^32 bytes must not wrap to 0 in 32-bit
    /// arithmetic, which made the sink get nothing while the guest was told
    /// every element was written.
    #[test]
    fn writes_of_a_whole_4gib_memory_move_every_byte() {
        const FOUR_GIB: usize = 1 << 32;
        let layout = std::alloc::Layout::from_size_align(FOUR_GIB, 4096).expect("layout");
        // SAFETY: a non-zero size; zeroed pages are mapped lazily and the
        // test never touches them (the sink only counts).
        let base = unsafe { std::alloc::alloc_zeroed(layout) };
        assert!(!base.is_null(), "4 GiB of address space");
        let def = VMMemoryDefinition {
            base,
            current_length: FOUR_GIB,
        };
        let mut p3 = P3State::default();
        let mut instances = vec![InstanceState::new(0)];
        let mut host = NoHost;
        let mut cx = P3Cx {
            p3: &mut p3,
            instances: &mut instances,
            host: &mut host,
        };
        let got = std::rc::Rc::new(std::cell::Cell::new(0));
        let sink = Box::new(CountingSink(got.clone()));
        let (_, _, st) = write_to_sink(&mut cx, (32, 8), sink, &def, 1 << 27);
        // SAFETY: allocated above with `layout`, no view of it remains.
        unsafe { std::alloc::dealloc(base, layout) };
        assert_eq!(got.get(), FOUR_GIB, "the sink got every byte");
        assert_eq!(st.expect("writes") >> 4, 1 << 27, "every element written");
    }

    /// Code of another component instance running on top of a task (a
    /// sync-lifted function it called) neither sees that task (context,
    /// `task.return`, `task.cancel`) nor blocks on its behalf.
    #[test]
    fn a_task_belongs_to_its_instance_only() {
        let mut p3 = P3State::default();
        let mut t = Task::new(0, u32::MAX);
        t.may_block = true;
        let id = p3.tasks.insert(t);
        p3.current.push(id);
        let mut instances = vec![InstanceState::new(0), InstanceState::new(1)];
        let mut host = NoHost;
        let mut cx = P3Cx {
            p3: &mut p3,
            instances: &mut instances,
            host: &mut host,
        };
        assert!(cx.may_block(0));
        assert!(!cx.may_block(1), "a sync callee may not block");
        assert_eq!(cx.current_task_of(0).expect("its own task").0, id);
        assert!(cx.current_task_of(1).is_err(), "not the caller's task");
    }
}
