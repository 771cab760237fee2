//! The WASI 0.3 facade: the functions of `kiln_abi::wasi_p3` (cli
//! environment, exit and stdio through streams, clocks with
//! `wait-for`/`wait-until`, random; terminals in [`terminal`];
//! `wasi:filesystem` in [`fs`]), served
//! by the same host table and host object ([`P2Host`]) as WASI 0.2, over
//! the same kernel.
//!
//! Phase: run time of a component executable. Inputs: lowered-import
//! calls (the contract of `kiln_abi::component::canon`; an `async`
//! lowering for `async func`s) and the P3 state of the running component
//! (`kiln_canon::p3`). Outputs: results lowered into the guest; stream
//! and future ends handed to the guest or taken by the host; bytes to and
//! from the process's stdio.
//!
//! - Functions whose types are those of WASI 0.2 (environment, exit,
//!   monotonic `now`, random) are the 0.2 host functions themselves, but
//!   for the random byte functions, whose length is a maximum in 0.3
//!   (clamped to 64 MiB where 0.2 traps, as in wasmtime 49).
//! - `stdout`/`stderr.write-via-stream` take the guest's readable end as a
//!   host sink that writes each guest write straight to the descriptor;
//!   the returned `future<result<_, error-code>>` resolves `ok` when the
//!   guest drops its writable end, `err(pipe)` when the reader is gone.
//! - `stdin.read-via-stream` gives the guest a stream whose host source
//!   reads the descriptor when the event loop says it is readable, and a
//!   future that resolves at the end of input.
//! - `wait-for`/`wait-until`: an async lowering starts a subtask that the
//!   event loop returns at the deadline (`start_subtask`, the general
//!   shape of a host `async func` that waits), or returns at once
//!   (`RETURNED`, no subtask) if the deadline has passed; a sync one blocks.
//! - [`Host::p3_wait`](kiln_canon::Host::p3_wait) maps the P3 state's
//!   waits onto the kernel's one reactor (`kiln_wasi_kernel::reactor`, the loop P1's
//!   `poll_oneoff` and WASI 0.2's `poll` use).

pub mod fs;
pub mod sockets;
pub mod terminal;

use kiln_abi::component::canon::subtask_state;
use kiln_abi::component::{CanonOpts, LoweredHostFn, TypeDef, TypeIndex, TypeTableBuilder};
use kiln_canon::instances::{raise, runtime};
use kiln_canon::p3::{
    HostAction, HostFinish, HostOp, HostResults, HostSink, HostSource, HostWait, P3Cx, SinkWrite,
    SourceRead, run,
};
use kiln_canon::{ComponentRuntime, Host, Trap};
use kiln_wasi_kernel::reactor;
use kiln_wasi_kernel::stdio::{Stdio, StdioKind, host_fd};
use kiln_wasi_p2::table::{Describe, Impl, host_fn};
use kiln_wasi_p2::{P2Host, cli, clocks, random};

kiln_canon::wit_record! {
    /// `system-clock.instant`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq)]
    pub struct Instant { pub seconds: i64, pub nanoseconds: u32 }
}

/// The WASI 0.3 host functions (looked up in `kiln_abi::wasi_p3`).
pub const IMPLS: &[Impl] = &[
    (ENV, "get-environment", host_fn!(cli::get_environment)),
    (ENV, "get-arguments", host_fn!(cli::get_arguments)),
    (ENV, "get-initial-cwd", host_fn!(cli::initial_cwd)),
    (EXIT, "exit", host_fn!(cli::exit)),
    (EXIT, "exit-with-code", host_fn!(cli::exit_with_code)),
    (
        "wasi:cli/stdout@0.3",
        "write-via-stream",
        (stdout_write_via_stream, DESCRIBE_WRITE_VIA_STREAM),
    ),
    (
        "wasi:cli/stderr@0.3",
        "write-via-stream",
        (stderr_write_via_stream, DESCRIBE_WRITE_VIA_STREAM),
    ),
    (
        "wasi:cli/stdin@0.3",
        "read-via-stream",
        (stdin_read_via_stream, DESCRIBE_READ_VIA_STREAM),
    ),
    (MONOTONIC, "now", host_fn!(clocks::monotonic_now)),
    (
        MONOTONIC,
        "get-resolution",
        host_fn!(clocks::monotonic_resolution),
    ),
    (MONOTONIC, "wait-until", (wait_until, DESCRIBE_WAIT)),
    (MONOTONIC, "wait-for", (wait_for, DESCRIBE_WAIT)),
    (SYSTEM, "now", host_fn!(system_now)),
    (SYSTEM, "get-resolution", host_fn!(system_resolution)),
    (
        "wasi:random/random@0.3",
        "get-random-bytes",
        host_fn!(random::get_random_bytes_p3),
    ),
    (
        "wasi:random/random@0.3",
        "get-random-u64",
        host_fn!(random::get_random_u64),
    ),
    (
        "wasi:random/insecure@0.3",
        "get-insecure-random-bytes",
        host_fn!(random::get_insecure_random_bytes_p3),
    ),
    (
        "wasi:random/insecure@0.3",
        "get-insecure-random-u64",
        host_fn!(random::get_insecure_random_u64),
    ),
    (
        "wasi:random/insecure-seed@0.3",
        "get-insecure-seed",
        host_fn!(random::insecure_seed),
    ),
];

/// Every WASI 0.3 host function: [`IMPLS`], the terminals', the
/// filesystem's and the sockets'.
pub const ALL_IMPLS: &[&[Impl]] = &[
    IMPLS,
    terminal::IMPLS,
    fs::IMPLS,
    sockets::IMPLS,
    sockets::tcp::IMPLS,
    sockets::udp::IMPLS,
];

const ENV: &str = "wasi:cli/environment@0.3";
const EXIT: &str = "wasi:cli/exit@0.3";
const MONOTONIC: &str = "wasi:clocks/monotonic-clock@0.3";
const SYSTEM: &str = "wasi:clocks/system-clock@0.3";

/// `system-clock.now`.
pub fn system_now(h: &mut P2Host, (): ()) -> Result<Instant, Trap> {
    let d = h.wasi.kernel.clocks.wall_now();
    Ok(Instant {
        seconds: d.seconds as i64,
        nanoseconds: d.nanoseconds,
    })
}

/// `system-clock.get-resolution`, in nanoseconds.
pub fn system_resolution(h: &mut P2Host, (): ()) -> Result<u64, Trap> {
    let r = h.wasi.kernel.clocks.wall_resolution();
    Ok(r.seconds.saturating_mul(1_000_000_000) + u64::from(r.nanoseconds))
}

/// `result<_, error-code>` as it lies in memory: `ok`.
const RESULT_OK: [u8; 2] = [0, 0];
/// `error-code.io`.
const ERROR_IO: u8 = 0;
/// `error-code.pipe`.
const ERROR_PIPE: u8 = 2;
/// Size and alignment of `result<_, error-code>`.
const RESULT_LAYOUT: (u32, u32) = (2, 1);

/// stdout or stderr as the readable end of a guest's stream.
struct StdioSink {
    stdio: Stdio,
    /// The result future (channel).
    future: u32,
}

impl HostSink for StdioSink {
    fn write(&mut self, _host: &mut dyn Host, data: &[u8]) -> Result<SinkWrite, Trap> {
        match self.stdio.write_all_os(data) {
            Ok(()) => Ok(SinkWrite::Wrote(data.len())),
            Err(e) => {
                let code = if kiln_wasi_kernel::error::ErrorCode::from(&e)
                    == kiln_wasi_kernel::error::ErrorCode::Pipe
                {
                    ERROR_PIPE
                } else {
                    ERROR_IO
                };
                Ok(SinkWrite::Closed(Some((self.future, vec![1, code].into()))))
            }
        }
    }

    fn finish(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        Some((self.future, RESULT_OK.to_vec().into()))
    }
}

/// stdin as the writable end of the guest's stream.
struct StdinSource {
    stdio: Stdio,
    /// The result future (channel).
    future: u32,
}

impl HostSource for StdinSource {
    fn read(&mut self, host: &mut dyn Host, buf: &mut [u8]) -> Result<SourceRead, Trap> {
        let fd = host_fd(StdioKind::Stdin);
        let wait = HostWait::Fd { fd, write: false };
        if !host
            .p3_wait(&[wait], false)?
            .first()
            .copied()
            .unwrap_or(false)
        {
            return Ok(SourceRead::Blocked(wait));
        }
        if buf.is_empty() {
            return Ok(SourceRead::Data(0));
        }
        match self.stdio.read_os(buf) {
            Ok(0) => Ok(SourceRead::End),
            Ok(n) => Ok(SourceRead::Data(n)),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(SourceRead::Blocked(wait)),
            Err(_) => Ok(SourceRead::End),
        }
    }

    fn closed(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        Some((self.future, RESULT_OK.to_vec().into()))
    }

    fn ended(&mut self) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        Some((self.future, RESULT_OK.to_vec().into()))
    }
}

/// Runs P3 host entry `f` on the running component with its options and
/// slots, raising its error.
///
/// # Safety
/// `opts` and `slots` come from a compiled trampoline (the contract).
pub unsafe fn entry(
    opts: *const CanonOpts,
    slots: *mut u64,
    n: u32,
    f: impl FnOnce(&ComponentRuntime, &CanonOpts, &mut [u64]) -> Result<(), Trap>,
) {
    // SAFETY: the trampoline passes its record and `n >= 1` slots.
    let (opts, slots) = unsafe { (&*opts, std::slice::from_raw_parts_mut(slots, n as usize)) };
    let result = runtime()
        .ok_or_else(kiln_canon::trap::no_instance)
        .and_then(|rt| {
            rt.with_instance(opts.component_instance, |i| {
                if i.may_leave() {
                    Ok(())
                } else {
                    Err(kiln_canon::trap::cannot_leave())
                }
            })?;
            f(rt, opts, slots)
        });
    if let Err(t) = result {
        raise(t)
    }
}

/// Parameter `i` and the result of the lowered function type of `opts`.
fn types_of(rt: &ComponentRuntime, opts: &CanonOpts) -> (Option<u32>, Option<u32>) {
    match rt.component.func_type(opts.func_type) {
        Some((p, r)) => (p.first().copied(), r.first().copied()),
        None => (None, None),
    }
}

/// `write-via-stream(data: stream<u8>) -> future<result<_, error-code>>`
/// of `kind`.
fn write_via_stream(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    slots: &mut [u64],
    kind: StdioKind,
) -> Result<(), Trap> {
    let inst = opts.component_instance;
    let (param, result) = types_of(rt, opts);
    let h = slots[0] as u32;
    let fh = rt.with_p3(|cx| {
        let future = cx.new_channel(true, result.unwrap_or(u32::MAX), RESULT_LAYOUT);
        let sink = StdioSink {
            stdio: Stdio::new(kind),
            future,
        };
        // The future is the guest's first: a stream already ended
        // finishes the sink inside `take_readable`.
        let fh = cx.guest_readable(inst, future)?;
        cx.take_readable(inst, h, param.unwrap_or(u32::MAX), Box::new(sink))?;
        Ok(fh)
    })?;
    slots[0] = u64::from(fh);
    Ok(())
}

/// `stdout.write-via-stream`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn stdout_write_via_stream(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        entry(opts, slots, n, |rt, o, s| {
            write_via_stream(rt, o, s, StdioKind::Stdout)
        })
    }
}

/// `stderr.write-via-stream`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn stderr_write_via_stream(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        entry(opts, slots, n, |rt, o, s| {
            write_via_stream(rt, o, s, StdioKind::Stderr)
        })
    }
}

/// `stdin.read-via-stream() -> tuple<stream<u8>, future<result<_,
/// error-code>>>`, stored at the return pointer.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn stdin_read_via_stream(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        entry(opts, slots, n, |rt, opts, slots| {
            let inst = opts.component_instance;
            let ptr = slots[0] as u32;
            let (stream_ty, future_ty) = tuple_types(rt, opts);
            let (sh, fh) = rt.with_p3(|cx| {
                let future = cx.new_channel(true, future_ty, RESULT_LAYOUT);
                let source = StdinSource {
                    stdio: Stdio::new(StdioKind::Stdin),
                    future,
                };
                let (_, sh) = cx.host_stream(inst, stream_ty, (1, 1), Box::new(source))?;
                let fh = cx.guest_readable(inst, future)?;
                Ok((sh, fh))
            })?;
            store_pair(opts, ptr, sh, fh)
        })
    }
}

/// The stream and future types of `read-via-stream`'s result tuple.
fn tuple_types(rt: &ComponentRuntime, opts: &CanonOpts) -> (u32, u32) {
    use kiln_abi::component::Type;
    let (_, result) = types_of(rt, opts);
    let types = rt.component.types();
    match result.and_then(|r| types.get(TypeIndex(r))) {
        Some(Type::Tuple(ch)) => {
            let mut it = ch.iter().map(|c| c.ty.map_or(u32::MAX, |t| t.0));
            (it.next().unwrap_or(u32::MAX), it.next().unwrap_or(u32::MAX))
        }
        _ => (u32::MAX, u32::MAX),
    }
}

/// Stores two `u32`s at `ptr` of the options' memory (a result tuple).
pub fn store_pair(opts: &CanonOpts, ptr: u32, a: u32, b: u32) -> Result<(), Trap> {
    // SAFETY: the options' memory definition, filled at instantiation.
    let mem = unsafe {
        kiln_canon::GuestMemory::from_definition(
            opts.memory_def as usize as *const kiln_abi::vmctx::VMMemoryDefinition,
        )
    };
    kiln_canon::call::check_tuple_ptr(mem, ptr, 4, 8)?;
    let mut cx = kiln_canon::LowerCx::new(mem, None, opts.encoding(), None);
    cx.write(ptr, &a.to_le_bytes())?;
    cx.write(ptr + 4, &b.to_le_bytes())
}

/// The monotonic clock's reading now.
fn monotonic_now(rt: &ComponentRuntime) -> Result<u64, Trap> {
    rt.with_host(|host| {
        let host: &mut dyn std::any::Any = host;
        let h = host
            .downcast_mut::<P2Host>()
            .ok_or_else(|| kiln_canon::trap::trap("the WASI host is not installed"))?;
        Ok(h.wasi.kernel.clocks.monotonic_now())
    })
}

/// The general shape of a host `async func` that waits on the reactor
/// (the one that never waits is `kiln_wasi_p2::dispatch`'s
/// `call_host_async`): a subtask in the caller's instance and a host
/// operation that, once `wait` is ready, stores the results `finish`
/// computes at the return pointer `ptr` (if the function has results)
/// and returns the subtask, whose event the caller then receives.
/// Returns the status word for slot 0: `STARTED` with the subtask handle.
pub(crate) fn start_subtask(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    wait: HostWait,
    results: Option<(u32, HostFinish)>,
) -> Result<u32, Trap> {
    let inst = opts.component_instance;
    let memory = opts.memory_def as usize;
    let h = rt.with_p3(|cx: &mut P3Cx<'_>| {
        let (w, h) = cx.new_subtask(inst)?;
        let action = match results {
            None => HostAction::SubtaskReturn(w),
            Some((ptr, finish)) => HostAction::SubtaskReturnWith(
                w,
                HostResults {
                    memory,
                    ptr,
                    finish,
                },
            ),
        };
        cx.start_op(HostOp { wait, action });
        Ok(h)
    })?;
    Ok(subtask_state::STARTED | (h << 4))
}

/// Waits until `deadline`: a subtask for an async lowering (the status in
/// slot 0), else a blocking wait.
///
/// A deadline already reached when the call was made (`reached`:
/// `wait-for(0)`, `wait-until` a past mark) returns at once: status
/// `RETURNED` and no subtask, as Wasmtime, whose host future is ready on
/// its first poll, so that a guest polling the call once sees it complete
/// (the conformance tests `clocks-sleep` and `multi-clock-wait` depend on
/// it). Any other deadline, however near (`wait-for(1)`), is a subtask
/// that completes in a later turn of the loop, as Wasmtime's timer.
fn wait_until_deadline(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    slots: &mut [u64],
    deadline: u64,
    reached: bool,
) -> Result<(), Trap> {
    if opts.is_async() {
        slots[0] = if reached {
            u64::from(subtask_state::RETURNED)
        } else {
            u64::from(start_subtask(rt, opts, HostWait::Deadline(deadline), None)?)
        };
        return Ok(());
    }
    rt.with_p3(|cx| {
        if cx.may_block(opts.component_instance) {
            Ok(())
        } else {
            Err(kiln_canon::p3::cannot_block())
        }
    })?;
    loop {
        let ready = rt.with_p3(|cx| cx.host.p3_wait(&[HostWait::Deadline(deadline)], true))?;
        if ready.first().copied().unwrap_or(false) {
            return Ok(());
        }
        // Other host work may progress meanwhile.
        run::turn(rt, false)?;
    }
}

/// `monotonic-clock.wait-until(when: mark)`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn wait_until(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        entry(opts, slots, n, |rt, opts, slots| {
            let when = slots[0];
            let reached = when <= monotonic_now(rt)?;
            wait_until_deadline(rt, opts, slots, when, reached)
        })
    }
}

/// `monotonic-clock.wait-for(how-long: duration)`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn wait_for(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        entry(opts, slots, n, |rt, opts, slots| {
            let deadline = monotonic_now(rt)?.saturating_add(slots[0]);
            wait_until_deadline(rt, opts, slots, deadline, slots[0] == 0)
        })
    }
}

/// `result<_, error-code>`.
fn result_type(b: &mut TypeTableBuilder) -> Result<TypeIndex, kiln_abi::component::TypeError> {
    let code = b.add(TypeDef::Enum(&["io", "illegal-byte-sequence", "pipe"]))?;
    b.add(TypeDef::Result {
        ok: None,
        err: Some(code),
    })
}

/// The type of `write-via-stream`.
const DESCRIBE_WRITE_VIA_STREAM: Describe = |b| {
    let u8_ = b.add(TypeDef::U8)?;
    let s = b.add(TypeDef::Stream(Some(u8_)))?;
    let params = b.add(TypeDef::Tuple(&[s]))?;
    let r = result_type(b)?;
    Ok((params, b.add(TypeDef::Future(Some(r)))?))
};

/// The type of `read-via-stream`.
const DESCRIBE_READ_VIA_STREAM: Describe = |b| {
    let u8_ = b.add(TypeDef::U8)?;
    let s = b.add(TypeDef::Stream(Some(u8_)))?;
    let r = result_type(b)?;
    let f = b.add(TypeDef::Future(Some(r)))?;
    let params = b.add(TypeDef::Tuple(&[]))?;
    Ok((params, b.add(TypeDef::Tuple(&[s, f]))?))
};

/// The type of `wait-for`/`wait-until` (`u64 -> ()`; async).
const DESCRIBE_WAIT: Describe = |b| {
    let u = b.add(TypeDef::U64)?;
    let params = b.add(TypeDef::Tuple(&[u]))?;
    Ok((params, b.add(TypeDef::Tuple(&[]))?))
};

/// Host operation wait `w` as a reactor item, its deadline moved by
/// `shift` (wrapping: from the guest's monotonic clock to another one).
fn reactor_item(w: HostWait, shift: u64) -> reactor::Waitable {
    let at = |d: u64| if d == 0 { 0 } else { d.wrapping_add(shift) };
    match w {
        HostWait::Deadline(d) => reactor::Waitable::Deadline(at(d)),
        HostWait::Fd { fd, write } => reactor::Waitable::Fd { fd, write },
        HostWait::FdUntil {
            fd,
            write,
            deadline,
        } => reactor::Waitable::FdUntil {
            fd,
            write,
            deadline: at(deadline),
        },
    }
}

/// The reactor items of the pending host operations `waits` of instance
/// `rt`, their deadlines on clock `now` (monotonic nanoseconds) rather
/// than the guest's: for a host that waits on them together with its own
/// items (a server worker's connections), then completes the ready ones
/// with a turn of the loop that does not block.
pub fn reactor_items(
    rt: &kiln_canon::ComponentRuntime,
    waits: &[HostWait],
    now: u64,
) -> Result<Vec<reactor::Waitable>, Trap> {
    let guest = kiln_wasi_p2::with_host(rt, |h| Ok(h.wasi.kernel.clocks.monotonic_now()))?;
    let shift = now.wrapping_sub(guest);
    Ok(waits.iter().map(|w| reactor_item(*w, shift)).collect())
}

/// [`Host::p3_wait`] of the WASI host: the kernel's reactor.
pub fn p3_wait(host: &mut P2Host, waits: &[HostWait], block: bool) -> Result<Vec<bool>, Trap> {
    let items: Vec<reactor::Waitable> = waits.iter().map(|w| reactor_item(*w, 0)).collect();
    let clocks = &host.wasi.kernel.clocks;
    reactor::wait(&items, &|| clocks.monotonic_now(), block)
        .map_err(|e| kiln_canon::trap::trap(format!("event loop: {e:?}")))
}

#[allow(
    dead_code,
    reason = "keeps the entry type checked against the contract"
)]
const _: LoweredHostFn = stdout_write_via_stream;
