//! Host `async func`s that may have to wait on the event loop and return
//! values (`tcp-socket.connect`, `udp-socket.send`/`receive`,
//! `resolve-addresses`): the general shape.
//!
//! Phase: run time (lowered-import entries). Inputs: the lowering's slots
//! and options; a `start` function that turns the lifted parameters into
//! an [`Attempt`], the operation's non-blocking try. Outputs: the results
//! at the return pointer and the status in slot 0.
//!
//! The first try runs inside the ordinary host call (`kiln_wasi_p2::dispatch`,
//! which lifts the parameters and lowers the results). If it is done, the
//! call returns `RETURNED` as any host function does. If it would block,
//! the call lowers a placeholder (the return area is the guest's only once
//! the subtask is `RETURNED`, so nobody reads it), returns `STARTED` with a
//! new subtask, and queues a [`HostAction::Retry`] on the one reactor: each
//! time the wait is over the event loop runs the next try with the runtime
//! state released, and the one that finishes stores the results with the
//! guest's `realloc` ([`kiln_canon::call::store_host_results`]) before the
//! subtask returns. A sync lowering of the same function blocks instead:
//! it waits on the reactor (running the loop) until a try finishes.

use kiln_abi::component::CanonOpts;
use kiln_abi::component::canon::subtask_state;
use kiln_canon::instances::{GuestRealloc, raise, runtime};
use kiln_canon::p3::{HostAction, HostOp, HostWait, run};
use kiln_canon::{ComponentRuntime, GuestMemory, HostCall, Lift, Lower, Realloc, Trap};
use kiln_wasi_p2::{P2Host, dispatch, with_host};

/// One non-blocking try of an operation: its results, or what to wait for
/// before the next try.
pub type Attempt<R> = Box<dyn FnMut(&mut P2Host) -> Result<Result<R, HostWait>, Trap>>;

/// The most flat parameters of an async (and a sync) lowering.
const MAX_FLAT_ASYNC_PARAMS: usize = 4;
const MAX_FLAT_PARAMS: usize = 16;

/// Runs host `async func` entry: `start` makes the operation's [`Attempt`]
/// from the lifted parameters; `placeholder` is lowered when the first try
/// would block.
///
/// # Safety
/// `opts` and `slots` come from a compiled trampoline (the contract).
pub unsafe fn call<'m, P, R, F>(
    opts: *const CanonOpts,
    slots: *mut u64,
    n: u32,
    placeholder: R,
    start: F,
) where
    P: Lift<'m>,
    R: Lower + 'static,
    F: FnOnce(&mut P2Host, P) -> Result<Attempt<R>, Trap>,
{
    let mut pending: Option<(HostWait, Attempt<R>)> = None;
    // SAFETY: forwarded contract; `dispatch` raises its own traps.
    unsafe {
        dispatch(opts, slots, n, |h, p: P| {
            let mut attempt = start(h, p)?;
            match attempt(h)? {
                Ok(r) => Ok(r),
                Err(wait) => {
                    pending = Some((wait, attempt));
                    Ok(placeholder)
                }
            }
        })
    };
    let Some((wait, attempt)) = pending else {
        return;
    };
    // SAFETY: the trampoline passes its options record, compiled into
    // the executable (so `'static`), and `n` slots; `dispatch`'s view of
    // the slots ended when it returned, so this is the only one.
    let (opts, slots): (&'static CanonOpts, &mut [u64]) =
        unsafe { (&*opts, std::slice::from_raw_parts_mut(slots, n as usize)) };
    let result = runtime()
        .ok_or_else(kiln_canon::trap::no_instance)
        .and_then(|rt| wait_for(rt, opts, slots, wait, attempt, P::FLAT));
    if let Err(t) = result {
        raise(t)
    }
}

/// The operation of `attempt` waits for `wait`: a subtask (async lowering)
/// or a blocking wait (sync lowering).
pub fn wait_for<R: Lower + 'static>(
    rt: &ComponentRuntime,
    opts: &'static CanonOpts,
    slots: &mut [u64],
    wait: HostWait,
    mut attempt: Attempt<R>,
    flat_params: usize,
) -> Result<(), Trap> {
    let max = if opts.is_async() {
        MAX_FLAT_ASYNC_PARAMS
    } else {
        MAX_FLAT_PARAMS
    };
    let core_params = if flat_params > max { 1 } else { flat_params };
    let ptr = slots.get(core_params).copied().unwrap_or(0) as u32;
    if opts.is_async() {
        let inst = opts.component_instance;
        let retry: kiln_canon::p3::HostRetry =
            Box::new(
                move |rt: &ComponentRuntime| match with_host(rt, |h| attempt(h))? {
                    Err(wait) => Ok(Some(wait)),
                    Ok(r) => store(rt, opts, ptr, &r).map(|()| None),
                },
            );
        let h = rt.with_p3(|cx| {
            let (w, h) = cx.new_subtask(inst)?;
            cx.start_op(HostOp {
                wait,
                action: HostAction::Retry(w, retry),
            });
            Ok(h)
        })?;
        slots[0] = u64::from(subtask_state::STARTED | (h << 4));
        return Ok(());
    }
    rt.with_p3(|cx| {
        if cx.may_block(opts.component_instance) {
            Ok(())
        } else {
            Err(kiln_canon::p3::cannot_block())
        }
    })?;
    let mut wait = wait;
    loop {
        let ready = rt.with_p3(|cx| cx.host.p3_wait(&[wait], true))?;
        if ready.first().copied().unwrap_or(false) {
            match with_host(rt, |h| attempt(h))? {
                Ok(r) => return store(rt, opts, ptr, &r),
                Err(w) => wait = w,
            }
        }
        // Other host work may progress meanwhile.
        run::turn(rt, false)?;
    }
}

/// Stores `r` at the return pointer `ptr` of the call with options `opts`.
pub fn store<R: Lower>(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    ptr: u32,
    r: &R,
) -> Result<(), Trap> {
    let mut inst = rt.prepare_host_call(opts)?;
    let mut realloc = GuestRealloc::from_opts(opts);
    let call = HostCall {
        slots: &mut [],
        // SAFETY: the options' memory definition, filled at
        // instantiation; no guest code runs and no other view is alive
        // while the results are stored (realloc re-reads the definition).
        memory: unsafe {
            GuestMemory::from_definition(
                opts.memory_def as usize as *const kiln_abi::vmctx::VMMemoryDefinition,
            )
        },
        realloc: realloc.as_mut().map(|r| r as &mut dyn Realloc),
        encoding: opts.encoding(),
    };
    // SAFETY: as above: the memory view is the only one.
    unsafe { kiln_canon::call::store_host_results(&mut inst, call, ptr, r) }
}
