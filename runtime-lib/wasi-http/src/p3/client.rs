//! `wasi:http/client@0.3.send`: an `async func` on the 0.2 client
//! (`super::super::client`): the 0.3 request becomes an `outgoing-request`
//! whose body pipe the guest's contents stream and trailers future feed
//! (`super::body::send_guest_body`), `outgoing-handler.handle` starts the
//! exchange, and the call waits on the one reactor (a subtask of the
//! caller, `kiln_wasi_p3::sockets::pending::wait_for`) until the response
//! head arrived: a 0.3 `response` whose body is the exchange's.
//!
//! Phase: run time (a lowered-import entry). Inputs: an own `request`.
//! Outputs: `result<response, error-code>` at the return pointer.
//!
//! A request whose body is one the guest received (a proxy forwarding a
//! server's request) has that body forwarded as it arrives
//! (`super::serve::forward`).

use super::super::body::new_outgoing_body;
use super::super::client::{self as c2, future_readiness};
use super::super::request::OutgoingRequest;
use super::super::types::ErrorCode;
use super::super::{FutureIncomingResponseRes, OutgoingRequestRes, RequestOptionsRes, state};
use super::body::{Sending, bounded_wait, fail_guest_body, send_guest_body};
use super::message::{method_of, scheme_of};
use super::{Body3, Request3Res, Response3, Response3Res};
use kiln_abi::component::{CanonOpts, TypeDef};
use kiln_canon::p3::{HostAction, HostOp, HostWait};
use kiln_canon::{Borrow, ComponentRuntime, ComponentType, Own, Resource, Trap};
use kiln_wasi_p2::io::{Readiness, no_object};
use kiln_wasi_p2::table::{Describe, Impl};
use kiln_wasi_p2::{P2Host, with_host};
use kiln_wasi_p3::entry;
use kiln_wasi_p3::sockets::pending::{Attempt, wait_for};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The 0.3 client.
pub const IMPLS: &[Impl] = &[("wasi:http/client@0.3", "send", (send, DESCRIBE_SEND))];

type SendResult = Result<Own<Response3Res>, ErrorCode>;

/// `send(request) -> result<response, error-code>`: slots `[request,
/// retptr]` (the status in slot 0 for an async lowering).
///
/// # Safety
/// Called by compiled trampolines only (the contract).
unsafe extern "C" fn send(opts: *const CanonOpts, slots: *mut u64, n: u32) {
    // SAFETY: the trampoline's record, compiled into the executable.
    let sopts: &'static CanonOpts = unsafe { &*opts };
    // SAFETY: forwarded.
    unsafe {
        entry(opts, slots, n, |rt, opts, slots| {
            rt.prepare_host_call(opts)?;
            let rep = rt.with_instance(opts.component_instance, |i| {
                i.lift_own(Request3Res::TYPE, slots[0] as u32)
            })?;
            let started = with_host(rt, |h| start(h, rep))?;
            let (fut, body, out) = match started {
                Ok(x) => x,
                Err((e, body)) => {
                    // Never transmitted: the future `new` returned says so.
                    fail_guest_body(rt, body, e.clone())?;
                    let v: SendResult = Err(e);
                    let ptr = slots[1] as u32;
                    if sopts.is_async() {
                        slots[0] = u64::from(kiln_abi::component::canon::subtask_state::RETURNED);
                    }
                    return kiln_wasi_p3::sockets::pending::store(rt, opts, ptr, &v);
                }
            };
            let sending = match body {
                // A body received (a server's request), forwarded as it
                // arrives.
                Body3::Incoming(source) => {
                    super::serve::forward(rt, source, out, None)?;
                    None
                }
                // One the guest received and handed on whole.
                Body3::Forwarded(source, result) => {
                    super::serve::forward(rt, source, out, Some(result))?;
                    None
                }
                guest => send_guest_body(rt, guest, out, true)?,
            };
            let ended: Rc<Cell<Option<Result<(), ErrorCode>>>> = Rc::default();
            if let Some(sending) = sending {
                tell_body(rt, sending, ended.clone(), fut)?;
            }
            let attempt: Attempt<SendResult> = Box::new(move |h: &mut P2Host| {
                let r = poll(h, fut)?;
                if let Ok(got) = &r {
                    ended.set(Some(got.as_ref().map(drop).map_err(Clone::clone)));
                }
                Ok(r)
            });
            wait_for(rt, sopts, slots, HostWait::Deadline(0), attempt, 1)
        })
    }
}

/// Tells the guest body being sent (`sending`) how its request's exchange
/// (response future `fut`) ended, once `ended` has it: a host task of the
/// event loop, woken as the exchange's connection is, that writes the
/// body's future if that was waiting for it.
fn tell_body(
    rt: &ComponentRuntime,
    sending: Rc<RefCell<Sending>>,
    ended: Rc<Cell<Option<Result<(), ErrorCode>>>>,
    fut: u32,
) -> Result<(), Trap> {
    let task: kiln_canon::p3::HostRetry = Box::new(move |rt: &ComponentRuntime| {
        if sending.borrow().is_finished() {
            return Ok(None);
        }
        let Some(r) = ended.take() else {
            // Once the answer is in, the send's attempt takes it this turn.
            return with_host(rt, |h| Ok(Some(exchange_wait(h, fut))));
        };
        let value = sending.borrow_mut().exchange_ended(r);
        if let Some((c, v)) = value {
            rt.with_p3(|cx| cx.write_future(c, v))?;
        }
        Ok(None)
    });
    rt.with_p3(|cx| {
        cx.start_op(HostOp {
            wait: HostWait::Deadline(0),
            action: HostAction::Task(task),
        });
        Ok(())
    })
}

/// Starts the exchange of request `rep`: the response future's rep, the
/// body to send, and its pipe; or why it cannot, with the body.
#[allow(clippy::type_complexity, reason = "a private tuple")]
fn start(
    h: &mut P2Host,
    rep: u32,
) -> Result<Result<(u32, Body3, Option<super::super::body::OutgoingBody>), (ErrorCode, Body3)>, Trap>
{
    let r = state(h)
        .requests3
        .remove(rep)
        .ok_or_else(|| no_object("request"))?;
    let has_contents = matches!(
        r.body,
        Body3::Guest {
            contents: Some(_),
            ..
        } | Body3::Incoming(_)
            | Body3::Forwarded(..)
    );
    let (out, pipe) = if has_contents {
        let size = super::super::content_length(&r.headers).ok().flatten();
        let (b, p) = new_outgoing_body(size);
        (Some(b), Some(p))
    } else {
        (None, None)
    };
    let req = OutgoingRequest {
        method: method_of(&r.method),
        scheme: r.scheme.as_ref().map(scheme_of),
        authority: r.authority.as_ref().map(|a| a.as_str().to_string()),
        path_with_query: r.path,
        headers: r.headers,
        body: pipe,
    };
    let s = state(h);
    let req_rep = s.requests.insert(req);
    let options = r
        .options
        .map(|o| Own::<RequestOptionsRes>::new(s.options.insert(o)));
    let fut = c2::handle(h, (Own::<OutgoingRequestRes>::new(req_rep), options))?;
    Ok(match fut {
        Ok(f) => Ok((f.rep(), r.body, out)),
        Err(e) => Err((e, r.body)),
    })
}

/// What to wait for until exchange `fut` (a response future) moves.
fn exchange_wait(h: &mut P2Host, fut: u32) -> HostWait {
    match future_readiness(h, fut) {
        Readiness::Fd { fd, write } => bounded_wait(fd, write, h),
        Readiness::FdUntil {
            fd,
            write,
            deadline,
        } => HostWait::FdUntil {
            fd,
            write,
            deadline,
        },
        Readiness::Deadline(d) => HostWait::Deadline(d),
        _ => HostWait::Deadline(0),
    }
}

/// One try: the response, once its head arrived.
fn poll(h: &mut P2Host, fut: u32) -> Result<Result<SendResult, HostWait>, Trap> {
    let got = c2::get(h, (Borrow::<FutureIncomingResponseRes>::new(fut),))?;
    let Some(got) = got else {
        return Ok(Err(exchange_wait(h, fut)));
    };
    state(h).futures.remove(fut);
    let r = match got {
        Err(()) => Err(ErrorCode::InternalError(None)),
        Ok(Err(e)) => Err(e),
        Ok(Ok(resp)) => {
            let s = state(h);
            let r = s
                .incoming
                .remove(resp.rep())
                .ok_or_else(|| no_object("incoming-response"))?;
            let body = match r.body {
                Some(b) => Body3::Incoming(b),
                None => Body3::Taken,
            };
            Ok(Own::new(s.responses3.insert(Response3 {
                status: r.status,
                headers: r.headers,
                body,
            })))
        }
    };
    Ok(Ok(r))
}

const DESCRIBE_SEND: Describe = |b| {
    let req = b.add(TypeDef::Own(Request3Res::TYPE.type_operand()))?;
    let params = b.add(TypeDef::Tuple(&[req]))?;
    Ok((params, <SendResult as ComponentType>::describe(b)?))
};
