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
//! Element bytes are copied as they lie in memory (see the module docs of
//! `super` for the element types this covers).

use super::{
    Channel, End, HostAction, HostOp, P3Cx, PendingCopy, SinkWrite, SourceRead, WaitableKind,
};
use crate::memory::GuestMemory;
use crate::trap::{self, Trap};
use kiln_abi::component::builtins::{COPY_BLOCKED, copy_result, pack_copy};
use kiln_abi::component::canon::event_code;

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
fn memory(def: usize) -> GuestMemory {
    // SAFETY: `def` is a `CanonOpts::memory_def` the runtime filled from a
    // live instance's memory (or 0); the instance lives for the process.
    unsafe { GuestMemory::from_definition(def as *const kiln_abi::vmctx::VMMemoryDefinition) }
}

/// Checks a guest buffer of `len` elements of `ch` at `ptr`.
fn check_buffer(ch: &Channel, mem: usize, ptr: u32, len: u32) -> Result<(), Trap> {
    if ch.elem_size == 0 {
        return Ok(());
    }
    if !ptr.is_multiple_of(ch.elem_align) {
        return Err(trap::pointer_unaligned());
    }
    let bytes = u64::from(len) * u64::from(ch.elem_size);
    if !memory(mem).in_bounds(ptr, bytes) {
        return Err(trap::pointer_out_of_bounds());
    }
    Ok(())
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

/// The channel of waitable end `h` of `instance`, checked to be a
/// `kind` end of type `ty`: (waitable, channel).
fn end_of(
    cx: &mut P3Cx<'_>,
    instance: u32,
    h: u32,
    kind: WaitableKind,
    ty: u32,
) -> Result<(u32, u32), Trap> {
    let w = cx.waitable_at(instance, h)?;
    let x = cx
        .p3
        .waitables
        .get(w)
        .ok_or_else(|| trap::unknown_handle(h))?;
    if x.kind != kind {
        return Err(trap::wrong_handle_type(h));
    }
    let c = x.channel;
    let ch = cx
        .p3
        .channels
        .get(c)
        .ok_or_else(|| trap::unknown_handle(h))?;
    if ch.ty != ty {
        return Err(trap::wrong_handle_type(h));
    }
    Ok((w, c))
}

fn chan(channels: &mut super::Slab<Channel>, c: u32) -> Result<&mut Channel, Trap> {
    channels
        .get_mut(c)
        .ok_or_else(|| trap::trap("unknown stream or future"))
}

/// `stream.read`/`future.read` of `len` elements into `ptr`: the status,
/// [`COPY_BLOCKED`] when the read is left waiting.
#[allow(
    clippy::too_many_arguments,
    reason = "one argument per operand of the built-in"
)]
pub fn read(
    cx: &mut P3Cx<'_>,
    instance: u32,
    ty: u32,
    h: u32,
    mem: usize,
    ptr: u32,
    len: u32,
) -> Result<u32, Trap> {
    let (w, c) = end_of(cx, instance, h, WaitableKind::Readable, ty)?;
    if cx.p3.waitables.get(w).is_some_and(|x| x.busy) {
        return Err(trap::trap(
            "cannot read from a stream or future while a read is pending",
        ));
    }
    let ch = chan(&mut cx.p3.channels, c)?;
    let future = ch.future;
    let len = if future { 1 } else { len };
    if future && ch.done {
        return Err(trap::trap(
            "cannot read from a future after the value was read",
        ));
    }
    check_buffer(ch, mem, ptr, len)?;
    let size = ch.elem_size;
    let pending = PendingCopy {
        waitable: w,
        memory: mem,
        ptr,
        len,
    };
    match &mut ch.writable {
        End::Dropped => return Ok(status(future, 0, copy_result::DROPPED)),
        End::HostValue(v) => {
            if let Some(bytes) = v.take() {
                let mut m = memory(mem);
                m.bytes_mut()[ptr as usize..ptr as usize + bytes.len()].copy_from_slice(&bytes);
                ch.done = true;
                return Ok(status(future, 1, copy_result::COMPLETED));
            }
            ch.read = Some(pending);
        }
        End::Source(_) => {
            ch.read = Some(pending);
            return source_read(cx, c, false);
        }
        End::Guest(_) => {
            if let Some(wr) = ch.write.take() {
                let n = wr.len.min(len);
                copy_bytes(wr.memory, wr.ptr, mem, ptr, (n * size) as usize);
                if future {
                    ch.done = true;
                }
                let code = event(future, false);
                cx.post(wr.waitable, code, status(future, n, copy_result::COMPLETED));
                return Ok(status(future, n, copy_result::COMPLETED));
            }
            ch.read = Some(pending);
        }
        End::Sink(_) => return Err(trap::trap("a readable end cannot be a host sink")),
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
    let buf = &mut m.bytes_mut()[start..start + (rd.len * size) as usize];
    let outcome = src.read(cx.host, buf)?;
    let ch = chan(&mut cx.p3.channels, c)?;
    let (st, fut) = match outcome {
        SourceRead::Data(n) => (pack_copy(n as u32 / size, copy_result::COMPLETED), None),
        SourceRead::End => {
            let fut = match &mut ch.writable {
                End::Source(s) => s.ended(),
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
    ch.read = None;
    if from_loop {
        cx.post(rd.waitable, event_code::STREAM_READ, st);
    }
    if let Some((f, bytes)) = fut {
        host_future_write(cx, f, bytes)?;
    }
    Ok(st)
}

/// `stream.write`/`future.write` of `len` elements at `ptr`.
#[allow(
    clippy::too_many_arguments,
    reason = "one argument per operand of the built-in"
)]
pub fn write(
    cx: &mut P3Cx<'_>,
    instance: u32,
    ty: u32,
    h: u32,
    mem: usize,
    ptr: u32,
    len: u32,
) -> Result<u32, Trap> {
    let (w, c) = end_of(cx, instance, h, WaitableKind::Writable, ty)?;
    if cx.p3.waitables.get(w).is_some_and(|x| x.busy) {
        return Err(trap::trap(
            "cannot write to a stream or future while a write is pending",
        ));
    }
    let ch = chan(&mut cx.p3.channels, c)?;
    let future = ch.future;
    let len = if future { 1 } else { len };
    if future && ch.done {
        return Err(trap::trap(
            "cannot write to a future after the value was written",
        ));
    }
    check_buffer(ch, mem, ptr, len)?;
    let size = ch.elem_size;
    match &mut ch.readable {
        End::Dropped => return Ok(status(future, 0, copy_result::DROPPED)),
        End::Sink(sink) => {
            let m = memory(mem);
            // SAFETY: no guest code runs while the sink reads the bytes.
            let bytes = unsafe { m.bytes() };
            let start = ptr as usize;
            let data = &bytes[start..start + (len * size) as usize];
            return match sink.write(cx.host, data)? {
                SinkWrite::Wrote(n) => Ok(status(
                    future,
                    n as u32 / size.max(1),
                    copy_result::COMPLETED,
                )),
                SinkWrite::Closed(fut) => {
                    chan(&mut cx.p3.channels, c)?.readable = End::Dropped;
                    if let Some((f, bytes)) = fut {
                        host_future_write(cx, f, bytes)?;
                    }
                    Ok(status(future, 0, copy_result::DROPPED))
                }
            };
        }
        End::Guest(_) => {
            if let Some(rd) = ch.read.take() {
                let n = rd.len.min(len);
                copy_bytes(mem, ptr, rd.memory, rd.ptr, (n * size) as usize);
                if future {
                    ch.done = true;
                }
                let code = event(future, true);
                cx.post(rd.waitable, code, status(future, n, copy_result::COMPLETED));
                return Ok(status(future, n, copy_result::COMPLETED));
            }
            ch.write = Some(PendingCopy {
                waitable: w,
                memory: mem,
                ptr,
                len,
            });
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

/// `{stream,future}.cancel-{read,write}`: the status of the cancelled
/// operation (its event, if it finished meanwhile).
pub fn cancel(
    cx: &mut P3Cx<'_>,
    instance: u32,
    ty: u32,
    h: u32,
    readable: bool,
) -> Result<u32, Trap> {
    let kind = if readable {
        WaitableKind::Readable
    } else {
        WaitableKind::Writable
    };
    let (w, c) = end_of(cx, instance, h, kind, ty)?;
    let x = cx
        .p3
        .waitables
        .get_mut(w)
        .ok_or_else(|| trap::unknown_handle(h))?;
    if !x.busy {
        return Err(trap::trap("no read or write is in progress on this end"));
    }
    x.busy = false;
    if let Some((_, payload)) = x.event.take() {
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
    }
    Ok(status(future, 0, copy_result::CANCELLED))
}

/// `{stream,future}.drop-{readable,writable}`.
pub fn drop_end(
    cx: &mut P3Cx<'_>,
    instance: u32,
    ty: u32,
    h: u32,
    readable: bool,
) -> Result<(), Trap> {
    let kind = if readable {
        WaitableKind::Readable
    } else {
        WaitableKind::Writable
    };
    let (w, c) = end_of(cx, instance, h, kind, ty)?;
    if cx.p3.waitables.get(w).is_some_and(|x| x.busy) {
        return Err(trap::trap(
            "cannot drop a stream or future end while a read or write is in progress",
        ));
    }
    let ch = chan(&mut cx.p3.channels, c)?;
    if !readable && ch.future && !ch.done && !matches!(ch.readable, End::Dropped) {
        return Err(trap::trap(
            "cannot drop the writable end of a future before writing its value",
        ));
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
                }
            }
            End::Sink(mut s) => fut = s.finish(cx.host),
            other => ch.readable = other,
        }
    }
    let ch = chan(&mut cx.p3.channels, c)?;
    if matches!(ch.readable, End::Dropped) && matches!(ch.writable, End::Dropped) {
        cx.p3.channels.remove(c);
    }
    if let Some((f, bytes)) = fut {
        host_future_write(cx, f, bytes)?;
    }
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
    let data = &bytes[start..start + (wr.len * size) as usize];
    let st = match sink.write(cx.host, data)? {
        SinkWrite::Wrote(n) => status(future, n as u32 / size.max(1), copy_result::COMPLETED),
        SinkWrite::Closed(fut) => {
            chan(&mut cx.p3.channels, c)?.readable = End::Dropped;
            if let Some((f, bytes)) = fut {
                host_future_write(cx, f, bytes)?;
            }
            status(future, 0, copy_result::DROPPED)
        }
    };
    cx.post(wr.waitable, event(future, false), st);
    Ok(())
}

/// The host writes the value of future `c`.
pub fn host_future_write(cx: &mut P3Cx<'_>, c: u32, bytes: Vec<u8>) -> Result<(), Trap> {
    let ch = chan(&mut cx.p3.channels, c)?;
    if let End::Dropped = ch.readable {
        cx.p3.channels.remove(c);
        return Ok(());
    }
    if let Some(rd) = ch.read.take() {
        let mut m = memory(rd.memory);
        let start = rd.ptr as usize;
        m.bytes_mut()[start..start + bytes.len()].copy_from_slice(&bytes);
        ch.done = true;
        ch.writable = End::Dropped;
        cx.post(rd.waitable, event_code::FUTURE_READ, copy_result::COMPLETED);
        return Ok(());
    }
    ch.writable = End::HostValue(Some(bytes));
    Ok(())
}
