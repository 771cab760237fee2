//! Running a compiled component as an HTTP server (the `wasi:http` proxy
//! world), as `wasmtime serve` runs it: the server process
//! (`kiln_http_serve::listen`) forks one process per connection, and this
//! module serves a connection: each request on a fresh instance of the
//! component, its `wasi:http/incoming-handler.handle` called with the
//! request and a response outparam (`kiln_wasi::http::server`). A 0.3
//! service's connections go to worker processes instead ([`worker`]:
//! one instance, concurrent requests), unless a request timeout or a
//! request limit needs a process per connection; then its requests run
//! here one at a time, on an instance kept for up to 128 of them.
//!
//! Phase: the guest thread of a server executable. Inputs: the component
//! descriptor, the run settings, the executable's arguments: `wasmtime
//! serve`'s server options ([`ServeOptions`]; the address from `--addr A`,
//! else `KILN_ADDR`, else the baked one, else `0.0.0.0:8080`). Output: the
//! exit status (0 after a graceful shutdown; 2 for a bad argument).
//!
//! Per request (Wasmtime 49's default for a 0.2 proxy:
//! `--max-instance-reuse-count 1`): a new WASI context and host, the
//! request installed in it, a new instance (`kiln_canon::instances::
//! instantiate`), the call under `catch_traps_traced`, post-return, then
//! the whole instance torn down (`kiln_canon::runtime::uninstall`: host
//! objects, handles, memories, tables), so the next request starts from
//! the component's initial state.
//!
//! A trap in the handler does not end the connection's process: it is
//! reported on stderr as `wasmtime serve` reports it (`worker failed:`
//! and the trap with its wasm backtrace), a request still unanswered gets
//! `500` with Wasmtime's page (and `error: guest never invoked
//! `response-outparam::set` method`), and the connection goes on with the
//! next request on a fresh instance. An answered request whose body the
//! trap cut short ends with a broken body (`hyper` aborts the response).
//!
//! The guest's stdout and stderr lines carry `stdout [N] :: ` /
//! `stderr [N] :: ` prefixes, N counting instances from 0 across all
//! connections (a counter in memory shared by the connection processes).

use crate::grants::RunSettings;
use kiln_abi::ValRaw;
use kiln_abi::component::CanonOpts;
use kiln_abi::component::program::ComponentDescriptor;
use kiln_abi::grants::{DEFAULT_SERVE_ADDR, SERVE_ADDR_ENV};
use kiln_canon::Resource;
use kiln_canon::instances::{self, GuestFunc};
use kiln_canon::program::Component;
#[cfg(feature = "processes")]
use kiln_http_serve::listen::{ChildCtx, ServeConfig};
use kiln_vm::errors;
use kiln_vm::traps::catch::{TrapTrace, catch_traps_traced};
use kiln_wasi::http::server::{ConnLimits, Pending, ServerConn, answer_500, install};
use kiln_wasi::http::{IncomingRequestRes, ResponseOutparamRes};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

#[cfg(not(feature = "processes"))]
mod single;
#[cfg(feature = "processes")]
mod timer;
#[cfg(feature = "processes")]
mod worker;

/// Connection processes at most (`KILN_MAX_CONNECTIONS` overrides).
const MAX_CONNECTIONS: usize = 256;
/// How long connections may finish after SIGINT/SIGTERM.
#[cfg(feature = "processes")]
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// Time to receive a request head (then the connection closes).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Most bytes of a request head.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// A connection's limits.
const CONN_LIMITS: ConnLimits = ConnLimits {
    header_read_timeout: HEADER_READ_TIMEOUT,
    max_head_bytes: MAX_HEAD_BYTES,
};
/// How long an idle instance is kept for another request (Wasmtime 49's
/// `--idle-instance-timeout` default).
const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(1);
/// Requests a 0.3 service's instance serves by default (Wasmtime 49's
/// `--max-instance-reuse-count` for WASIp3 components; 1 for WASIp2).
const P3_REUSE: u32 = 128;
/// Requests a 0.3 service's instance serves at once by default (Wasmtime
/// 49's `--max-instance-concurrent-reuse-count` for WASIp3 components):
/// the connections of one worker process (`serve/worker.rs`).
#[cfg(feature = "processes")]
const P3_CONCURRENT: u32 = 16;

/// What the server executable's arguments (those of `wasmtime serve`
/// that concern a running server) and environment say.
#[derive(Debug)]
struct ServeOptions {
    addr: std::net::SocketAddr,
    shutdown_addr: Option<std::net::SocketAddr>,
    /// `--no-logging-prefix` turns the `stdout [N] :: ` prefixes off.
    log_prefix: bool,
    /// `-H name: value`, in order.
    headers: Vec<kiln_http_serve::header_args::Header>,
    max_connections: usize,
    #[cfg_attr(
        not(feature = "processes"),
        allow(dead_code, reason = "one process serves one request at a time")
    )]
    max_requests: Option<u32>,
    /// `--max-instance-reuse-count N` (else 1 for a 0.2 proxy, 128 for a
    /// 0.3 service, Wasmtime 49's defaults).
    reuse: Option<u32>,
    /// `--idle-instance-timeout D` (else 1 s).
    idle_timeout: Duration,
    /// `--max-instance-concurrent-reuse-count N` (else 16 for a 0.3
    /// service; a 0.2 proxy's instance takes one request).
    #[cfg_attr(
        not(feature = "processes"),
        allow(dead_code, reason = "one process serves one request at a time")
    )]
    concurrent: Option<u32>,
}

/// A bad server argument: the message chain and the exit status.
type ArgError = (Vec<String>, i32);

impl ServeOptions {
    /// Reads the executable's arguments after argv[0]: `--addr A` (else
    /// `KILN_ADDR`, else the baked address, else `0.0.0.0:8080`),
    /// `--shutdown-addr A`, `--no-logging-prefix`, `-H`/`--header H`,
    /// `--max-concurrent-connections N` (else `KILN_MAX_CONNECTIONS`, else
    /// 256) and `--max-concurrent-requests N`; `--flag=value` works too.
    fn parse(settings: &RunSettings) -> Result<ServeOptions, ArgError> {
        let usage = |m: String| (vec![m], 2);
        let args: Vec<String> = settings
            .wasi
            .args
            .get(1..)
            .unwrap_or_default()
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let mut addr = None;
        let mut shutdown = None;
        let mut log_prefix = true;
        let mut header_args = Vec::new();
        let mut max_connections = None;
        let mut max_requests = None;
        let mut reuse = None;
        let mut concurrent = None;
        let mut idle_timeout = DEFAULT_IDLE_TIMEOUT;
        let mut i = 0;
        while i < args.len() {
            let arg = &args[i];
            i += 1;
            if arg == "--no-logging-prefix" {
                log_prefix = false;
                continue;
            }
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
                _ => match arg.strip_prefix("-H") {
                    Some(v) if !v.is_empty() => ("-H", Some(v.to_string())),
                    _ => (arg.as_str(), None),
                },
            };
            if !matches!(
                flag,
                "--addr"
                    | "--shutdown-addr"
                    | "-H"
                    | "--header"
                    | "--max-concurrent-connections"
                    | "--max-concurrent-requests"
                    | "--max-instance-reuse-count"
                    | "--max-instance-concurrent-reuse-count"
                    | "--idle-instance-timeout"
            ) {
                return Err(usage(format!(
                    "unexpected argument `{arg}` (a server takes --addr, --shutdown-addr, \
                     --no-logging-prefix, -H, --max-concurrent-connections, \
                     --max-concurrent-requests, --max-instance-reuse-count, \
                     --max-instance-concurrent-reuse-count and --idle-instance-timeout)"
                )));
            }
            let value = match inline {
                Some(v) => v,
                None => {
                    let v = args
                        .get(i)
                        .ok_or_else(|| usage(format!("`{flag}` needs a value")))?;
                    i += 1;
                    v.clone()
                }
            };
            let count = |v: &str| {
                v.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    usage(format!(
                        "invalid value `{v}` for `{flag}`: a positive count"
                    ))
                })
            };
            match flag {
                "--addr" => addr = Some(value),
                "--shutdown-addr" => shutdown = Some(socket_addr(&value).map_err(usage)?),
                "-H" | "--header" => header_args.push(value),
                "--max-concurrent-connections" => max_connections = Some(count(&value)?),
                "--max-concurrent-requests" => max_requests = Some(count(&value)?),
                // As Wasmtime, 0 is taken (as 1: an instance per request).
                "--max-instance-reuse-count" => reuse = Some(whole(flag, &value)?.max(1)),
                // As Wasmtime, 0 is taken (as 1: one request at a time).
                "--max-instance-concurrent-reuse-count" => {
                    concurrent = Some(whole(flag, &value)?.max(1));
                }
                _ => {
                    idle_timeout = kiln_abi::grants::parse_duration(&value)
                        .map_err(|e| usage(format!("invalid value `{value}` for `{flag}`: {e}")))?
                }
            }
        }
        let addr = addr
            .or_else(|| std::env::var(SERVE_ADDR_ENV).ok())
            .or_else(|| settings.serve_addr.clone())
            .unwrap_or_else(|| DEFAULT_SERVE_ADDR.to_string());
        let headers = kiln_http_serve::header_args::parse(&header_args).map_err(|e| (e, 1))?;
        let max_connections = max_connections
            .map(|n| n as usize)
            .or_else(|| {
                std::env::var("KILN_MAX_CONNECTIONS")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n > 0)
            })
            .unwrap_or(MAX_CONNECTIONS);
        Ok(ServeOptions {
            addr: socket_addr(&addr).map_err(|e| (vec![e], 1))?,
            shutdown_addr: shutdown,
            log_prefix,
            headers,
            max_connections,
            max_requests,
            reuse,
            idle_timeout,
            concurrent,
        })
    }
}

/// A whole number (0 included) given to `flag`.
fn whole(flag: &str, v: &str) -> Result<u32, ArgError> {
    v.parse::<u32>().map_err(|_| {
        (
            vec![format!("invalid value `{v}` for `{flag}`: a count")],
            2,
        )
    })
}

fn socket_addr(addr: &str) -> Result<std::net::SocketAddr, String> {
    addr.parse()
        .map_err(|e| format!("invalid address `{addr}`: {e}"))
}

/// Counters shared by every connection process (an anonymous shared
/// mapping made before the first fork).
#[repr(C)]
#[derive(Default)]
struct Shared {
    /// Instances made (the `[N]` of output prefixes).
    counter: AtomicU64,
    /// Worker processes not asleep in a wait (`serve/worker.rs`).
    awake: AtomicU64,
}

#[cfg(not(feature = "processes"))]
fn shared() -> &'static Shared {
    // One process: its own memory.
    Box::leak(Box::default())
}

#[cfg(feature = "processes")]
fn shared() -> &'static Shared {
    match kiln_http_serve::gate::shared_zeroed(std::mem::size_of::<Shared>()) {
        // SAFETY: zeroed (a valid `Shared`: two zero atomics), page-aligned
        // memory that is never unmapped and is only ever accessed through
        // these atomics, in every process.
        Some(p) => unsafe { &*(p.as_ptr() as *const Shared) },
        // Per-process numbering then (ids repeat across connections).
        None => Box::leak(Box::default()),
    }
}

/// Serves HTTP with the component's request handler (export
/// `desc.serve_export`).
pub fn serve(
    desc: &'static ComponentDescriptor,
    component: Component,
    settings: RunSettings,
    main_context: String,
) -> i32 {
    let options = match ServeOptions::parse(&settings) {
        Ok(o) => o,
        Err((chain, status)) => {
            errors::report(&chain);
            return status;
        }
    };
    let p3 = desc.serve_kind == kiln_abi::component::program::SERVE_HTTP_P3;
    let timeout = settings.limits.timeout.is_some();
    let shared = shared();
    let handler = Handler {
        component,
        p3,
        reuse: options.reuse.unwrap_or(if p3 { P3_REUSE } else { 1 }),
        live: std::cell::RefCell::new(None),
        export: desc.serve_export as usize,
        settings,
        main_context,
        counter: &shared.counter,
        awake: &shared.awake,
        log_prefix: options.log_prefix,
        headers: options.headers.clone(),
        max_body: std::env::var("KILN_MAX_REQUEST_BODY")
            .ok()
            .and_then(|v| v.parse().ok()),
    };
    #[cfg(not(feature = "processes"))]
    {
        if timeout {
            // The per-request timer abandons a connection's process; here
            // that would be the whole server.
            return errors::report(&[
                "a request timeout (`-W timeout`) is not supported by this target's server \
                 (one process for every connection)"
                    .to_string(),
            ]);
        }
        single::run(&handler, &options)
    }
    #[cfg(feature = "processes")]
    {
        // A 0.3 service's instance takes concurrent requests: one worker
        // process serves several connections, unless a per-request
        // timeout (a timer per process) or a request limit (a place per
        // process) needs a process per connection.
        let per_process = match options.concurrent {
            _ if !p3 || timeout || options.max_requests.is_some() => 1,
            Some(n) => n,
            None => P3_CONCURRENT,
        } as usize;
        let config = ServeConfig {
            addr: options.addr,
            max_connections: options.max_connections,
            shutdown_grace: SHUTDOWN_GRACE,
            shutdown_addr: options.shutdown_addr,
            max_requests: options.max_requests,
            idle_timeout: options.idle_timeout,
            per_process,
        };
        match kiln_http_serve::listen::run(&config, |stream, ctx| {
            handler.process(stream, ctx, per_process)
        }) {
            Ok(status) => status,
            Err(e) => errors::report(&[e]),
        }
    }
}

/// What every request needs.
struct Handler {
    component: Component,
    /// A `wasi:http/handler@0.3` export (else `incoming-handler@0.2`).
    p3: bool,
    /// Requests an instance serves before it is dropped.
    reuse: u32,
    /// The instance kept for the next request, if any.
    live: std::cell::RefCell<Option<Live>>,
    export: usize,
    settings: RunSettings,
    main_context: String,
    counter: &'static AtomicU64,
    /// Worker processes awake (a worker polls before it sleeps only while
    /// fewer than the CPUs are).
    #[cfg_attr(
        not(feature = "processes"),
        allow(dead_code, reason = "one process serves one request at a time")
    )]
    awake: &'static AtomicU64,
    /// Whether guest output lines get `stdout [N] :: ` prefixes.
    log_prefix: bool,
    /// The `-H` headers every request gets.
    headers: Vec<kiln_http_serve::header_args::Header>,
    /// Most bytes a request may declare in its `content-length`
    /// (`KILN_MAX_REQUEST_BODY`; none by default, as Wasmtime).
    max_body: Option<u64>,
}

/// An instance kept between requests.
struct Live {
    rt: &'static kiln_canon::ComponentRuntime,
    /// Its number (the `[N]` of its output's prefixes).
    id: u64,
    /// Requests it served.
    served: u32,
}

impl Handler {
    /// A connection process: serves its connection, then, while it holds
    /// an instance that may serve more, the connections the server hands
    /// it ([`ChildCtx::next_connection`]); its exit status.
    #[cfg(feature = "processes")]
    fn process(&self, mut stream: std::net::TcpStream, ctx: &ChildCtx, per: usize) -> i32 {
        if per > 1 {
            return worker::run(self, stream, ctx, per, CONN_LIMITS);
        }
        loop {
            let status = self.connection(stream, ctx);
            if status != 0 || self.live.borrow().is_none() {
                self.retire();
                return status;
            }
            match ctx.next_connection() {
                Some(s) => stream = s,
                None => {
                    self.retire();
                    return 0;
                }
            }
        }
    }

    /// The handler export's core function and options in instance `rt`.
    fn handler_export(
        &self,
        rt: &kiln_canon::ComponentRuntime,
    ) -> Result<(GuestFunc, &'static CanonOpts), &'static str> {
        let export = self
            .component
            .exports
            .get(self.export)
            .ok_or("corrupt component descriptor: handler export")?;
        let &instance = rt
            .core
            .get(export.func.instance as usize)
            .ok_or("corrupt component descriptor: export instance")?;
        // SAFETY: the compiler's writable record, filled at instantiation.
        let opts = unsafe { &*(export.opts as usize as *const CanonOpts) };
        Ok((
            GuestFunc {
                instance,
                func: export.func.index,
            },
            opts,
        ))
    }

    /// Drops the kept instance, if any.
    fn retire(&self) {
        if self.live.borrow_mut().take().is_some() {
            // SAFETY: the kept instance runs nothing now (between
            // requests); its reference is gone with `Live`.
            unsafe { kiln_canon::runtime::uninstall() };
        }
    }

    #[cfg(feature = "processes")]
    /// Serves one connection (in its own process); its exit status.
    fn connection(&self, stream: std::net::TcpStream, ctx: &ChildCtx) -> i32 {
        let conn = ServerConn::new(stream, CONN_LIMITS);
        let mut stopping = false;
        loop {
            conn.drive();
            if !stopping && ctx.stopping() {
                stopping = true;
                ctx.drain();
                conn.shutdown();
            }
            if let Some(p) = conn.next_request() {
                let _place = ctx.request_place();
                self.request(p, &conn);
                continue;
            }
            if conn.is_done() {
                return 0;
            }
            conn.wait(Some(ctx.stop_item()), None);
        }
    }

    /// Handles one request, on the kept instance or a fresh one.
    fn request(&self, p: Pending, conn: &ServerConn) {
        let reply = p.reply.clone();
        kiln_wasi::http::server::ANSWERED.store(false, Ordering::SeqCst);
        if let Some(max) = self.max_body
            && kiln_wasi::http::server::declared_body_over(&p, max).is_some()
        {
            kiln_wasi::http::server::answer_413(p);
            kiln_wasi_kernel_prefix(None);
            conn.drive();
            return;
        }
        #[cfg(feature = "processes")]
        let _timer =
            self.settings.limits.timeout.map(|t| {
                timer::RequestTimer::arm(t, conn.interest.fd.get().unwrap_or(-1), self.p3)
            });
        self.call_handler(p, conn);
        // A 0.3 service's unanswered request is reported with its trap
        // (`call_handler`), in Wasmtime 49's words.
        if answer_500(&reply) && !self.p3 {
            errors::write_fd(
                2,
                b"error: guest never invoked `response-outparam::set` method\n",
            );
        }
        kiln_wasi_kernel_prefix(None);
        conn.drive();
    }

    /// Calls `handle` on the kept instance (or a new one), reports a
    /// trap, and keeps the instance for the next request or tears it down:
    /// down after a trap, after a task left waiting, or once it served
    /// `reuse` requests (Wasmtime drops its instances on the same counts).
    fn call_handler(&self, p: Pending, conn: &ServerConn) {
        let reply = p.reply.clone();
        let kept = self.live.borrow_mut().take();
        let (live, req, out) = match kept {
            Some(live) => {
                kiln_wasi_kernel_prefix(self.log_prefix.then_some(live.id));
                match kiln_wasi::http::server::install_in(
                    live.rt,
                    self.p3,
                    p,
                    conn,
                    &self.headers,
                    self.max_body,
                ) {
                    Ok((req, out)) => (live, req, out),
                    Err(t) => {
                        worker_failed(&t.message);
                        // SAFETY: the kept instance runs nothing now.
                        unsafe { kiln_canon::runtime::uninstall() };
                        return;
                    }
                }
            }
            None => match self.instantiate(p, conn) {
                Some(x) => x,
                None => return,
            },
        };
        let result = self.invoke(live.rt, req, out);
        let reusable = match result {
            Ok(clean) => clean,
            Err(report) => {
                errors::write_fd(2, report.as_bytes());
                if self.p3 && !reply.borrow().is_set() {
                    // Then the request a 0.3 worker left unanswered: in
                    // Wasmtime 49's serve two tasks race to print these
                    // (its worker logs the trap, the request's task the
                    // unanswered request), and this order is the one it
                    // mostly shows.
                    errors::write_fd(2, b"error: worker trapped or panicked\n");
                }
                false
            }
        };
        let served = live.served + 1;
        if reusable && served < self.reuse {
            *self.live.borrow_mut() = Some(Live { served, ..live });
        } else {
            // SAFETY: the handler returned or its trap unwound it; `live`
            // (the last reference to the instance) goes with this call.
            unsafe { kiln_canon::runtime::uninstall() };
        }
    }

    /// A new instance with `p`'s request installed in its host: the
    /// instance and the request's and outparam's reps (`None` after a
    /// failure, reported).
    fn instantiate(&self, p: Pending, conn: &ServerConn) -> Option<(Live, u32, u32)> {
        let (id, mut host) = self.new_host()?;
        let (req, out) = if self.p3 {
            match kiln_wasi::http::p3::serve::install(
                &mut host,
                p,
                conn,
                &self.headers,
                self.max_body,
            ) {
                Ok(x) => x,
                Err(t) => {
                    worker_failed(&t.message);
                    return None;
                }
            }
        } else {
            install(&mut host, p, conn, &self.headers, self.max_body)
        };
        Some((self.instantiate_with(id, host)?, req, out))
    }

    /// A new WASI host for a new instance and the instance's number (its
    /// output's `[N]` prefix, set now); `None` after a failure, reported.
    fn new_host(&self) -> Option<(u64, Box<kiln_wasi::p2::P2Host>)> {
        let id = self.counter.fetch_add(1, Ordering::Relaxed);
        kiln_wasi_kernel_prefix(self.log_prefix.then_some(id));
        match kiln_wasi_kernel::WasiCtx::new(self.settings.wasi.clone()) {
            Ok(w) => Some((id, Box::new(kiln_wasi::new_host(w)))),
            Err(e) => {
                worker_failed(&e);
                None
            }
        }
    }

    /// Instance number `id` of the component on `host`; `None` after a
    /// failure, reported.
    fn instantiate_with(&self, id: u64, host: Box<kiln_wasi::p2::P2Host>) -> Option<Live> {
        kiln_vm::traps::set_context(vec![self.main_context.clone()]);
        match instances::instantiate(self.component, host) {
            Ok(rt) => Some(Live { rt, id, served: 0 }),
            Err(e) => {
                worker_failed(&e);
                // SAFETY: nothing of the failed instantiation runs.
                unsafe { kiln_canon::runtime::uninstall() };
                None
            }
        }
    }

    /// The call itself: whether the instance is fit for another request
    /// (nothing of this one left waiting), or the report to print.
    fn invoke(
        &self,
        rt: &'static kiln_canon::ComponentRuntime,
        req: u32,
        out: u32,
    ) -> Result<bool, String> {
        let (func, opts) = self.handler_export(rt)?;
        if self.p3 {
            return self.invoke_p3(rt, func, opts, req, out);
        }
        let handles = rt
            .prepare_host_call(opts)
            .and_then(|_| {
                rt.with_instance(opts.component_instance, |i| {
                    let a = i.lower_own(IncomingRequestRes::TYPE, req)?;
                    let b = i.lower_own(ResponseOutparamRes::TYPE, out)?;
                    Ok((a, b))
                })
            })
            .map_err(|t| format!("worker failed: {}\n", t.message))?;
        let mut values = [ValRaw::default(); 2];
        values[0].0[..4].copy_from_slice(&handles.0.to_le_bytes());
        values[1].0[..4].copy_from_slice(&handles.1.to_le_bytes());
        let mut returned: Option<Result<(), kiln_canon::Trap>> = None;
        let mut trace = TrapTrace::default();
        let caught = catch_traps_traced(
            || {
                // SAFETY: `handle` is `[i32 i32] -> []` (two own handles),
                // checked by the compiler's plan; the closure owns nothing
                // (a trap skips it).
                returned = Some(unsafe { func.call(&mut values) });
            },
            &mut trace,
        );
        if let Err(t) = caught {
            kiln_vm::stack::reset_entries();
            return Err(trap_report(&t, &trace));
        }
        match returned {
            Some(Ok(())) => {}
            Some(Err(t)) => return Err(format!("worker failed: {}\n", t.message)),
            None => return Ok(false),
        }
        // SAFETY: the export's record; post-return takes the (no) results.
        unsafe { instances::call_post_return(opts, &mut values) }
            .map(|()| true)
            .map_err(|t| format!("worker failed: {}\n", t.message))
    }
}

impl Handler {
    /// The call of a 0.3 handler (`async func(request) -> result<response,
    /// error-code>`): the task runs on the event loop until it returns
    /// the response, which is then answered (its body streamed as the
    /// guest writes it), and the loop goes on until every task exited
    /// (a body writer the handler left running). `Err` is the report.
    fn invoke_p3(
        &self,
        rt: &'static kiln_canon::ComponentRuntime,
        func: GuestFunc,
        opts: &'static CanonOpts,
        req: u32,
        out: u32,
    ) -> Result<bool, String> {
        let fail = |t: kiln_canon::Trap| format!("worker failed: {}\n", t.message);
        let h = rt
            .prepare_host_call(opts)
            .and_then(|_| {
                rt.with_instance(opts.component_instance, |i| {
                    i.lower_own(kiln_wasi::http::p3::serve::REQUEST_TYPE, req)
                })
            })
            .map_err(fail)?;
        let mut values = [ValRaw::default(); 1];
        values[0].0[..4].copy_from_slice(&h.to_le_bytes());
        let mut outcome: Option<Result<bool, kiln_canon::Trap>> = None;
        let mut refused = None;
        let mut trace = TrapTrace::default();
        let caught = catch_traps_traced(
            || {
                outcome = Some((|| {
                    // The result is lifted during `task.return`: an
                    // error code's strings are the guest's to free right
                    // after it.
                    // SAFETY: an async-lifted `handle` is `[i32] -> [i32]`
                    // (the request handle; the callback code), checked by
                    // the compiler's plan.
                    let result = unsafe {
                        kiln_canon::p3::run::call_async_export_with(
                            rt,
                            opts,
                            func,
                            &mut values,
                            true,
                            move |_, flat| kiln_wasi::http::p3::serve::handler_result(opts, flat),
                        )
                    }?;
                    refused = answer_p3(rt, opts.component_instance, out, result)?;
                    match kiln_canon::p3::run::run_until_exited(rt) {
                        // A task left waiting for what never comes ends
                        // with the request (and its instance).
                        Err(t) if t.code.is_none() => Ok(false),
                        other => other.map(|()| true),
                    }
                })());
            },
            &mut trace,
        );
        if let Some(code) = refused {
            report_refused(&code);
        }
        if let Err(t) = caught {
            kiln_vm::stack::reset_entries();
            return Err(trap_report(&t, &trace));
        }
        match outcome {
            Some(Err(t)) => Err(error_report(&t)),
            Some(Ok(clean)) => Ok(clean),
            None => Ok(false),
        }
    }
}

/// Answers a 0.3 handler's returned `result` through outparam `out`: its
/// `response` (an own handle of component instance `inst`) taken and
/// sent, or `500` for an error code, which is returned to be reported
/// ([`report_refused`]).
fn answer_p3(
    rt: &kiln_canon::ComponentRuntime,
    inst: u32,
    out: u32,
    result: Result<u32, kiln_wasi::http::types::ErrorCode>,
) -> Result<Option<kiln_wasi::http::types::ErrorCode>, kiln_canon::Trap> {
    let (answer, refused) = match result {
        Ok(h) => (
            Ok(kiln_wasi::http::p3::serve::take_response(rt, inst, h)?),
            None,
        ),
        Err(code) => (Err(code.clone()), Some(code)),
    };
    kiln_wasi::http::p3::serve::respond(rt, out, answer)?;
    Ok(refused)
}

/// Wasmtime 49 answers `500` and reports the code (its Debug form, which
/// Kiln's derived one matches) when a 0.3 handler returns an error; the
/// instance stays usable.
fn report_refused(code: &kiln_wasi::http::types::ErrorCode) {
    errors::write_fd(2, format!("error: ErrorCode::{code:?}\n").as_bytes());
}

/// `wasmtime serve`'s report of an error the runtime returned while a
/// 0.3 handler ran (a trap code it raised without unwinding, or a host
/// error).
fn error_report(t: &kiln_canon::Trap) -> String {
    match t.code {
        Some(_) => format!("worker failed: wasm trap: {}\n", t.message),
        None => format!("worker failed: {}\n", t.message),
    }
}

fn kiln_wasi_kernel_prefix(id: Option<u64>) {
    kiln_wasi::kernel::stdio::set_log_prefix(id);
}

/// A failure before the guest ran, as `wasmtime serve` reports a worker's
/// error.
fn worker_failed(e: &str) {
    errors::write_fd(2, format!("worker failed: {e}\n").as_bytes());
}

/// `wasmtime serve`'s report of a trapped handler: `worker failed: ` and
/// the trap's report (backtrace, then `wasm trap: ...`).
fn trap_report(t: &kiln_vm::traps::catch::CaughtTrap, trace: &TrapTrace) -> String {
    let mut s = String::new();
    match t.code {
        Some(code) => {
            let fault =
                t.fault.map(
                    |(wasm_address, memory_size)| kiln_vm::traps::report::MemoryFault {
                        wasm_address,
                        memory_size,
                    },
                );
            let _ = kiln_vm::traps::report::format_trap(
                &mut s,
                &[],
                &trace.frames[..trace.len],
                fault.as_ref(),
                code,
            );
        }
        None => {
            let _ = kiln_vm::traps::report::format_host_error(
                &mut s,
                &[],
                &trace.frames[..trace.len],
                &[t.message.as_str()],
            );
        }
    }
    match s.strip_prefix("Error: ") {
        Some(rest) => format!("worker failed: {rest}"),
        None => s,
    }
}
