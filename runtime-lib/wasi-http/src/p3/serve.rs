//! A server's request for a `wasi:http/handler@0.3` export, and its
//! answer: the 0.2 server's connection, request queue and response slot
//! (`super::super::server`), with the request handed to the guest as a
//! 0.3 `request` and the guest's 0.3 `response` sent through the 0.2
//! `response-outparam` machinery.
//!
//! Phase: run time (the connection process's per-request step). Inputs: a
//! queued request, the handler's result. Outputs: the response `hyper`
//! sends, its body fed by the guest's stream (or forwarded from a body
//! the guest received, [`forward`]).

use super::super::body::{BodySource, BodyWriter, OutgoingBody};
use super::super::request::OutgoingResponse;
use super::super::server::{
    Pending, ServerConn, answer_500, install as install2, set_outparam, take_as_p3,
};
use super::super::types::ErrorCode;
use super::super::{OutgoingResponseRes, ResponseOutparamRes, state};
use super::body::{bounded_wait, layout_of_result, result_bytes, send_guest_body, wait_for};
use super::{Body3, Response3Res};
use kiln_canon::abi::CanonOpts;
use kiln_canon::p3::{HostAction, HostOp, HostWait};
use kiln_canon::{
    ComponentRuntime, ComponentType, FlatSource, GuestMemory, Lift, LiftCx, Own, Resource, Trap,
};
use kiln_http_serve::header_args::Header;
use kiln_wasi_p2::io::{OutputStreamImpl, Readiness};
use kiln_wasi_p2::{P2Host, with_host};

/// Puts `p`'s request into `h` as a 0.3 `request` (headers as the 0.2
/// server hands them over): the reps of the request and of the 0.2
/// response outparam its answer goes through.
pub fn install(
    h: &mut P2Host,
    p: Pending,
    conn: &ServerConn,
    extra: &[Header],
    max_body: Option<u64>,
) -> Result<(u32, u32), Trap> {
    let (req, out) = install2(h, p, conn, extra, max_body);
    let r = take_as_p3(h, req)?;
    Ok((state(h).requests3.insert(r), out))
}

/// The type of the `request` handle the handler takes.
pub const REQUEST_TYPE: kiln_canon::ResourceType = super::Request3Res::TYPE;

/// The handler's `result<response, error-code>` from the flat values its
/// task gave `task.return` (options `opts`): the `response` handle, or
/// the error code lifted from the guest (its strings from `opts`'
/// memory). Over `MAX_FLAT_PARAMS` values the one value is the address
/// of the result, checked as the canonical ABI checks it.
pub fn handler_result(opts: &CanonOpts, flat: &[u64]) -> Result<Result<u32, ErrorCode>, Trap> {
    type R = Result<u32, ErrorCode>;
    // SAFETY: the export's options: its memory definition (or null), live.
    let memory = unsafe { GuestMemory::from_definition(opts.memory_def as usize as *const _) };
    // SAFETY: no guest code runs while `bytes` is alive (lifting only
    // reads it).
    let bytes = unsafe { memory.bytes() };
    let mut cx = LiftCx::new(bytes, opts.encoding(), None);
    if <R as ComponentType>::FLAT > kiln_abi::component::MAX_FLAT_PARAMS {
        let ptr = flat.first().copied().unwrap_or(0) as u32;
        kiln_canon::call::check_tuple_ptr(
            memory,
            ptr,
            <R as ComponentType>::ALIGN32,
            <R as ComponentType>::SIZE32,
        )?;
        R::load(&mut cx, ptr)
    } else {
        // `own<response>` is one `i32` slot, as the `u32` lifted here.
        R::lift_flat(&mut cx, &mut FlatSource::new(flat))
    }
}

/// Answers through outparam `out` with the handler's result: `Ok(rep)` of
/// a `response` taken from the guest, or the error it returned, answered
/// as Wasmtime 49 answers it: `500` with its page (the connection stays
/// open; the caller reports the code).
pub fn respond(rt: &ComponentRuntime, out: u32, r: Result<u32, ErrorCode>) -> Result<(), Trap> {
    let (body, sink) = with_host(rt, |h| {
        let rep = match r {
            Err(_) => {
                let out = state(h)
                    .outparams
                    .remove(out)
                    .ok_or_else(|| kiln_wasi_p2::io::no_object("response-outparam"))?;
                answer_500(&out.reply);
                return Ok((Body3::Taken, None));
            }
            Ok(rep) => rep,
        };
        let resp = state(h)
            .responses3
            .remove(rep)
            .ok_or_else(|| kiln_wasi_p2::io::no_object("response"))?;
        let size = super::super::content_length(&resp.headers).ok().flatten();
        let (ob, pipe) = super::super::body::new_response_body(size);
        let r2 = state(h).responses.insert(OutgoingResponse {
            status: resp.status,
            headers: resp.headers,
            body: Some(pipe),
        });
        set_outparam(
            h,
            Own::<ResponseOutparamRes>::new(out),
            Ok(Own::<OutgoingResponseRes>::new(r2)),
        )?;
        // `hyper` sends the head at the next drive: after the tasks the
        // guest left ready (its body writer) ran, so that a short body
        // goes out with the head in one write rather than two. Any write
        // into the body drives earlier; this host task drives once
        // nothing else can run, so a head whose body comes later is not
        // held back.
        Ok((resp.body, Some((ob, state(h).exec.clone()))))
    })?;
    let sink = sink.map(|(ob, exec)| {
        rt.with_p3(|cx| {
            cx.start_op(HostOp {
                wait: HostWait::Deadline(0),
                action: HostAction::Task(Box::new(move |_| {
                    exec.drive();
                    Ok(None)
                })),
            });
            Ok(())
        })
        .map(|()| ob)
    });
    let sink = sink.transpose()?;
    match body {
        Body3::Incoming(source) => forward(rt, source, sink, None),
        Body3::Forwarded(source, result) => forward(rt, source, sink, Some(result)),
        Body3::Taken => Ok(()),
        guest => send_guest_body(rt, guest, sink, false).map(drop),
    }
}

/// The own `response` handle `h` of the handler's instance `inst`, taken.
pub fn take_response(rt: &ComponentRuntime, inst: u32, h: u32) -> Result<u32, Trap> {
    rt.with_instance(inst, |i| i.lift_own(Response3Res::TYPE, h))
}

/// Forwards an incoming body into `out` (a message whose body is one the
/// guest received, unread or handed on whole), a host task of the event
/// loop; `sent` is the future `new` returned for a body handed on, told
/// how the forwarding ended.
pub fn forward(
    rt: &ComponentRuntime,
    source: BodySource,
    out: Option<OutgoingBody>,
    sent: Option<u32>,
) -> Result<(), Trap> {
    let tell = move |rt: &ComponentRuntime, r: Result<(), ErrorCode>| match sent {
        Some(c) => rt.with_p3(|cx| {
            let l = layout_of_result(cx, c);
            cx.write_future(c, result_bytes(l, &r))
        }),
        None => Ok(()),
    };
    let Some(out) = out else {
        return tell(rt, Ok(()));
    };
    let mut writer = BodyWriter {
        pipe: out.pipe.clone(),
        child: out.child.clone_for_stream(),
    };
    let mut out = Some(out);
    let mut closed = false;
    let mut buf = vec![0u8; super::super::body::CHUNK];
    let task: kiln_canon::p3::HostRetry = Box::new(move |rt: &ComponentRuntime| {
        loop {
            let room = if closed {
                0
            } else {
                match writer.check_write() {
                    Ok(r) => r as usize,
                    // Nobody reads on (the peer has what its
                    // `content-length` said, or the message failed): the
                    // rest is dropped and the end tells which.
                    Err(_) => {
                        closed = true;
                        source.discard();
                        0
                    }
                }
            };
            if closed {
                match source.end() {
                    None => return rt.with_p3(|cx| Ok(Some(wait_for(&source, cx.host)))),
                    Some(end) => {
                        let outcome = match (out.take(), end) {
                            (Some(o), Ok(t)) => o.finish(t),
                            (_, Err(e)) => Err(e),
                            (None, Ok(_)) => Ok(()),
                        };
                        tell(rt, outcome)?;
                        return Ok(None);
                    }
                }
            }
            if room == 0 {
                return match writer.readiness() {
                    Readiness::Fd { fd, write } | Readiness::FdUntil { fd, write, .. } => {
                        rt.with_p3(|cx| Ok(Some(bounded_wait(fd, write, cx.host))))
                    }
                    Readiness::Always => Ok(Some(HostWait::Deadline(0))),
                    _ => rt.with_p3(|cx| Ok(Some(wait_for(&source, cx.host)))),
                };
            }
            let k = room.min(buf.len());
            let n = source.read_into(&mut buf[..k]);
            if n > 0 {
                if writer.write(&buf[..n]).is_err() {
                    closed = true;
                    source.discard();
                }
                continue;
            }
            match source.end() {
                None => return rt.with_p3(|cx| Ok(Some(wait_for(&source, cx.host)))),
                Some(end) => {
                    let outcome = match out.take() {
                        // The body's outcome reaches the peer as the end
                        // of the message (or its failure).
                        Some(o) => match end {
                            Ok(t) => o.finish(t),
                            Err(e) => {
                                o.abort();
                                Err(e)
                            }
                        },
                        None => Ok(()),
                    };
                    tell(rt, outcome)?;
                    return Ok(None);
                }
            }
        }
    });
    rt.with_p3(|cx| {
        cx.start_op(HostOp {
            wait: HostWait::Deadline(0),
            action: HostAction::Task(task),
        });
        Ok(())
    })
}
