//! `wasi:http/types@0.3` bodies: `request.new`, `response.new` and the
//! two `consume-body`s, and the host ends that move a body between the
//! guest and `hyper`.
//!
//! Phase: run time (lowered-import entries, host stream ends, host tasks
//! of the event loop). Inputs: the guest's `stream<u8>` and futures,
//! `hyper`'s frames (through the 0.2 [`BodySource`]). Outputs: stream and
//! future ends for the guest, frames for `hyper` (through the 0.2
//! [`OutgoingBody`] pipe).
//!
//! - `new` takes the guest's readable ends of its contents stream and its
//!   trailers future into the host without reading them (`End::Held`):
//!   the body moves only once it is sent ([`send_guest_body`]: a sink per
//!   end, feeding an [`OutgoingBody`]) or consumed (`consume-body` gives
//!   the same ends back). The future `new` returns resolves when both
//!   ends finished: `ok`, or the body's error.
//! - An incoming body (a server's request, a client's response) is read
//!   by a host stream ([`IncomingSource`]: what the pump received, BLOCKED
//!   on the connection), and its trailers future is resolved by a host
//!   task of the event loop once the body ended (a trailers `fields` is
//!   then an own handle in the reader's table).
//! - The `res` future `consume-body` takes reports how the consumer
//!   handled the body: for a body the guest made, its value becomes that
//!   of the future `new` returned ([`super::forward`]); for a received
//!   one it is read and dropped (the host learns of the body's end from
//!   the stream).

use super::super::body::{BodySource, BodyWriter, OutgoingBody};
use super::super::fields::Fields;
use super::super::state;
use super::super::types::ErrorCode;
use super::{Body3, Fields3Res, Options3, Request3Res, RequestOptions3Res, Response3Res, TYPES};
use kiln_abi::component::{CanonOpts, Type, TypeDef, TypeIndex};
use kiln_canon::call::InstanceState;
use kiln_canon::p3::{
    HostAction, HostOp, HostSink, HostSource, HostWait, P3Cx, SinkWrite, SourceRead,
};
use kiln_canon::{ComponentRuntime, ComponentType, Host, Resource, Trap};
use kiln_wasi_p2::P2Host;
use kiln_wasi_p2::io::{OutputStreamImpl, Readiness, StreamFailure, no_object};
use kiln_wasi_p2::table::{Describe, Impl};
use kiln_wasi_p2::with_host;
use kiln_wasi_p3::{entry, store_pair};
use std::cell::RefCell;
use std::rc::Rc;

/// The 0.3 body functions.
#[rustfmt::skip]
pub const IMPLS: &[Impl] = &[
    (TYPES, "[static]request.new", (request_new, DESCRIBE_REQUEST_NEW)),
    (TYPES, "[static]request.consume-body", (request_consume, DESCRIBE_REQUEST_CONSUME)),
    (TYPES, "[static]response.new", (response_new, DESCRIBE_RESPONSE_NEW)),
    (TYPES, "[static]response.consume-body", (response_consume, DESCRIBE_RESPONSE_CONSUME)),
];

/// Size and alignment of component type `ty` (cached per type).
pub(crate) fn layout(rt: &ComponentRuntime, ty: u32) -> (u32, u32) {
    rt.component.layout(TypeIndex(ty))
}

/// The payload type of `future<T>`/`stream<T>`/`option<T>` type `ty`.
fn inner(rt: &ComponentRuntime, ty: u32) -> u32 {
    match rt.component.types().get(TypeIndex(ty)) {
        Some(Type::Future(Some(t)) | Type::Stream(Some(t)) | Type::Option(t)) => t.0,
        _ => u32::MAX,
    }
}

/// Parameter types and the result type of the lowered function.
fn func_types(rt: &ComponentRuntime, opts: &CanonOpts) -> (Vec<u32>, u32) {
    match rt.component.func_type(opts.func_type) {
        Some((p, r)) => (p.to_vec(), r.first().copied().unwrap_or(u32::MAX)),
        None => (Vec::new(), u32::MAX),
    }
}

/// The two element types of a tuple type.
fn pair(rt: &ComponentRuntime, ty: u32) -> (u32, u32) {
    match rt.component.types().get(TypeIndex(ty)) {
        Some(Type::Tuple(ch)) => {
            let mut it = ch.iter().map(|c| c.ty.map_or(u32::MAX, |t| t.0));
            (it.next().unwrap_or(u32::MAX), it.next().unwrap_or(u32::MAX))
        }
        _ => (u32::MAX, u32::MAX),
    }
}

/// `result<_, error-code>` in memory (`size`, `align`), as a
/// host-written future's value: `ok`, or `err` with its whole payload,
/// strings beside the bytes (see [`super::forward::lower`]).
pub(crate) fn result_bytes(
    layout: (u32, u32),
    r: &Result<(), ErrorCode>,
) -> kiln_canon::p3::FutureValue {
    super::forward::lower(layout, r)
}

/// `result<_, error-code>` in memory (`size`, `align`): `ok`, or `err`
/// with the case of `e` alone.
pub(super) fn case_bytes(layout: (u32, u32), r: &Result<(), ErrorCode>) -> Vec<u8> {
    let mut v = vec![0; layout.0 as usize];
    if let Err(e) = r {
        v[0] = 1;
        if let Some(b) = v.get_mut(layout.1 as usize) {
            *b = e.case();
        }
    }
    v
}

/// Lifts the own handle `h` of resource `ty` from `inst`.
fn lift_own(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    ty: kiln_canon::ResourceType,
    h: u32,
) -> Result<u32, Trap> {
    rt.prepare_host_call(opts)?;
    rt.with_instance(opts.component_instance, |i| i.lift_own(ty, h))
}

/// `new`'s shared part: takes the headers, holds the body's ends, makes
/// the result future; returns (headers, body, the future's handle).
fn take_body(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    slots: &[u64],
    result_ty: u32,
) -> Result<(http::HeaderMap, Body3, u32), Trap> {
    let inst = opts.component_instance;
    let (params, _) = func_types(rt, opts);
    let stream_ty = inner(rt, params.get(1).copied().unwrap_or(u32::MAX));
    let trailers_ty = params.get(2).copied().unwrap_or(u32::MAX);
    let headers = lift_own(rt, opts, Fields3Res::TYPE, slots[0] as u32)?;
    let result_layout = layout(rt, inner(rt, result_ty));
    let (body, fh) = rt.with_p3(|cx| {
        let contents = match slots[1] {
            0 => None,
            _ => Some(cx.hold_readable(inst, slots[2] as u32, stream_ty)?),
        };
        let trailers = cx.hold_readable(inst, slots[3] as u32, trailers_ty)?;
        let result = cx.new_channel(true, result_ty, result_layout);
        let fh = cx.guest_readable(inst, result)?;
        if let Some(source) = contents.and_then(|c| received(cx, c, trailers)) {
            return Ok((Body3::Forwarded(source, result), fh));
        }
        let body = Body3::Guest {
            contents,
            trailers,
            result,
        };
        Ok((body, fh))
    })?;
    let headers = with_host(rt, |h| super::fields::take(h, headers))?;
    Ok((headers, body, fh))
}

/// A received body handed on whole: if held stream `c` is one
/// `consume-body` made of a received body, and `trailers` the future it
/// gave with it, the body itself (the two channels are dropped: the
/// message then forwards the body as it arrives, as an unread one), else
/// `None`.
fn received(cx: &mut P3Cx<'_>, c: u32, trailers: u32) -> Option<BodySource> {
    let source = cx.take_back_source(c, |any| {
        let s = any.downcast_mut::<IncomingSource>()?;
        (s.trailers == trailers).then(|| s.source.clone())
    })?;
    // The trailers task's value then goes nowhere.
    cx.drop_held(trailers);
    Some(source)
}

/// `[static]request.new(headers, contents, trailers, options) ->
/// tuple<request, future<result<_, error-code>>>`: slots `[headers,
/// contents?, contents, trailers, options?, options, retptr]`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn request_new(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        entry(opts, slots, n, |rt, opts, slots| {
            let (_, result) = func_types(rt, opts);
            let (_, future_ty) = pair(rt, result);
            let options = match slots[4] {
                0 => None,
                _ => Some(lift_own(
                    rt,
                    opts,
                    RequestOptions3Res::TYPE,
                    slots[5] as u32,
                )?),
            };
            let (headers, body, fh) = take_body(rt, opts, slots, future_ty)?;
            let rep = with_host(rt, |h| {
                let options: Option<Options3> = match options {
                    Some(o) => Some(
                        state(h)
                            .options3
                            .remove(o)
                            .ok_or_else(|| no_object("request-options"))?,
                    ),
                    None => None,
                };
                let mut r = super::message::new_request(headers, options);
                r.body = body;
                Ok(state(h).requests3.insert(r))
            })?;
            let rh = rt.with_instance(opts.component_instance, |i| {
                i.lower_own(Request3Res::TYPE, rep)
            })?;
            store_pair(opts, slots[6] as u32, rh, fh)
        })
    }
}

/// `[static]response.new(headers, contents, trailers) ->
/// tuple<response, future<result<_, error-code>>>`: slots `[headers,
/// contents?, contents, trailers, retptr]`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn response_new(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe {
        entry(opts, slots, n, |rt, opts, slots| {
            let (_, result) = func_types(rt, opts);
            let (_, future_ty) = pair(rt, result);
            let (headers, body, fh) = take_body(rt, opts, slots, future_ty)?;
            let rep = with_host(rt, |h| {
                let mut r = super::message::new_response(headers);
                r.body = body;
                Ok(state(h).responses3.insert(r))
            })?;
            let rh = rt.with_instance(opts.component_instance, |i| {
                i.lower_own(Response3Res::TYPE, rep)
            })?;
            store_pair(opts, slots[4] as u32, rh, fh)
        })
    }
}

/// `consume-body(this, res) -> tuple<stream<u8>, future<result<option<
/// trailers>, error-code>>>` of a request (`request`) or a response:
/// slots `[this, res, retptr]`.
fn consume(
    rt: &ComponentRuntime,
    opts: &CanonOpts,
    slots: &mut [u64],
    request: bool,
) -> Result<(), Trap> {
    let inst = opts.component_instance;
    let (params, result) = func_types(rt, opts);
    let res_ty = params.get(1).copied().unwrap_or(u32::MAX);
    let (stream_ty, trailers_ty) = pair(rt, result);
    let ty = if request {
        Request3Res::TYPE
    } else {
        Response3Res::TYPE
    };
    let rep = lift_own(rt, opts, ty, slots[0] as u32)?;
    let body = with_host(rt, |h| {
        let s = state(h);
        let body = if request {
            s.requests3.remove(rep).map(|r| r.body)
        } else {
            s.responses3.remove(rep).map(|r| r.body)
        };
        body.ok_or_else(|| no_object(if request { "request" } else { "response" }))
    })?;
    let trailers_layout = layout(rt, inner(rt, trailers_ty));
    // A forwarded body consumed again is a received one.
    let (body, back) = match body {
        Body3::Forwarded(source, result) => (Body3::Incoming(source), Some(result)),
        b => (b, None),
    };
    let (sh, th) = rt.with_p3(|cx| {
        let res = cx.hold_readable(inst, slots[1] as u32, res_ty)?;
        match body {
            Body3::Guest {
                contents,
                trailers,
                result,
            } => {
                let sh = match contents {
                    Some(c) => cx.give_readable(inst, c)?,
                    None => cx.host_stream(inst, stream_ty, (1, 1), Box::new(Empty))?.1,
                };
                let th = cx.give_readable(inst, trailers)?;
                // The body went back to the guest: what it writes to `res`
                // is the transmission's result.
                let layout = layout_of_result(cx, result);
                let forward = super::forward::ForwardResult {
                    result,
                    layout,
                    value: None,
                };
                cx.attach_sink(res, Box::new(forward))?;
                Ok((sh, th))
            }
            Body3::Incoming(source) => {
                cx.attach_sink(res, Box::new(Discard))?;
                if let Some(result) = back {
                    // Back with the guest: its transmission is the
                    // guest's business now.
                    let l = layout_of_result(cx, result);
                    cx.write_future(result, result_bytes(l, &Ok(())))?;
                }
                let (sc, sh) = cx.host_stream(
                    inst,
                    stream_ty,
                    (1, 1),
                    Box::new(IncomingSource {
                        source: source.clone(),
                        trailers: u32::MAX,
                    }),
                )?;
                let (c, th) = cx.host_future(inst, trailers_ty, trailers_layout)?;
                if let Some(ch) = cx.p3.channels.get_mut(sc)
                    && let kiln_canon::p3::End::Source(src) = &mut ch.writable
                    && let Some(s) = src
                        .as_any()
                        .and_then(|a| a.downcast_mut::<IncomingSource>())
                {
                    s.trailers = c;
                }
                cx.start_op(HostOp {
                    wait: HostWait::Deadline(0),
                    action: HostAction::Task(trailers_task(source, c, inst, trailers_layout)),
                });
                Ok((sh, th))
            }
            Body3::Forwarded(..) | Body3::Taken => {
                Err(kiln_canon::trap::trap("the body was taken already"))
            }
        }
    })?;
    store_pair(opts, slots[2] as u32, sh, th)
}

/// The layout of the value of host-written future `c`.
pub(crate) fn layout_of_result(cx: &mut P3Cx<'_>, c: u32) -> (u32, u32) {
    cx.p3
        .channels
        .get(c)
        .map_or((0, 1), |ch| (ch.elem_size, ch.elem_align))
}

/// `[static]request.consume-body`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn request_consume(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe { entry(opts, slots, n, |rt, o, s| consume(rt, o, s, true)) }
}

/// `[static]response.consume-body`.
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn response_consume(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: forwarded.
    unsafe { entry(opts, slots, n, |rt, o, s| consume(rt, o, s, false)) }
}

/// A readable end the host reads and forgets (`consume-body`'s `res`).
struct Discard;

impl HostSink for Discard {
    fn write(&mut self, _host: &mut dyn Host, data: &[u8]) -> Result<SinkWrite, Trap> {
        Ok(SinkWrite::Wrote(data.len()))
    }
    fn finish(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        None
    }
}

/// The writable end of an empty stream (a body made without contents).
struct Empty;

impl HostSource for Empty {
    fn read(&mut self, _host: &mut dyn Host, _buf: &mut [u8]) -> Result<SourceRead, Trap> {
        Ok(SourceRead::End)
    }
    fn closed(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        None
    }
    fn ended(&mut self) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        None
    }
}

/// What a connection waits on, as the event loop's wait; a short timer
/// when it waits for nothing on its descriptor (its tasks wait for each
/// other: the next turn drives them).
///
/// The descriptor wait is bounded ([`RECHECK`]): the condition waited for
/// (data or the end of a body) may arrive through a drive of the same
/// connection made elsewhere (another stream's read, the response's
/// writes), which leaves nothing for the descriptor to signal.
fn connection_wait(
    fd: Option<(kiln_wasi_kernel::reactor::RawFd, bool)>,
    host: &mut dyn Host,
) -> HostWait {
    let deadline = now(host).saturating_add(RECHECK);
    match fd {
        Some((fd, write)) => HostWait::FdUntil {
            fd,
            write,
            deadline,
        },
        None => HostWait::Deadline(now(host).saturating_add(1_000_000)),
    }
}

/// How long a wait on a connection goes before its condition is checked
/// again (nanoseconds).
const RECHECK: u64 = 5_000_000;

/// A bounded wait on connection descriptor `fd` ([`connection_wait`]).
pub(crate) fn bounded_wait(
    fd: kiln_wasi_kernel::reactor::RawFd,
    write: bool,
    host: &mut dyn Host,
) -> HostWait {
    connection_wait(Some((fd, write)), host)
}

/// [`connection_wait`] of `source`: at once when its tasks have work
/// left.
fn source_wait(source: &BodySource, host: &mut dyn Host) -> HostWait {
    if source.has_work() {
        return HostWait::Deadline(0);
    }
    connection_wait(source.waitable(), host)
}

/// The guest's monotonic clock.
fn now(host: &mut dyn Host) -> u64 {
    let host: &mut dyn std::any::Any = host;
    host.downcast_mut::<P2Host>()
        .map_or(0, |h| h.wasi.kernel.clocks.monotonic_now())
}

/// An incoming body as the writable end of the guest's `stream<u8>`.
struct IncomingSource {
    source: BodySource,
    /// The channel of the trailers future `consume-body` gave with it.
    trailers: u32,
}

impl HostSource for IncomingSource {
    fn read(&mut self, host: &mut dyn Host, buf: &mut [u8]) -> Result<SourceRead, Trap> {
        let n = self.source.read_into(buf);
        if n > 0 || buf.is_empty() {
            return Ok(SourceRead::Data(n));
        }
        match self.source.end() {
            Some(_) => Ok(SourceRead::End),
            None => Ok(SourceRead::Blocked(source_wait(&self.source, host))),
        }
    }

    fn closed(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        self.source.discard();
        None
    }

    fn ended(&mut self) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        None
    }

    fn as_any(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(self)
    }
}

/// The host task resolving the trailers future `c` of `inst` once the
/// incoming body ended: `ok(none)`, `ok(some(trailers))` (a new own
/// `fields` in `inst`), or `err(code)`.
fn trailers_task(
    source: BodySource,
    c: u32,
    inst: u32,
    layout: (u32, u32),
) -> kiln_canon::p3::HostRetry {
    Box::new(move |rt: &ComponentRuntime| {
        let Some(end) = source.end() else {
            return rt.with_p3(|cx| Ok(Some(source_wait(&source, cx.host))));
        };
        let at = layout.1 as usize;
        let mut v = vec![0u8; layout.0 as usize];
        match end {
            Ok(None) => {}
            Ok(Some(map)) => {
                let wanted = rt.with_p3(|cx| {
                    Ok(cx
                        .p3
                        .channels
                        .get(c)
                        .is_some_and(|ch| !matches!(ch.readable, kiln_canon::p3::End::Dropped)))
                })?;
                if wanted {
                    let rep =
                        with_host(rt, |h| Ok(state(h).fields.insert(Fields::immutable(map))))?;
                    let handle = rt.with_instance(inst, |i| i.lower_own(Fields3Res::TYPE, rep))?;
                    v[at] = 1;
                    v[at + 4..at + 8].copy_from_slice(&handle.to_le_bytes());
                }
            }
            Err(e) => {
                v[0] = 1;
                v[at] = e.case();
            }
        }
        rt.with_p3(|cx| cx.write_future(c, v))?;
        Ok(None)
    })
}

/// A guest body being sent: its pipe, and what each end has done.
pub(crate) struct Sending {
    /// The body `hyper` reads (none: a request without contents).
    body: Option<OutgoingBody>,
    writer: Option<BodyWriter>,
    contents_done: bool,
    /// Why writing the contents failed (more than the `content-length`).
    contents_failed: Option<ErrorCode>,
    trailers: Option<Result<Option<http::HeaderMap>, ErrorCode>>,
    /// The future `new` returned, and its value's layout.
    result: (u32, (u32, u32)),
    finished: bool,
    /// A client request's: whether its exchange is still under way
    /// (`Some(None)`), or how it ended (the request went out, or why
    /// not); `None` for a response's body.
    exchange: Option<Option<Result<(), ErrorCode>>>,
}

impl Sending {
    /// Ends the body once both ends finished: the future's value. A
    /// request without contents was transmitted once its exchange got a
    /// response, so its value waits for that ([`Sending::exchange_ended`]).
    fn finish(&mut self) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        if self.finished || !self.contents_done {
            return None;
        }
        if self.body.is_none()
            && matches!(self.exchange, Some(None))
            && matches!(self.trailers, Some(Ok(_)))
        {
            return None;
        }
        let trailers = self.trailers.take()?;
        self.finished = true;
        self.writer = None;
        let failed = match &self.exchange {
            Some(Some(Err(e))) => Some(e.clone()),
            _ => None,
        };
        if let Some(e) = self.contents_failed.clone() {
            // The pipe failed already; `hyper` has the error.
            drop(self.body.take());
            return Some((self.result.0, result_bytes(self.result.1, &Err(e))));
        }
        let outcome = match (self.body.take(), trailers) {
            // A request that never went out was not transmitted, whatever
            // its body did.
            (b, Ok(_)) if failed.is_some() => {
                if let Some(b) = b {
                    b.abort();
                }
                Err(failed.unwrap_or(ErrorCode::InternalError(None)))
            }
            (Some(b), Ok(t)) => b.finish(t),
            // A body whose `content-length` was all written is whole:
            // `hyper` sent it without waiting for trailers, as Wasmtime's
            // does, so their error changes nothing.
            (Some(b), Err(_)) if b.complete_by_length() => b.finish(None),
            // The message is cut off, not ended: the peer must not take
            // it as whole; the exchange fails with the trailers' error
            // (Wasmtime's client does the same).
            (Some(b), Err(e)) => {
                b.fail(e.clone());
                // Wasmtime 49 still says a response was sent: its contents
                // were (the trailers' error only cuts the message off).
                if self.exchange.is_none() {
                    Ok(())
                } else {
                    Err(e)
                }
            }
            (None, Ok(_)) => Ok(()),
            (None, Err(e)) => Err(e),
        };
        Some((self.result.0, result_bytes(self.result.1, &outcome)))
    }

    /// Records how a client request's exchange ended (`Ok`: a response
    /// came); the future's value if the body can now finish.
    pub(crate) fn exchange_ended(
        &mut self,
        r: Result<(), ErrorCode>,
    ) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        self.exchange = Some(Some(r));
        self.finish()
    }

    /// Whether the future `new` returned has its value.
    pub(crate) fn is_finished(&self) -> bool {
        self.finished
    }
}

/// The guest's contents stream as the pipe's writer.
struct ContentsSink(Rc<RefCell<Sending>>);

impl HostSink for ContentsSink {
    fn write(&mut self, host: &mut dyn Host, data: &[u8]) -> Result<SinkWrite, Trap> {
        let mut s = self.0.borrow_mut();
        let Some(w) = s.writer.as_mut() else {
            return Ok(SinkWrite::Closed(None));
        };
        let room = match w.check_write() {
            Ok(r) => r as usize,
            Err(_) => {
                drop(s);
                return Ok(SinkWrite::Closed(None));
            }
        };
        if room == 0 {
            let wait = match w.readiness() {
                Readiness::Fd { fd, write } | Readiness::FdUntil { fd, write, .. } => {
                    bounded_wait(fd, write, host)
                }
                Readiness::Always => HostWait::Deadline(0),
                _ => HostWait::Deadline(now(host).saturating_add(1_000_000)),
            };
            return Ok(SinkWrite::Blocked(wait));
        }
        let n = room.min(data.len());
        match w.write_within_length(&data[..n]) {
            Ok(()) => Ok(SinkWrite::Wrote(n)),
            Err(StreamFailure::FailedWith(_, e)) => {
                // The body failed (more than its `content-length`): it is
                // over, and the future `new` returned says why.
                if let Ok(code) = e.downcast::<ErrorCode>() {
                    s.contents_failed = Some(*code);
                    s.contents_done = true;
                    // The trailers no longer matter.
                    s.trailers.get_or_insert(Ok(None));
                    return Ok(SinkWrite::Closed(s.finish()));
                }
                Ok(SinkWrite::Closed(None))
            }
            Err(_) => Ok(SinkWrite::Closed(None)),
        }
    }

    fn finish(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        let mut s = self.0.borrow_mut();
        s.contents_done = true;
        s.finish()
    }
}

/// The guest's trailers future as the end of the body.
struct TrailersSink {
    sending: Rc<RefCell<Sending>>,
    /// Offset of the payload in the future's value.
    at: usize,
}

impl HostSink for TrailersSink {
    fn write(&mut self, _host: &mut dyn Host, data: &[u8]) -> Result<SinkWrite, Trap> {
        Ok(SinkWrite::Wrote(data.len()))
    }

    fn write_in(
        &mut self,
        host: &mut dyn Host,
        instances: &mut [InstanceState],
        writer: u32,
        memory: &[u8],
        range: std::ops::Range<usize>,
    ) -> Result<SinkWrite, Trap> {
        let at = self.at;
        let data = memory.get(range.clone()).unwrap_or_default();
        let byte = |i: usize| data.get(i).copied().unwrap_or(0);
        let value = if byte(0) == 0 {
            if byte(at) == 0 {
                Ok(None)
            } else {
                let h =
                    u32::from_le_bytes([byte(at + 4), byte(at + 5), byte(at + 6), byte(at + 7)]);
                let i = instances
                    .get_mut(writer as usize)
                    .ok_or_else(kiln_canon::trap::no_instance)?;
                let rep = i.lift_own(Fields3Res::TYPE, h)?;
                let h2 = kiln_wasi_p3::sockets::tcp::p2host(host)?;
                Ok(Some(super::fields::take(h2, rep)?))
            }
        } else {
            // The guest's error code, strings included (from the writer's
            // memory): the body fails with it.
            Err(super::forward::lift_error(memory, range.start + at))
        };
        let mut s = self.sending.borrow_mut();
        if s.trailers.is_none() {
            s.trailers = Some(value);
        }
        Ok(SinkWrite::Wrote(1))
    }

    fn finish(&mut self, _host: &mut dyn Host) -> Option<(u32, kiln_canon::p3::FutureValue)> {
        let mut s = self.sending.borrow_mut();
        if s.trailers.is_none() {
            s.trailers = Some(Ok(None));
        }
        s.finish()
    }
}

/// Sends guest body `body` through `out` (the pipe of a request or
/// response `hyper` has, or will have): its contents stream and trailers
/// future get sinks; the future `new` returned resolves when both ended
/// (for a client request, `request` true, also depending on how its
/// exchange ends: the returned state is told, [`Sending::exchange_ended`]).
pub(crate) fn send_guest_body(
    rt: &ComponentRuntime,
    body: Body3,
    out: Option<OutgoingBody>,
    request: bool,
) -> Result<Option<Rc<RefCell<Sending>>>, Trap> {
    let Body3::Guest {
        contents,
        trailers,
        result,
    } = body
    else {
        return Ok(None);
    };
    rt.with_p3(|cx| {
        let result_layout = layout_of_result(cx, result);
        let at = cx
            .p3
            .channels
            .get(trailers)
            .map_or(8, |ch| ch.elem_align as usize);
        let writer = out.as_ref().map(|b| BodyWriter {
            pipe: b.pipe.clone(),
            child: b.child.clone_for_stream(),
        });
        let sending = Rc::new(RefCell::new(Sending {
            body: out,
            writer,
            contents_done: contents.is_none(),
            contents_failed: None,
            trailers: None,
            result: (result, result_layout),
            finished: false,
            exchange: request.then_some(None),
        }));
        if let Some(c) = contents {
            cx.attach_sink(c, Box::new(ContentsSink(sending.clone())))?;
        }
        cx.attach_sink(
            trailers,
            Box::new(TrailersSink {
                sending: sending.clone(),
                at,
            }),
        )?;
        Ok(Some(sending))
    })
}

/// Resolves the future `new` returned for a body that is not sent at all
/// (its request was refused before any exchange): `Err(e)`.
pub(crate) fn fail_guest_body(
    rt: &ComponentRuntime,
    body: Body3,
    e: ErrorCode,
) -> Result<(), Trap> {
    let Body3::Guest { result, .. } = body else {
        return Ok(());
    };
    rt.with_p3(|cx| {
        let layout = layout_of_result(cx, result);
        cx.write_future(result, result_bytes(layout, &Err(e)))
    })
}

/// `own<R>`, for describing.
fn own_of<R: Resource>(
    b: &mut kiln_abi::component::TypeTableBuilder,
) -> Result<TypeIndex, kiln_abi::component::TypeError> {
    b.add(TypeDef::Own(R::TYPE.type_operand()))
}

/// `future<result<_, error-code>>`.
fn result_future(
    b: &mut kiln_abi::component::TypeTableBuilder,
) -> Result<TypeIndex, kiln_abi::component::TypeError> {
    let r = <Result<(), ErrorCode> as ComponentType>::describe(b)?;
    b.add(TypeDef::Future(Some(r)))
}

/// `future<result<option<trailers>, error-code>>`.
fn trailers_future(
    b: &mut kiln_abi::component::TypeTableBuilder,
) -> Result<TypeIndex, kiln_abi::component::TypeError> {
    let f = own_of::<Fields3Res>(b)?;
    let o = b.add(TypeDef::Option(f))?;
    let e = <ErrorCode as ComponentType>::describe(b)?;
    let r = b.add(TypeDef::Result {
        ok: Some(o),
        err: Some(e),
    })?;
    b.add(TypeDef::Future(Some(r)))
}

/// `option<stream<u8>>`.
fn contents(
    b: &mut kiln_abi::component::TypeTableBuilder,
) -> Result<TypeIndex, kiln_abi::component::TypeError> {
    let u8_ = b.add(TypeDef::U8)?;
    let s = b.add(TypeDef::Stream(Some(u8_)))?;
    b.add(TypeDef::Option(s))
}

const DESCRIBE_REQUEST_NEW: Describe = |b| {
    let headers = own_of::<Fields3Res>(b)?;
    let c = contents(b)?;
    let t = trailers_future(b)?;
    let o = own_of::<RequestOptions3Res>(b)?;
    let o = b.add(TypeDef::Option(o))?;
    let params = b.add(TypeDef::Tuple(&[headers, c, t, o]))?;
    let r = own_of::<Request3Res>(b)?;
    let f = result_future(b)?;
    Ok((params, b.add(TypeDef::Tuple(&[r, f]))?))
};

const DESCRIBE_RESPONSE_NEW: Describe = |b| {
    let headers = own_of::<Fields3Res>(b)?;
    let c = contents(b)?;
    let t = trailers_future(b)?;
    let params = b.add(TypeDef::Tuple(&[headers, c, t]))?;
    let r = own_of::<Response3Res>(b)?;
    let f = result_future(b)?;
    Ok((params, b.add(TypeDef::Tuple(&[r, f]))?))
};

/// `consume-body`'s type for resource `R`.
fn describe_consume<R: Resource>(
    b: &mut kiln_abi::component::TypeTableBuilder,
) -> Result<(TypeIndex, TypeIndex), kiln_abi::component::TypeError> {
    let this = own_of::<R>(b)?;
    let res = result_future(b)?;
    let params = b.add(TypeDef::Tuple(&[this, res]))?;
    let u8_ = b.add(TypeDef::U8)?;
    let s = b.add(TypeDef::Stream(Some(u8_)))?;
    let t = trailers_future(b)?;
    Ok((params, b.add(TypeDef::Tuple(&[s, t]))?))
}

const DESCRIBE_REQUEST_CONSUME: Describe = describe_consume::<Request3Res>;
const DESCRIBE_RESPONSE_CONSUME: Describe = describe_consume::<Response3Res>;

/// Whether an incoming body's connection should be driven: what a host
/// wait on it becomes (for the server's and client's loops).
pub fn wait_for(source: &BodySource, host: &mut dyn Host) -> HostWait {
    source_wait(source, host)
}

#[allow(
    dead_code,
    reason = "keeps the entry type checked against the contract"
)]
const _: kiln_abi::component::LoweredHostFn = request_new;
