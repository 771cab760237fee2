//! A 0.3 service's worker process: one instance of the component serving
//! the concurrent requests of several connections, as `wasmtime serve`
//! sends up to `--max-instance-concurrent-reuse-count` (16) requests to
//! one WASIp3 instance at once.
//!
//! Phase: run time, in a connection process of a server executable whose
//! export is `wasi:http/handler@0.3` (`super::serve` picks this loop
//! unless a request timeout or a request limit needs one connection per
//! process). Inputs: the connections the server process hands over
//! (`ChildCtx::try_connection`), their requests. Outputs: responses; one
//! `IDLE` byte to the server per connection that ended (a free place).
//!
//! Why: with a process per connection, each request wakes its own process,
//! and at many connections the machine spends its time switching between
//! them; a worker's one wake-up serves every connection that is ready.
//!
//! The loop, one thread, one reactor wait per idle turn:
//! 1. take handed-over connections (all on one `hyper` executor);
//! 2. start a task of the handler for each queued request
//!    (`kiln_canon::p3::run::start_async_export`), on the kept instance or
//!    a new one;
//! 3. run every task that can go on, answering each handler that returned
//!    (`kiln_wasi::http::p3::serve::respond`: its body streams as the
//!    guest writes it, a host task of the loop);
//! 4. with nothing left to do, wait for the connections, `hyper`'s timers,
//!    the host operations the tasks wait for, the server and the stop
//!    signal together: polled for [`SPIN_US`] first, then asleep.
//!
//! Invariants (as the one-connection loop of `super`):
//! - a trap (or an error the runtime reports) ends the instance: every
//!   request of it not answered yet gets `500` and the report, the others'
//!   bodies break; the connections go on, on a new instance;
//! - when no task can go on and no host operation is pending, a request
//!   still unanswered never will be: a deadlock, reported and answered
//!   `500`, and the instance is dropped;
//! - an instance is replaced at the first moment it runs nothing after it
//!   served `--max-instance-reuse-count` requests (Wasmtime replaces it at
//!   that count, starting a new one beside it; a process runs one instance
//!   at a time, so requests until then still meet the old one);
//! - the process ends when it serves no connection and the server retired
//!   it (`--idle-instance-timeout`) or is shutting down.

use super::{
    Handler, Live, answer_p3, error_report, kiln_wasi_kernel_prefix, report_refused, trap_report,
};
use kiln_abi::ValRaw;
use kiln_canon::p3::run;
use kiln_canon::{ComponentRuntime, Trap};
use kiln_http_serve::clock::now;
use kiln_http_serve::handoff::Received;
use kiln_http_serve::listen::ChildCtx;
use kiln_vm::errors;
use kiln_vm::traps::catch::{TrapTrace, catch_traps_traced};
use kiln_wasi::http::exec::Exec;
use kiln_wasi::http::p3::serve as p3serve;
use kiln_wasi::http::server::{ConnLimits, Pending, Reply, ServerConn, answer_500};
use kiln_wasi::http::types::ErrorCode;
use kiln_wasi::kernel::reactor::{Waitable, wait};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::Ordering;

/// A request handed to the instance.
struct Flight {
    /// The handler's task.
    task: u32,
    /// The response outparam its answer goes through.
    out: u32,
    reply: Rc<RefCell<Reply>>,
    /// Whether its handler returned and was answered.
    answered: bool,
}

/// The worker's state.
struct Worker<'a> {
    h: &'a Handler,
    /// Connections at once at most (and requests in flight at most).
    per_process: usize,
    limits: ConnLimits,
    exec: Rc<Exec>,
    conns: Vec<ServerConn>,
    flights: Vec<Flight>,
    live: Option<Live>,
    /// The server closed the control socket (retired, or gone).
    retired: bool,
    /// The last wait found the control socket readable (or none ran yet).
    handed: bool,
    /// How long a wait polls before it sleeps, in nanoseconds.
    spin: u64,
    /// The CPUs this process may run on.
    cpus: u64,
    stopping: bool,
}

/// Serves `first` and the connections handed over after it; the exit
/// status.
pub(super) fn run(
    h: &Handler,
    first: std::net::TcpStream,
    ctx: &ChildCtx,
    per_process: usize,
    limits: ConnLimits,
) -> i32 {
    let exec = Rc::new(Exec::default());
    let mut w = Worker {
        h,
        per_process,
        limits,
        conns: vec![ServerConn::on(first, limits, exec.clone())],
        exec,
        flights: Vec::new(),
        live: None,
        retired: false,
        handed: true,
        spin: spin_nanos(),
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get() as u64),
        stopping: false,
    };
    h.awake.fetch_add(1, Ordering::Relaxed);
    w.serve(ctx);
    h.awake.fetch_sub(1, Ordering::Relaxed);
    w.drop_instance();
    0
}

/// How long a wait polls without sleeping by default (microseconds),
/// while fewer workers than CPUs are awake.
///
/// Why: on loopback and fast networks the next request of a busy
/// connection often comes within microseconds of the last response, and a
/// process asleep in `epoll_wait` pays for being woken (on a VM, an
/// interrupt to another CPU: tens of microseconds, on the client's send
/// and on this process's start). Polling for a short while first takes
/// such a request without the wake-up: one connection's request rate more
/// than doubles on the benchmark's machine (`benches/serve.rs`). The cost
/// is at most this much CPU per quiet spell; `KILN_SERVE_SPIN_US=0` turns
/// it off (a server that shares its CPUs with other work).
const SPIN_US: u64 = 20;

/// [`SPIN_US`], or `KILN_SERVE_SPIN_US` (microseconds, at most 1000), in
/// nanoseconds.
fn spin_nanos() -> u64 {
    std::env::var("KILN_SERVE_SPIN_US")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(SPIN_US)
        .min(1000)
        * 1000
}

/// What a guest round ended with.
enum Failure {
    /// A trap unwound the guest: its report.
    Caught(String),
    /// The runtime returned an error.
    Returned(Trap),
}

impl Worker<'_> {
    fn serve(&mut self, ctx: &ChildCtx) {
        loop {
            self.take_connections(ctx);
            if !self.stopping && ctx.stopping() {
                self.stopping = true;
                ctx.drain();
                for c in &self.conns {
                    c.shutdown();
                }
            }
            // `hyper` first: it queues requests, and sends what the last
            // round answered.
            self.exec.drive();
            let progressed = self.guest_round();
            let before = self.conns.len();
            self.conns.retain(|c| !c.is_done());
            for _ in self.conns.len()..before {
                if !ctx.connection_ended() {
                    self.retired = true;
                }
            }
            if self.conns.is_empty() && (self.stopping || self.retired) {
                return;
            }
            if progressed || self.exec.has_work() {
                continue;
            }
            self.wait(ctx);
        }
    }

    /// Takes the connections the server handed over.
    fn take_connections(&mut self, ctx: &ChildCtx) {
        if !std::mem::take(&mut self.handed) {
            return;
        }
        while !self.retired {
            match ctx.try_connection() {
                Received::Conn(s) => {
                    let c = ServerConn::on(s, self.limits, self.exec.clone());
                    if self.stopping {
                        // Handed over just before the server stopped.
                        c.shutdown();
                    }
                    self.conns.push(c);
                }
                Received::Nothing => return,
                Received::Closed => self.retired = true,
            }
        }
    }

    /// Starts queued requests and runs the tasks that can go on, under the
    /// trap handler; whether anything happened.
    fn guest_round(&mut self) -> bool {
        let mut progressed = false;
        let mut outcome: Result<(), Trap> = Ok(());
        let mut trace = TrapTrace::default();
        let caught = catch_traps_traced(|| outcome = self.round(&mut progressed), &mut trace);
        let failure = match (caught, outcome) {
            (Err(t), _) => {
                kiln_vm::stack::reset_entries();
                Some(Failure::Caught(trap_report(&t, &trace)))
            }
            (Ok(()), Err(t)) => Some(Failure::Returned(t)),
            (Ok(()), Ok(())) => None,
        };
        if let Some(f) = failure {
            self.fail(f);
            return true;
        }
        if !progressed {
            self.settle();
        }
        progressed
    }

    /// The round itself: see [`Worker::guest_round`].
    fn round(&mut self, progressed: &mut bool) -> Result<(), Trap> {
        if let Some(live) = &self.live {
            run::turn(live.rt, false)?;
        }
        for i in 0..self.conns.len() {
            while self.flights.len() < self.per_process {
                let Some(p) = self.conns[i].next_request() else {
                    break;
                };
                *progressed = true;
                self.begin(p, i)?;
            }
        }
        let Some(rt) = self.live.as_ref().map(|l| l.rt) else {
            return Ok(());
        };
        loop {
            if self.answer_returned(rt)? {
                *progressed = true;
            }
            if !run::step(rt)? {
                break;
            }
            *progressed = true;
        }
        let before = self.flights.len();
        let mut over = Vec::new();
        for (i, f) in self.flights.iter().enumerate() {
            if f.answered && run::task_exited(rt, f.task)? {
                over.push(i);
            }
        }
        for i in over.into_iter().rev() {
            self.flights.remove(i);
        }
        if self.flights.len() != before {
            *progressed = true;
            run::forget_exited(rt)?;
        }
        Ok(())
    }

    /// Hands request `p` of connection `conn` to the instance (a new one
    /// if none is kept): its task starts.
    fn begin(&mut self, p: Pending, conn: usize) -> Result<(), Trap> {
        let h = self.h;
        if let Some(max) = h.max_body
            && kiln_wasi::http::server::declared_body_over(&p, max).is_some()
        {
            kiln_wasi::http::server::answer_413(p);
            return Ok(());
        }
        if self.live.is_none() {
            match h.fresh_instance() {
                Some(live) => self.live = Some(live),
                None => {
                    answer_500(&p.reply);
                    return Ok(());
                }
            }
        }
        let live = self.live.as_mut().expect("kept or made above");
        live.served += 1;
        let rt = live.rt;
        // The flight is known before anything can fail: a failure (a trap
        // in the start, a refused install) answers it.
        self.flights.push(Flight {
            task: u32::MAX,
            out: u32::MAX,
            reply: p.reply.clone(),
            answered: false,
        });
        let (req, out) = kiln_wasi::http::server::install_in(
            rt,
            true,
            p,
            &self.conns[conn],
            &h.headers,
            h.max_body,
        )?;
        if let Some(f) = self.flights.last_mut() {
            f.out = out;
        }
        let (func, opts) = h.handler_export(rt).map_err(kiln_canon::trap::trap)?;
        let handle = rt.prepare_host_call(opts).and_then(|_| {
            rt.with_instance(opts.component_instance, |i| {
                i.lower_own(p3serve::REQUEST_TYPE, req)
            })
        })?;
        let mut values = [ValRaw::default(); 1];
        values[0].0[..4].copy_from_slice(&handle.to_le_bytes());
        // SAFETY: an async-lifted `handle` is `[i32] -> [i32]` (the request
        // handle; the callback code), checked by the compiler's plan; the
        // result is lifted during `task.return` (an error code's strings
        // are the guest's to free right after it).
        let task = unsafe {
            run::start_async_export(rt, opts, func, &mut values, move |_, flat| {
                p3serve::handler_result(opts, flat)
            })
        }?;
        if let Some(f) = self.flights.last_mut() {
            f.task = task;
        }
        Ok(())
    }

    /// Answers every request whose handler returned; whether there was
    /// one.
    fn answer_returned(&mut self, rt: &'static ComponentRuntime) -> Result<bool, Trap> {
        let mut any = false;
        for i in 0..self.flights.len() {
            let Flight {
                task,
                out,
                answered,
                ..
            } = self.flights[i];
            if answered || !run::task_returned(rt, task)? {
                continue;
            }
            self.flights[i].answered = true;
            let inst = self.h.handler_instance(rt)?;
            let result = run::take_result::<Result<u32, ErrorCode>>(rt, task)?;
            if let Some(code) = answer_p3(rt, inst, out, result)? {
                report_refused(&code);
            }
            any = true;
        }
        Ok(any)
    }

    /// With nothing to do: a deadlock if a request is still unanswered
    /// and nothing can happen in the instance any more; the instance is
    /// replaced once it served its count and runs nothing.
    fn settle(&mut self) {
        let Some(live) = &self.live else { return };
        let rt = live.rt;
        let quiet = run::pending_waits(rt).is_ok_and(|w| w.is_empty());
        if !quiet {
            return;
        }
        if self.flights.iter().any(|f| !f.answered) {
            self.fail(Failure::Returned(run::deadlock()));
            return;
        }
        // Tasks left waiting for what never comes end with the instance.
        if !self.flights.is_empty() || live.served >= self.h.reuse {
            self.flights.clear();
            self.drop_instance();
        }
    }

    /// Ends the instance after `f`: the report, then `500` for each
    /// request not answered.
    fn fail(&mut self, f: Failure) {
        let report = match f {
            Failure::Caught(r) => r,
            Failure::Returned(t) => error_report(&t),
        };
        errors::write_fd(2, report.as_bytes());
        for f in std::mem::take(&mut self.flights) {
            if answer_500(&f.reply) {
                // In Wasmtime 49's serve two tasks race to print these (its
                // worker logs the trap, the request's task the unanswered
                // request); this order is the one it mostly shows.
                errors::write_fd(2, b"error: worker trapped or panicked\n");
            }
        }
        self.drop_instance();
    }

    /// Tears the instance down, if one is kept.
    fn drop_instance(&mut self) {
        if self.live.take().is_some() {
            // SAFETY: no guest code runs (between rounds, or after a trap
            // unwound it); `Live` was the last reference to the instance.
            unsafe { kiln_canon::runtime::uninstall() };
            kiln_wasi_kernel_prefix(None);
        }
    }

    /// Waits for anything that lets the worker go on.
    fn wait(&mut self, ctx: &ChildCtx) {
        let mut items: Vec<Waitable> = Vec::with_capacity(self.conns.len() + 4);
        if let Some(live) = &self.live {
            let waits = run::pending_waits(live.rt).unwrap_or_default();
            if !waits.is_empty() {
                match kiln_wasi::p3::reactor_items(live.rt, &waits, now()) {
                    Ok(w) => items.extend(w),
                    // Not waiting then: the next round tries again.
                    Err(_) => return,
                }
            }
        }
        items.extend(self.conns.iter().filter_map(|c| c.interest.reactor_item()));
        if let Some(t) = kiln_wasi::http::server::take_next_timer() {
            items.push(Waitable::Deadline(t));
        }
        let handoff = (!self.retired).then(|| {
            items.push(ctx.handoff_item());
            items.len() - 1
        });
        if !self.stopping {
            items.push(ctx.stop_item());
        }
        let mut got = None;
        // Polling pays only on a CPU nothing else wants: not while as many
        // workers as CPUs are awake (this one included).
        if self.spin > 0 && self.h.awake.load(Ordering::Relaxed) < self.cpus {
            let until = now().saturating_add(self.spin);
            while now() < until {
                match wait(&items, &now, false) {
                    Ok(r) if r.iter().any(|x| *x) => {
                        got = Some(Ok(r));
                        break;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        got = Some(Err(e));
                        break;
                    }
                }
            }
        }
        let got = got.unwrap_or_else(|| {
            self.h.awake.fetch_sub(1, Ordering::Relaxed);
            let r = wait(&items, &now, true);
            self.h.awake.fetch_add(1, Ordering::Relaxed);
            r
        });
        match (got, handoff) {
            (Ok(ready), Some(i)) => self.handed = ready.get(i).copied().unwrap_or(true),
            // Look, to be safe.
            (Err(_), _) => self.handed = true,
            (Ok(_), None) => {}
        }
    }
}

impl Handler {
    /// A new instance with an empty host (requests are installed into it
    /// one by one); `None` after a failure, reported.
    pub(super) fn fresh_instance(&self) -> Option<Live> {
        let (id, host) = self.new_host()?;
        self.instantiate_with(id, host)
    }

    /// The component instance the handler export belongs to.
    fn handler_instance(&self, rt: &ComponentRuntime) -> Result<u32, Trap> {
        self.handler_export(rt)
            .map(|(_, opts)| opts.component_instance)
            .map_err(kiln_canon::trap::trap)
    }
}
