//! The one-process server, for targets without `fork` (Windows): the
//! listener and every connection on this process's reactor, each request
//! handled in turn on the guest thread (`Handler::request`: a fresh
//! instance per 0.2 request, a kept one for a 0.3 service, exactly as a
//! connection process of the Unix server does).
//!
//! Phase: the guest thread of a server executable. Inputs: the handler
//! and the server options. Output: the exit status (0 after a connection
//! to `--shutdown-addr`; 1 when the address cannot be bound).
//!
//! What differs from the process-per-connection server
//! (`kiln_http_serve::listen`): requests run one at a time (a slow
//! handler delays the others; connections are still accepted and their
//! requests read meanwhile), a crash outside the guest ends the server,
//! and a request timeout (`-W timeout`) is refused (`super::serve`).
//! Between requests every connection progresses: the loop waits on the
//! listener, every connection's socket and `hyper`'s timers at once.
//!
//! Invariants: at most `--max-concurrent-connections` connections are
//! open (the listener is not polled at the limit); an instance kept for
//! more requests (a 0.3 service) is dropped after `--idle-instance-timeout`
//! without one.

use super::{CONN_LIMITS, Handler, ServeOptions};
use kiln_http_serve::bind::bind;
use kiln_http_serve::clock::now;
use kiln_platform::net::poll_raw;
use kiln_vm::errors;
use kiln_wasi::http::server::{ServerConn, take_next_timer};
use kiln_wasi_kernel::reactor::{Waitable, wait};
use std::io::Write as _;

/// Binds, prints the banner and serves until a connection to the shutdown
/// address; the exit status.
pub(super) fn run(handler: &Handler, options: &ServeOptions) -> i32 {
    let shutdown = match options.shutdown_addr.map(bind).transpose() {
        Ok(Some((l, local))) => {
            let _ = writeln!(
                std::io::stderr(),
                "Listening for shutdown on tcp://{local}/"
            );
            Some(l)
        }
        Ok(None) => None,
        Err(e) => return errors::report(&[e]),
    };
    let (listener, local) = match bind(options.addr) {
        Ok(x) => x,
        Err(e) => return errors::report(&[e]),
    };
    let _ = writeln!(std::io::stderr(), "Serving HTTP on http://{local}/");
    let idle = u64::try_from(options.idle_timeout.as_nanos()).unwrap_or(u64::MAX);
    let mut conns: Vec<ServerConn> = Vec::new();
    // Since when the kept instance (if any) served no request.
    let mut idle_since: Option<u64> = None;
    loop {
        if shutdown.as_ref().is_some_and(|l| l.accept().is_ok()) {
            // As Wasmtime, the shutdown connection is closed unanswered;
            // no request runs now, so nothing is cut short.
            handler.retire();
            return 0;
        }
        while conns.len() < options.max_connections {
            match listener.accept() {
                Ok((stream, _)) => conns.push(ServerConn::new(stream, CONN_LIMITS)),
                Err(_) => break,
            }
        }
        let mut served = false;
        for conn in &conns {
            conn.drive();
            while let Some(p) = conn.next_request() {
                handler.request(p, conn);
                served = true;
            }
        }
        conns.retain(|c| !c.is_done());
        if served {
            // What arrived meanwhile is looked at before any wait.
            idle_since = None;
            continue;
        }
        let t = now();
        if handler.live.borrow().is_some() {
            let since = *idle_since.get_or_insert(t);
            if t >= since.saturating_add(idle) {
                handler.retire();
                idle_since = None;
            }
        } else {
            idle_since = None;
        }
        if conns.iter().any(|c| c.exec.has_work()) {
            continue;
        }
        let mut items = Vec::with_capacity(conns.len() + 4);
        if conns.len() < options.max_connections {
            items.push(Waitable::Fd {
                fd: poll_raw(&listener),
                write: false,
            });
        }
        if let Some(l) = &shutdown {
            items.push(Waitable::Fd {
                fd: poll_raw(l),
                write: false,
            });
        }
        items.extend(conns.iter().filter_map(|c| c.interest.reactor_item()));
        if let Some(t) = take_next_timer() {
            items.push(Waitable::Deadline(t));
        }
        if let Some(since) = idle_since {
            items.push(Waitable::Deadline(since.saturating_add(idle)));
        }
        let _ = wait(&items, &now, true);
    }
}
