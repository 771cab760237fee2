//! Streams and futures: `{stream,future}.{read,write,cancel-*,drop-*}` on
//! one channel, whichever side (guest or host) holds each end.
//!
//! Phase: run time, inside a P3 built-in or a host operation the event
//! loop completed. Inputs: a [`P3Cx`], the calling instance and the end's
//! handle, the guest buffer. Outputs: the operation's status (`BLOCKED`
//! or `count << 4 | result`; a future's status is the result alone),
//! bytes copied, events posted to the other end.
//!
//! Rules (Concurrency.md, CanonicalABI.md):
//! - a read or write meeting an operation waiting on the other side copies
//!   `min` of both lengths at once; the waiting side gets an event, the
//!   arriving side its status;
//! - with nothing on the other side the operation is recorded and returns
//!   `BLOCKED` (the sync form then waits in the event loop, `super::run`);
//! - a host sink (stdout) takes a guest write at once; a host source
//!   (stdin) fills a guest read when its descriptor is ready;
//! - the other end dropped: `DROPPED`, nothing copied;
//! - one operation per end at a time; dropping or moving a busy end traps.
//!
//! Elements of plain types are copied as the bytes they are; between two
//! guest ends, others are left as an [`ElemCopy`] for the built-in to lift
//! and lower once the state is released (`super::elem`).

use super::FutureValue;
use super::elem::ElemCopy;
use super::{
    Channel, Done, End, HostAction, HostOp, HostWait, P3Cx, PendingCopy, SinkWrite, SourceRead,
    WaitableKind, traps,
};
use crate::memory::GuestMemory;
use crate::trap::{self, Trap};
use kiln_abi::component::builtins::{COPY_BLOCKED, copy_result, pack_copy};
use kiln_abi::component::canon::event_code;
use kiln_abi::trap::TrapCode;

/// The largest element count of one stream copy (the count must fit the
/// status's 28 bits).
const MAX_COUNT: u32 = (1 << 28) - 1;

/// One `{stream,future}.{read,write}` as the guest asked for it.
#[derive(Copy, Clone, Debug)]
pub struct CopyArgs {
    /// The calling component instance.
    pub instance: u32,
    /// The `stream<T>`/`future<T>` type index of the built-in.
    pub ty: u32,
    /// A future built-in (else a stream one).
    pub future: bool,
    /// A synchronous built-in (no `async` option).
    pub sync: bool,
    /// The end's handle.
    pub handle: u32,
    /// The memory (`VMMemoryDefinition` address).
    pub memory: usize,
    /// Buffer address.
    pub ptr: u32,
    /// Elements (1 for a future).
    pub len: u32,
    /// The built-in's `CanonOpts` record, 0 for none (host tests).
    pub opts: usize,
}

impl CopyArgs {
    /// This copy's buffer as the operation waiting on waitable `w`.
    fn pending(&self, w: u32) -> PendingCopy {
        PendingCopy {
            waitable: w,
            memory: self.memory,
            opts: self.opts,
            ptr: self.ptr,
            len: self.len,
        }
    }
}

/// The status of a copy that ended with `count` elements and `result`.
fn status(future: bool, count: u32, result: u32) -> u32 {
    if future {
        result
    } else {
        pack_copy(count, result)
    }
}

/// The event code of a read or write on a stream or future.
fn event(future: bool, read: bool) -> u32 {
    match (future, read) {
        (false, true) => event_code::STREAM_READ,
        (false, false) => event_code::STREAM_WRITE,
        (true, true) => event_code::FUTURE_READ,
        (true, false) => event_code::FUTURE_WRITE,
    }
}

/// The memory behind a `VMMemoryDefinition` address.
pub(super) fn memory(def: usize) -> GuestMemory {
    // SAFETY: `def` is a `CanonOpts::memory_def` the runtime filled from a
    // live instance's memory (or 0); the instance lives for the process.
    unsafe { GuestMemory::from_definition(def as *const kiln_abi::vmctx::VMMemoryDefinition) }
}

/// The bytes of `n` elements of `size` bytes, in `usize`: a buffer that
/// fills a 4 GiB memory (2^27 elements of 32 bytes, say) has 2^32 bytes,
/// which wraps to 0 in `u32` (the copy would move nothing and report `n`
/// elements moved).
pub(super) fn byte_len(n: u32, size: u32) -> usize {
    n as usize * size as usize
}

/// The elements in `bytes` bytes of elements of `size` bytes (0: one
/// byte), divided in `usize` for the same reason as [`byte_len`].
fn elems(bytes: usize, size: u32) -> u32 {
    (bytes / size.max(1) as usize) as u32
}

/// Checks that a guest buffer of `len` elements of `ch` at `ptr` lies in
/// its memory (Wasmtime checks alignment only when elements are copied:
/// [`check_aligned`]).
fn check_buffer(ch: &Channel, mem: usize, ptr: u32, len: u32) -> Result<(), Trap> {
    if ch.elem_size == 0 {
        return Ok(());
    }
    let bytes = u64::from(len) * u64::from(ch.elem_size);
    if !memory(mem).in_bounds(ptr, bytes) {
        return Err(traps::buffer_out_of_bounds());
    }
    Ok(())
}

/// Checks the alignment of the reader's and the writer's buffers of a copy
/// about to happen.
fn check_aligned(ch: &Channel, read_ptr: u32, write_ptr: u32) -> Result<(), Trap> {
    if ch.elem_size == 0 {
        return Ok(());
    }
    if !read_ptr.is_multiple_of(ch.elem_align) {
        return Err(traps::buffer_unaligned(true));
    }
    if !write_ptr.is_multiple_of(ch.elem_align) {
        return Err(traps::buffer_unaligned(false));
    }
    Ok(())
}

/// The checks every copy makes before it starts (in Wasmtime's order):
/// the handle is an end of the built-in's type, the right end, not done,
/// idle, not in a set if sync, the count and buffer fit. Returns
/// (waitable, channel).
fn start_copy(cx: &mut P3Cx<'_>, a: &CopyArgs, read: bool) -> Result<(u32, u32), Trap> {
    let (w, c, kind) = cx.end_at(a.instance, a.handle, a.future, a.ty)?;
    let want = if read {
        WaitableKind::Readable
    } else {
        WaitableKind::Writable
    };
    if kind != want {
        return Err(traps::code(TrapCode::ConcurrentCopy));
    }
    let x = cx
        .p3
        .waitables
        .get(w)
        .ok_or_else(|| trap::unknown_handle(a.handle))?;
    if let Some(done) = x.done {
        return Err(traps::copy_after_done(
            a.future,
            read,
            done == Done::Dropped,
        ));
    }
    if x.busy {
        return Err(traps::code(TrapCode::ConcurrentCopy));
    }
    if a.sync && x.set.is_some() {
        return Err(traps::code(TrapCode::WaitableSyncInSet));
    }
    if a.len > MAX_COUNT {
        return Err(traps::code(TrapCode::CopyCountTooLarge));
    }
    check_buffer(chan(&mut cx.p3.channels, c)?, a.memory, a.ptr, a.len)?;
    Ok((w, c))
}

/// Copies `bytes` bytes from `(src_mem, src)` to `(dst_mem, dst)` (the
/// memories may be the same; ranges were checked).
fn copy_bytes(src_mem: usize, src: u32, dst_mem: usize, dst: u32, bytes: usize) {
    if bytes == 0 {
        return;
    }
    let (mut s, mut d) = (memory(src_mem), memory(dst_mem));
    let from = s.bytes_mut()[src as usize..].as_mut_ptr();
    let to = d.bytes_mut()[dst as usize..].as_mut_ptr();
    // SAFETY: both ranges were checked in bounds of live memories; no Rust
    // reference into either memory is alive (the slices above ended), and
    // `copy` allows overlap (one memory, overlapping buffers).
    unsafe { std::ptr::copy(from, to, bytes) }
}

fn chan(channels: &mut super::Slab<Channel>, c: u32) -> Result<&mut Channel, Trap> {
    channels
        .get_mut(c)
        .ok_or_else(|| trap::trap("unknown stream or future"))
}

/// `stream.read`/`future.read`: the status, [`COPY_BLOCKED`] when the
/// read is left waiting.
pub fn read(cx: &mut P3Cx<'_>, a: &CopyArgs) -> Result<u32, Trap> {
    let (w, c) = start_copy(cx, a, true)?;
    let st = read_started(cx, a, w, c)?;
    if st != COPY_BLOCKED {
        cx.deliver(w, st);
    }
    Ok(st)
}

fn read_started(cx: &mut P3Cx<'_>, a: &CopyArgs, w: u32, c: u32) -> Result<u32, Trap> {
    let ch = chan(&mut cx.p3.channels, c)?;
    let future = ch.future;
    let (mem, ptr, len) = (a.memory, a.ptr, a.len);
    let size = ch.elem_size;
    let pending = a.pending(w);
    match &mut ch.writable {
        End::Dropped => return Ok(status(future, 0, copy_result::DROPPED)),
        End::HostValue(v) => {
            if let Some(value) = v.take() {
                let fields = value.place(memory(mem).bytes_mut(), ptr);
                ch.done = true;
                // The read built-in places the strings (`lower_strings`).
                cx.p3.pending_strings.extend(fields);
                return Ok(status(future, 1, copy_result::COMPLETED));
            }
            ch.read = Some(pending);
        }
        End::Source(_) => {
            ch.read = Some(pending);
            return source_read(cx, c, false);
        }
        End::Guest(_) => {
            if let Some(wr) = ch.write {
                check_aligned(ch, ptr, wr.ptr)?;
                ch.write = None;
                let n = wr.len.min(len);
                if ch.plain {
                    copy_bytes(wr.memory, wr.ptr, mem, ptr, byte_len(n, size));
                } else {
                    let ty = ch.ty;
                    cx.p3.pending_copies.push(ElemCopy {
                        ty,
                        n,
                        src: (wr.opts, wr.ptr),
                        dst: (a.opts, ptr),
                    });
                }
                if future {
                    ch.done = true;
                }
                let code = event(future, false);
                cx.post(wr.waitable, code, status(future, n, copy_result::COMPLETED));
                return Ok(status(future, n, copy_result::COMPLETED));
            }
            ch.read = Some(pending);
        }
        End::Sink(_) | End::Held => {
            return Err(trap::trap("a readable end cannot be a host sink"));
        }
    }
    if let Some(x) = cx.p3.waitables.get_mut(w) {
        x.busy = true;
    }
    Ok(COPY_BLOCKED)
}

/// Tries the pending guest read of channel `c` against its host source.
/// With `from_loop`, the result is posted as an event; otherwise it is the
/// status of the read being made now.
pub fn source_read(cx: &mut P3Cx<'_>, c: u32, from_loop: bool) -> Result<u32, Trap> {
    let ch = chan(&mut cx.p3.channels, c)?;
    let Some(rd) = ch.read else {
        return Ok(COPY_BLOCKED);
    };
    let size = ch.elem_size.max(1);
    let End::Source(src) = &mut ch.writable else {
        return Ok(COPY_BLOCKED);
    };
    let mut m = memory(rd.memory);
    let start = rd.ptr as usize;
    let buf = &mut m.bytes_mut()[start..start + byte_len(rd.len, size)];
    let outcome = src.read(cx.host, buf)?;
    let ch = chan(&mut cx.p3.channels, c)?;
    let (st, fut) = match outcome {
        SourceRead::Data(n) => (pack_copy(elems(n, size), copy_result::COMPLETED), None),
        SourceRead::DataWithStrings(n, strings) => {
            if from_loop {
                // Only the read built-in can call `realloc`.
                return Err(trap::trap(
                    "a host stream of strings completed on the event loop",
                ));
            }
            let fields = strings.into_iter().map(|(off, t)| (rd.ptr + off, t));
            cx.p3.pending_strings.extend(fields);
            let ch = chan(&mut cx.p3.channels, c)?;
            ch.read = None;
            return Ok(pack_copy(elems(n, size), copy_result::COMPLETED));
        }
        SourceRead::Handles(items) => {
            // Each element is an `own` handle the reading instance gets now.
            let inst = cx.p3.waitables.get(rd.waitable).map(|x| x.instance);
            let inst = inst.ok_or_else(|| trap::trap("unknown stream read"))?;
            let n = u32::try_from(items.len()).unwrap_or(u32::MAX).min(rd.len);
            let mut handles = Vec::with_capacity(items.len());
            for (ty, rep) in items.into_iter().take(n as usize) {
                handles.push(cx.instance(inst)?.lower_own(ty, rep)?);
            }
            let mut m = memory(rd.memory);
            let bytes = m.bytes_mut();
            for (i, h) in handles.into_iter().enumerate() {
                let at = rd.ptr as usize + i * 4;
                bytes[at..at + 4].copy_from_slice(&h.to_le_bytes());
            }
            (pack_copy(n, copy_result::COMPLETED), None)
        }
        SourceRead::End => {
            let fut = match &mut ch.writable {
                End::Source(s) => s.ended().map(|f| (f, s.finish_later())),
                _ => None,
            };
            ch.writable = End::Dropped;
            (pack_copy(0, copy_result::DROPPED), fut)
        }
        SourceRead::Blocked(wait) => {
            cx.start_op(HostOp {
                wait,
                action: HostAction::StreamRead(c),
            });
            if let Some(x) = cx.p3.waitables.get_mut(rd.waitable) {
                x.busy = true;
            }
            return Ok(COPY_BLOCKED);
        }
    };
    chan(&mut cx.p3.channels, c)?.read = None;
    if from_loop {
        cx.post(rd.waitable, event_code::STREAM_READ, st);
    }
    if let Some(((f, bytes), later)) = fut {
        finish_future_write(cx, f, bytes, later)?;
    }
    Ok(st)
}

/// `stream.write`/`future.write`: the status, [`COPY_BLOCKED`] when the
/// write is left waiting.
pub fn write(cx: &mut P3Cx<'_>, a: &CopyArgs) -> Result<u32, Trap> {
    let (w, c) = start_copy(cx, a, false)?;
    let st = write_started(cx, a, w, c)?;
    if st != COPY_BLOCKED {
        cx.deliver(w, st);
    }
    Ok(st)
}

fn write_started(cx: &mut P3Cx<'_>, a: &CopyArgs, w: u32, c: u32) -> Result<u32, Trap> {
    let ch = chan(&mut cx.p3.channels, c)?;
    let future = ch.future;
    let (mem, ptr, len) = (a.memory, a.ptr, a.len);
    let size = ch.elem_size;
    let pending = a.pending(w);
    match &mut ch.readable {
        End::Dropped => return Ok(status(future, 0, copy_result::DROPPED)),
        End::Sink(sink) => {
            let m = memory(mem);
            // SAFETY: no guest code runs while the sink reads the bytes.
            let bytes = unsafe { m.bytes() };
            let start = ptr as usize;
            let at = start..start + byte_len(len, size);
            let writer = cx.p3.waitables.get(w).map_or(u32::MAX, |x| x.instance);
            return match sink.write_in(cx.host, cx.instances, writer, bytes, at)? {
                SinkWrite::Wrote(n) => Ok(status(future, elems(n, size), copy_result::COMPLETED)),
                SinkWrite::Closed(fut) => {
                    chan(&mut cx.p3.channels, c)?.readable = End::Dropped;
                    if let Some((f, bytes)) = fut {
                        host_future_write(cx, f, bytes)?;
                    }
                    Ok(status(future, 0, copy_result::DROPPED))
                }
                SinkWrite::Blocked(wait) => {
                    chan(&mut cx.p3.channels, c)?.write = Some(pending);
                    cx.start_op(HostOp {
                        wait,
                        action: HostAction::StreamWrite(c),
                    });
                    if let Some(x) = cx.p3.waitables.get_mut(w) {
                        x.busy = true;
                    }
                    Ok(COPY_BLOCKED)
                }
            };
        }
        End::Guest(_) => {
            if let Some(rd) = ch.read {
                check_aligned(ch, rd.ptr, ptr)?;
                ch.read = None;
                let n = rd.len.min(len);
                if ch.plain {
                    copy_bytes(mem, ptr, rd.memory, rd.ptr, byte_len(n, size));
                } else {
                    let ty = ch.ty;
                    cx.p3.pending_copies.push(ElemCopy {
                        ty,
                        n,
                        src: (a.opts, ptr),
                        dst: (rd.opts, rd.ptr),
                    });
                }
                if future {
                    ch.done = true;
                }
                let code = event(future, true);
                cx.post(rd.waitable, code, status(future, n, copy_result::COMPLETED));
                return Ok(status(future, n, copy_result::COMPLETED));
            }
            ch.write = Some(pending);
        }
        End::Held => {
            ch.write = Some(pending);
        }
        End::Source(_) | End::HostValue(_) => {
            return Err(trap::trap("a writable end cannot be read by the host here"));
        }
    }
    if let Some(x) = cx.p3.waitables.get_mut(w) {
        x.busy = true;
    }
    Ok(COPY_BLOCKED)
}

/// `{stream,future}.cancel-{read,write}` of handle `h` (`future`, `ty`:
/// the built-in's): the status of the cancelled operation (its event, if it
/// finished meanwhile).
pub fn cancel(
    cx: &mut P3Cx<'_>,
    instance: u32,
    (future, ty): (bool, u32),
    h: u32,
    readable: bool,
) -> Result<u32, Trap> {
    let (w, c, kind) = cx.end_at(instance, h, future, ty)?;
    if (kind == WaitableKind::Readable) != readable {
        return Err(traps::cancel_wrong_end(readable));
    }
    let x = cx
        .p3
        .waitables
        .get_mut(w)
        .ok_or_else(|| trap::unknown_handle(h))?;
    if !x.busy {
        return Err(traps::cancel_idle(readable));
    }
    if let Some((_, payload)) = cx.take_own_event(w) {
        return Ok(payload);
    }
    let ch = chan(&mut cx.p3.channels, c)?;
    let future = ch.future;
    if readable {
        ch.read = None;
        cx.p3
            .ops
            .retain(|op| !matches!(op.action, HostAction::StreamRead(k) if k == c));
    } else {
        ch.write = None;
        cx.p3
            .ops
            .retain(|op| !matches!(op.action, HostAction::StreamWrite(k) if k == c));
    }
    let st = status(future, 0, copy_result::CANCELLED);
    cx.deliver(w, st);
    Ok(st)
}

/// `{stream,future}.drop-{readable,writable}` of handle `h` (`future`,
/// `ty`: the built-in's).
pub fn drop_end(
    cx: &mut P3Cx<'_>,
    instance: u32,
    (future, ty): (bool, u32),
    h: u32,
    readable: bool,
) -> Result<(), Trap> {
    let (w, c, kind) = cx.end_at(instance, h, future, ty)?;
    match (readable, kind) {
        (true, WaitableKind::Writable) => return Err(traps::not_readable_end(future)),
        (false, WaitableKind::Readable) => return Err(traps::read_end_to_drop_writable(future)),
        _ => {}
    }
    let x = cx
        .p3
        .waitables
        .get(w)
        .ok_or_else(|| trap::unknown_handle(h))?;
    if x.busy {
        return Err(traps::drop_busy(future, readable));
    }
    if !readable && future && x.done.is_none() {
        return Err(traps::future_unwritten());
    }
    cx.instance(instance)?.handles_mut().remove(h)?;
    if let Some(x) = cx.p3.waitables.remove(w)
        && let Some(s) = x.set
        && let Some(set) = cx.p3.sets.get_mut(s)
    {
        set.members.retain(|m| *m != w);
    }
    let ch = chan(&mut cx.p3.channels, c)?;
    let future = ch.future;
    let mut fut = None;
    let mut later = false;
    if readable {
        ch.readable = End::Dropped;
        match std::mem::replace(&mut ch.writable, End::Dropped) {
            End::Guest(g) => {
                ch.writable = End::Guest(g);
                if let Some(wr) = ch.write.take() {
                    let code = event(future, false);
                    cx.post(wr.waitable, code, status(future, 0, copy_result::DROPPED));
                }
            }
            End::Source(mut s) => {
                later = s.finish_later();
                fut = s.closed(cx.host);
                cx.p3
                    .ops
                    .retain(|op| !matches!(op.action, HostAction::StreamRead(k) if k == c));
            }
            other => ch.writable = other,
        }
    } else {
        ch.writable = End::Dropped;
        match std::mem::replace(&mut ch.readable, End::Dropped) {
            End::Guest(g) => {
                ch.readable = End::Guest(g);
                if let Some(rd) = ch.read.take() {
                    let code = event(future, true);
                    cx.post(rd.waitable, code, status(future, 0, copy_result::DROPPED));
                } else if !future
                    && let Some(x) = cx.p3.waitables.get_mut(g)
                    && let Some((event_code::STREAM_READ, payload)) = x.event
                    && payload & 0xf == copy_result::COMPLETED
                {
                    // A read that completed but whose event the reader
                    // has not seen yet reports the drop with its count,
                    // as Wasmtime 49 computes the event when delivered.
                    x.event = Some((event_code::STREAM_READ, payload | copy_result::DROPPED));
                }
            }
            End::Sink(mut s) => {
                later = s.finish_later();
                fut = s.finish(cx.host);
            }
            other => ch.readable = other,
        }
    }
    let ch = chan(&mut cx.p3.channels, c)?;
    if matches!(ch.readable, End::Dropped) && matches!(ch.writable, End::Dropped) {
        cx.p3.channels.remove(c);
    }
    if let Some((f, bytes)) = fut {
        finish_future_write(cx, f, bytes, later)?;
    }
    Ok(())
}

/// Writes the value a host sink's `finish` gave to future `c`: at once,
/// or (`later`, see [`HostSink::finish_later`](super::HostSink::finish_later))
/// from a host task on the event loop's next turn that is not a guest's
/// `waitable-set.poll` (Wasmtime's host tasks make no progress while
/// guest code runs).
pub fn finish_future_write(
    cx: &mut P3Cx<'_>,
    c: u32,
    value: FutureValue,
    later: bool,
) -> Result<(), Trap> {
    if !later {
        return host_future_write(cx, c, value);
    }
    let mut value = Some(value);
    cx.start_op(HostOp {
        wait: HostWait::Deadline(0),
        action: HostAction::Task(Box::new(move |rt| {
            if rt.with_p3(|cx| Ok(cx.p3.polling))? {
                return Ok(Some(HostWait::Deadline(0)));
            }
            if let Some(value) = value.take() {
                rt.with_p3(|cx| host_future_write(cx, c, value))?;
            }
            Ok(None)
        })),
    });
    Ok(())
}

/// A guest write waiting when the readable end went to a host sink.
pub fn flush_to_sink(cx: &mut P3Cx<'_>, c: u32) -> Result<(), Trap> {
    let ch = chan(&mut cx.p3.channels, c)?;
    let Some(wr) = ch.write.take() else {
        return Ok(());
    };
    let (future, size) = (ch.future, ch.elem_size);
    let End::Sink(sink) = &mut ch.readable else {
        return Ok(());
    };
    let m = memory(wr.memory);
    // SAFETY: no guest code runs while the sink reads the bytes.
    let bytes = unsafe { m.bytes() };
    let start = wr.ptr as usize;
    let at = start..start + byte_len(wr.len, size);
    let writer = cx
        .p3
        .waitables
        .get(wr.waitable)
        .map_or(u32::MAX, |x| x.instance);
    let st = match sink.write_in(cx.host, cx.instances, writer, bytes, at)? {
        SinkWrite::Wrote(n) => status(future, elems(n, size), copy_result::COMPLETED),
        SinkWrite::Closed(fut) => {
            chan(&mut cx.p3.channels, c)?.readable = End::Dropped;
            if let Some((f, bytes)) = fut {
                host_future_write(cx, f, bytes)?;
            }
            status(future, 0, copy_result::DROPPED)
        }
        SinkWrite::Blocked(wait) => {
            // Still waiting: the write stays pending for the next try.
            chan(&mut cx.p3.channels, c)?.write = Some(wr);
            cx.start_op(HostOp {
                wait,
                action: HostAction::StreamWrite(c),
            });
            return Ok(());
        }
    };
    cx.post(wr.waitable, event(future, false), st);
    Ok(())
}

/// The host writes the value of future `c`.
pub fn host_future_write(cx: &mut P3Cx<'_>, c: u32, value: FutureValue) -> Result<(), Trap> {
    let ch = chan(&mut cx.p3.channels, c)?;
    if let End::Dropped = ch.readable {
        cx.p3.channels.remove(c);
        return Ok(());
    }
    if let Some(rd) = ch.read.take() {
        let fields = value.place(memory(rd.memory).bytes_mut(), rd.ptr);
        ch.done = true;
        ch.writable = End::Dropped;
        if !fields.is_empty() {
            // The reader's `realloc` runs once the state is released,
            // before the reader can see the event.
            cx.p3.pending_lowers.push((rd.opts, fields));
        }
        cx.post(rd.waitable, event_code::FUTURE_READ, copy_result::COMPLETED);
        return Ok(());
    }
    ch.writable = End::HostValue(Some(value));
    Ok(())
}
