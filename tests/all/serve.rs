//! HTTP servers: the `wasi:http` proxy `tests/programs/http/examples/
//! proxy.rs` (built at test time with the `wasip2` crate) served by an
//! executable of `kiln build --addr`, and by `kiln serve`, on loopback
//! port 0 (the banner names the port). A small std-only HTTP/1.1 client
//! ([`Client`]) sends the requests. Every expectation was checked against
//! `wasmtime serve -S cli` on the same component; with
//! `KILN_TEST_ENGINE=wasmtime` the trials run against it again (except
//! where noted: Kiln's own limits, SIGTERM, which Wasmtime does not handle
//! gracefully).
//!
//! Trials (`serve::`): keep-alive with a fresh instance per request,
//! request parts, echo with a streamed body and trailers, a trap answered
//! 500 with the connection going on, an outgoing request to the harness's
//! server, concurrent clients beside a slow client, graceful shutdown with
//! a request in flight, `kiln serve` with the log prefixes, a load test
//! (no failures, flat memory and descriptors), Kiln's request limits, and
//! `serve` refusing what Wasmtime refuses.

mod h2c;
mod js;
mod options;
mod p3;
mod windows;

pub use windows::windows_like_wasmtime_exe;

use crate::cross::Cross;
use crate::util;
use libtest_mimic::{Failed, Trial};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Bound on any one wait of these trials.
const TIMEOUT: Duration = Duration::from_secs(30);

pub fn trials() -> Vec<Trial> {
    vec![
        crate::timing::trial(
            "serve::keep_alive_fresh_instances",
            keep_alive_fresh_instances,
        ),
        crate::timing::trial("serve::echo_streams_body_and_trailers", echo_streams),
        crate::timing::trial("serve::trap_answers_500_and_goes_on", trap_answers_500),
        crate::timing::trial("serve::outgoing_request", outgoing_request),
        crate::timing::trial(
            "serve::concurrent_beside_slow_client",
            concurrent_beside_slow_client,
        ),
        crate::timing::trial("serve::graceful_shutdown", graceful_shutdown),
        crate::timing::trial("serve::kiln_serve_log_prefixes", kiln_serve_log_prefixes),
        crate::timing::trial("serve::load_memory_flat", load_memory_flat),
        crate::timing::trial("serve::request_limits", request_limits),
        crate::timing::trial("serve::refusals_like_wasmtime", refusals_like_wasmtime),
    ]
    .into_iter()
    .chain(options::trials())
    .chain(h2c::trials())
    .chain(p3::trials())
    .chain(js::trials())
    .collect()
}

fn fail(e: impl std::fmt::Display) -> Failed {
    e.to_string().into()
}

/// The proxy component, built once.
fn proxy() -> Result<PathBuf, Failed> {
    util::rust_wasm_target("wasm32-wasip2").map_err(fail)?;
    let dir = crate::programs::build_project("http", "wasm32-wasip2").map_err(fail)?;
    Ok(dir.join("examples/proxy.wasm"))
}

/// The proxy as a server executable, built once per set of extra build
/// arguments (a component exporting only a handler builds into a server
/// without `--addr`).
fn server_exe(extra: &[&str]) -> Result<PathBuf, Failed> {
    let wasm = proxy()?;
    let name = format!(
        "proxy-server-{}",
        extra.join("-").replace(['/', '=', ':'], "_")
    );
    let out = util::scratch("serve").join(name);
    static LOCK: Mutex<()> = Mutex::new(());
    let _l = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let fresh = |o: &Path| {
        let m = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        matches!((m(o), m(&wasm), m(&util::kiln())), (Some(o), Some(w), Some(k)) if o > w && o > k)
    };
    if !fresh(&out) {
        let mut cmd = util::kiln_cmd();
        cmd.arg("build").arg(&wasm).args(extra).arg("-o").arg(&out);
        let o = util::run(&mut cmd, b"", Duration::from_secs(300)).map_err(fail)?;
        if o.code() != 0 {
            return Err(format!("kiln build --addr failed\n{}", o.describe()).into());
        }
    }
    Ok(out)
}

/// A running server; killed when dropped.
struct Server {
    child: Option<Child>,
    /// `127.0.0.1:PORT`.
    addr: String,
    stderr: Arc<Mutex<Vec<u8>>>,
    stdout: Arc<Mutex<Vec<u8>>>,
}

/// How to start a server.
enum How<'a> {
    /// The `kiln build` executable with these build arguments
    /// (`wasmtime serve` with them under the reference engine), started
    /// with `--addr 127.0.0.1:0`.
    Exe(&'a [&'a str]),
    /// The same, the address given in `KILN_ADDR`.
    ExeEnvAddr(&'a [&'a str]),
    /// The executable built without extra arguments, started with these
    /// arguments after `--addr 127.0.0.1:0` (`wasmtime serve` with them).
    ExeArgs(&'a [&'a str]),
    /// `kiln serve` with these arguments.
    KilnServe(&'a [&'a str]),
    /// The executable built with `--target <triple>`, run by the cross
    /// target's emulator (qemu-user, Wine), with `--addr 127.0.0.1:0`.
    Cross(&'a Cross),
    /// `kiln serve` of another component (`wasmtime serve -S cli` of it
    /// under the reference engine).
    Wasm(&'a Path),
    /// The same with these `serve` arguments.
    WasmArgs(&'a Path, &'a [&'a str]),
}

impl Server {
    fn start(how: How<'_>) -> Result<Server, Failed> {
        Server::start_with(how, &[])
    }

    /// [`Server::start`] with variables in the server's environment.
    fn start_with(how: How<'_>, envs: &[(&str, &str)]) -> Result<Server, Failed> {
        let wasm = match how {
            How::Wasm(p) | How::WasmArgs(p, _) => p.to_path_buf(),
            _ => proxy()?,
        };
        let mut cmd = if util::reference_engine() {
            let extra = match how {
                How::Exe(a)
                | How::ExeEnvAddr(a)
                | How::ExeArgs(a)
                | How::KilnServe(a)
                | How::WasmArgs(_, a) => a,
                How::Cross(_) | How::Wasm(_) => &[][..],
            };
            let mut c =
                Command::new(util::wasmtime().ok_or_else(|| fail("wasmtime is not installed"))?);
            // Reports without Rust's own backtraces.
            c.env("RUST_BACKTRACE", "0")
                .args(["serve", "-S", "cli", "--addr", "127.0.0.1:0"])
                .args(extra)
                .arg(&wasm);
            c
        } else {
            match how {
                How::Exe(extra) => {
                    // The baked address is overridden at start.
                    let mut c = Command::new(server_exe(extra)?);
                    c.args(["--addr", "127.0.0.1:0"]);
                    c
                }
                How::ExeArgs(args) => {
                    let mut c = Command::new(server_exe(&[])?);
                    c.args(["--addr", "127.0.0.1:0"]).args(args);
                    c
                }
                How::ExeEnvAddr(extra) => {
                    let mut c = Command::new(server_exe(extra)?);
                    c.env("KILN_ADDR", "127.0.0.1:0");
                    c
                }
                How::Cross(cross) => {
                    let mut c = cross.command(&server_exe(&["--target", &cross.triple])?);
                    c.args(["--addr", "127.0.0.1:0"]);
                    c
                }
                How::Wasm(_) => {
                    let mut c = util::kiln_cmd();
                    c.args(["serve", "--addr", "127.0.0.1:0"]).arg(&wasm);
                    c
                }
                How::KilnServe(extra) | How::WasmArgs(_, extra) => {
                    let mut c = util::kiln_cmd();
                    c.args(["serve", "--addr", "127.0.0.1:0"])
                        .args(extra)
                        .arg(&wasm);
                    c
                }
            }
        };
        cmd.envs(envs.iter().copied());
        Server::spawn(cmd)
    }

    /// Starts `cmd`, a server told to listen on `127.0.0.1:0`, and waits
    /// for its banner.
    fn spawn(mut cmd: Command) -> Result<Server, Failed> {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(fail)?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let mut err_pipe = BufReader::new(child.stderr.take().ok_or("no stderr")?);
        let e = stderr.clone();
        std::thread::spawn(move || {
            let mut line = String::new();
            let mut sent = false;
            loop {
                line.clear();
                match err_pipe.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                // Recorded before the banner is announced: a test that
                // reads stderr once started sees the banner in it.
                e.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend_from_slice(line.as_bytes());
                if !sent && let Some(rest) = line.trim_end().strip_prefix("Serving HTTP on http://")
                {
                    let _ = tx.send(rest.trim_end_matches('/').to_string());
                    sent = true;
                }
            }
        });
        let mut out_pipe = child.stdout.take().ok_or("no stdout")?;
        let o = stdout.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                o.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend_from_slice(&buf[..n]);
            }
        });
        let mut server = Server {
            child: Some(child),
            addr: String::new(),
            stderr,
            stdout,
        };
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(addr) => server.addr = addr,
            Err(_) => {
                return Err(format!(
                    "the server printed no banner\n--- stderr ---\n{}",
                    server.stderr_str()
                )
                .into());
            }
        }
        Ok(server)
    }

    fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }

    /// Stderr once it contains `want` (Wasmtime writes its reports from
    /// other tasks than the response's: they may come after it), or as it
    /// is after [`TIMEOUT`].
    fn stderr_with(&self, want: &str) -> String {
        let start = Instant::now();
        while !self.stderr_str().contains(want) && start.elapsed() < TIMEOUT {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.stderr_str()
    }

    /// Waits until stderr contains `want`, a line the guest writes when
    /// a request has reached it (so a test acts on a request in flight
    /// without guessing how long the way there takes).
    fn await_stderr(&self, want: &str) -> Result<(), Failed> {
        let err = self.stderr_with(want);
        expect(err.contains(want), || {
            format!("the guest never wrote {want:?}; stderr: {err}")
        })
    }

    fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    fn connect(&self) -> Result<Client, Failed> {
        Client::connect(&self.addr)
    }

    /// Sends `sig` and waits for the exit status (bounded).
    fn signal_and_wait(&mut self, sig: i32, within: Duration) -> Result<i32, Failed> {
        // SAFETY: signalling our own child process.
        unsafe { libc::kill(self.pid() as i32, sig) };
        self.wait_exit(within)
    }

    /// Waits for the server to exit by itself (bounded); its status.
    fn wait_exit(&mut self, within: Duration) -> Result<i32, Failed> {
        let mut child = self.child.take().ok_or("no child")?;
        let start = Instant::now();
        loop {
            if let Some(s) = child.try_wait().map_err(fail)? {
                use std::os::unix::process::ExitStatusExt;
                return Ok(s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0)));
            }
            if start.elapsed() > within {
                let _ = child.kill();
                let _ = child.wait();
                return Err("the server did not exit in time".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SIGINT first (the server ends its connection processes).
            // SAFETY: signalling our own child process.
            unsafe { libc::kill(c.id() as i32, libc::SIGINT) };
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A response as read.
#[derive(Debug, Default)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    trailers: Vec<(String, String)>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// An HTTP/1.1 client on one keep-alive connection.
struct Client {
    stream: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: &str) -> Result<Client, Failed> {
        let s = TcpStream::connect(addr).map_err(fail)?;
        s.set_read_timeout(Some(TIMEOUT)).map_err(fail)?;
        s.set_nodelay(true).map_err(fail)?;
        Ok(Client {
            stream: BufReader::new(s),
        })
    }

    fn send_raw(&mut self, bytes: &[u8]) -> Result<(), Failed> {
        self.stream.get_mut().write_all(bytes).map_err(fail)
    }

    fn get(&mut self, path: &str) -> Result<Response, Failed> {
        self.send_raw(format!("GET {path} HTTP/1.1\r\nhost: test.example\r\n\r\n").as_bytes())?;
        self.read_response()
    }

    fn line(&mut self) -> Result<String, Failed> {
        let mut line = String::new();
        if self.stream.read_line(&mut line).map_err(fail)? == 0 {
            return Err("connection closed".into());
        }
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }

    fn fields(&mut self) -> Result<Vec<(String, String)>, Failed> {
        let mut out = Vec::new();
        loop {
            let line = self.line()?;
            if line.is_empty() {
                return Ok(out);
            }
            let (n, v) = line.split_once(':').ok_or("bad header line")?;
            out.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }

    fn read_response(&mut self) -> Result<Response, Failed> {
        let status_line = self.line()?;
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line {status_line:?}"))?;
        let mut r = Response {
            status,
            headers: self.fields()?,
            ..Response::default()
        };
        if r.header("transfer-encoding") == Some("chunked") {
            loop {
                let size = self.line()?;
                let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
                    .map_err(|_| format!("bad chunk size {size:?}"))?;
                if size == 0 {
                    r.trailers = self.fields()?;
                    break;
                }
                let mut chunk = vec![0; size + 2];
                self.stream.read_exact(&mut chunk).map_err(fail)?;
                r.body.extend_from_slice(&chunk[..size]);
            }
        } else if let Some(n) = r.header("content-length") {
            let n: usize = n.parse().map_err(fail)?;
            r.body = vec![0; n];
            self.stream.read_exact(&mut r.body).map_err(fail)?;
        } else {
            self.stream.read_to_end(&mut r.body).map_err(fail)?;
        }
        Ok(r)
    }
}

fn expect(cond: bool, what: impl FnOnce() -> String) -> Result<(), Failed> {
    if cond { Ok(()) } else { Err(what().into()) }
}

/// Three requests on one connection: each handler sees a fresh instance
/// (its global counter is 1), the request's parts arrive, and a response
/// body's `check-write` grants what Wasmtime's does.
fn keep_alive_fresh_instances() -> Result<(), Failed> {
    let server = Server::start(How::ExeEnvAddr(&[]))?;
    let mut c = server.connect()?;
    for _ in 0..3 {
        let r = c.get("/count")?;
        expect(r.status == 200 && r.text() == "1", || format!("{r:?}"))?;
    }
    let r = c.get("/some/path?q=1")?;
    let want = "hello from GET /some/path?q=1 scheme=http authority=test.example";
    expect(r.status == 200 && r.text() == want, || format!("{r:?}"))?;
    expect(r.header("transfer-encoding") == Some("chunked"), || {
        format!("{r:?}")
    })?;
    // Wasmtime 49's outgoing body grants 1 MiB (its chunk size), and again
    // once the write is flushed to the connection.
    let r = c.get("/grant")?;
    let text = r.text();
    expect(
        r.status == 200
            && text.ends_with("first 1048576 wrote 70000 flushed 1048576")
            && text.bytes().take_while(|b| *b == b'x').count() == 70_000,
        || format!("status {} body {}", r.status, text.trim_start_matches('x')),
    )?;
    Ok(())
}

/// A chunked request body is streamed back, `x-` headers copied, and the
/// request's trailers become the response's.
fn echo_streams() -> Result<(), Failed> {
    let server = Server::start(How::Exe(&[]))?;
    let mut c = server.connect()?;
    c.send_raw(
        b"POST /echo HTTP/1.1\r\nhost: h\r\nx-foo: bar\r\nte: trailers\r\n\
          trailer: x-trailer\r\ntransfer-encoding: chunked\r\n\r\n",
    )?;
    let big = "x".repeat(100_000);
    let mut sent = String::new();
    for part in ["hello ", "streaming ", &big, " world"] {
        c.send_raw(format!("{:x}\r\n{part}\r\n", part.len()).as_bytes())?;
        sent.push_str(part);
        std::thread::sleep(Duration::from_millis(5));
    }
    c.send_raw(b"0\r\nx-trailer: 7\r\n\r\n")?;
    let r = c.read_response()?;
    expect(r.status == 200 && r.text() == sent, || {
        format!("status {} body of {} bytes", r.status, r.body.len())
    })?;
    expect(r.header("x-foo") == Some("bar"), || {
        format!("{:?}", r.headers)
    })?;
    expect(
        r.trailers == [("x-trailer".to_string(), "7".to_string())],
        || format!("trailers {:?}", r.trailers),
    )?;
    // The connection goes on.
    let r = c.get("/count")?;
    expect(r.text() == "1", || format!("{r:?}"))
}

const PAGE_500: &str = "<!doctype html>\n<html>\n<head>\n    <title>500 Internal Server Error</title>\n</head>\n<body>\n    <center>\n        <h1>500 Internal Server Error</h1>\n        <hr>\n        wasmtime\n    </center>\n</body>\n</html>";

/// A trap before `set` answers 500 with Wasmtime's page and report; the
/// same connection serves the next request on a fresh instance. A trap
/// after `set` ends the body with what was written.
fn trap_answers_500() -> Result<(), Failed> {
    trap_answers_500_from(Server::start(How::Exe(&[]))?)
}

/// [`trap_answers_500`] for a server built for another architecture and
/// run under qemu-user (`cross::<triple>::serve_trap`): trap catching is
/// per-architecture code (`catch.rs`).
pub fn cross_trap_answers_500(cross: &Cross) -> Result<(), Failed> {
    trap_answers_500_from(Server::start(How::Cross(cross))?)
}

fn trap_answers_500_from(server: Server) -> Result<(), Failed> {
    let mut c = server.connect()?;
    let r = c.get("/trap")?;
    expect(r.status == 500 && r.text() == PAGE_500, || format!("{r:?}"))?;
    expect(
        r.header("content-type") == Some("text/html; charset=UTF-8"),
        || format!("{r:?}"),
    )?;
    let r = c.get("/count")?;
    expect(r.status == 200 && r.text() == "1", || format!("{r:?}"))?;
    let err = server.stderr_with("`response-outparam::set` method\n");
    let want = "worker failed: error while executing at wasm backtrace:\n";
    expect(err.contains(want), || format!("stderr: {err}"))?;
    expect(
        err.contains("::handle::")
            && err.contains(
                "wasi:http/incoming-handler@0.2.12#handle\n\nCaused by:\n    wasm trap: \
             wasm `unreachable` instruction executed\n\nerror: guest never invoked \
             `response-outparam::set` method\n",
            ),
        || format!("stderr: {err}"),
    )?;
    // A trap after the head and part of the body: the body ends there, as
    // when Wasmtime drops the store (the chunked body is complete), and the
    // connection goes on.
    let r = c.get("/trap-after")?;
    expect(r.status == 200 && r.text() == "partial", || {
        format!("{r:?}")
    })?;
    let r = c.get("/count")?;
    expect(r.status == 200 && r.text() == "1", || format!("{r:?}"))?;
    Ok(())
}

/// The handler's outgoing request reaches the harness's server.
fn outgoing_request() -> Result<(), Failed> {
    let upstream = crate::http_server::Server::start().map_err(fail)?;
    let env = format!("HTTP_SERVER={}", upstream.addr);
    let server = Server::start(How::Exe(&["--env", &env]))?;
    let mut c = server.connect()?;
    let r = c.get("/fetch")?;
    // The harness's server answers 201 with what it received.
    expect(
        r.status == 201 && r.text().starts_with("GET /hello HTTP/1.1\n"),
        || format!("{r:?}"),
    )
}

/// A client that sends half a request head and waits does not hold up
/// others: 8 clients making 5 requests each all get their answers.
fn concurrent_beside_slow_client() -> Result<(), Failed> {
    let server = Server::start(How::Exe(&[]))?;
    let mut slow = server.connect()?;
    slow.send_raw(b"GET /count HTTP/1.1\r\nhost: ")?;
    let addr = server.addr.clone();
    let start = Instant::now();
    let workers: Vec<_> = (0..8)
        .map(|i| {
            let addr = addr.clone();
            std::thread::spawn(move || -> Result<(), String> {
                let mut c = Client::connect(&addr).map_err(|e| format!("{e:?}"))?;
                for k in 0..5 {
                    let r = c
                        .get(&format!("/slow?ms={}", 20 + i + k))
                        .map_err(|e| format!("{e:?}"))?;
                    if r.status != 200 || r.text() != format!("slept {}", 20 + i + k) {
                        return Err(format!("{r:?}"));
                    }
                }
                Ok(())
            })
        })
        .collect();
    for w in workers {
        w.join().map_err(|_| "a client panicked")?.map_err(fail)?;
    }
    // Sequentially this is 5 * 8 * ~25 ms = 1 s; concurrently ~0.15 s.
    expect(start.elapsed() < Duration::from_secs(10), || {
        format!("took {:?}", start.elapsed())
    })?;
    // The slow client can still finish its request.
    slow.send_raw(b"h\r\n\r\n")?;
    let r = slow.read_response()?;
    expect(r.text() == "1", || format!("{r:?}"))
}

/// SIGINT (and, in Kiln, SIGTERM) with a request in flight: the request
/// completes, new connections are refused, the server exits 0.
fn graceful_shutdown() -> Result<(), Failed> {
    let signals: &[i32] = if util::reference_engine() {
        // Wasmtime ends at once on SIGTERM.
        &[libc::SIGINT]
    } else {
        &[libc::SIGINT, libc::SIGTERM]
    };
    for &sig in signals {
        let mut server = Server::start(How::Exe(&[]))?;
        let mut c = server.connect()?;
        c.send_raw(b"GET /slow?ms=700 HTTP/1.1\r\nhost: h\r\n\r\n")?;
        server.await_stderr("slow: waiting 700 ms\n")?;
        let addr = server.addr.clone();
        let status = std::thread::scope(|s| {
            let waiter = s.spawn(|| server.signal_and_wait(sig, TIMEOUT));
            let r = c.read_response();
            // Kiln closes the idle connection itself; Wasmtime waits for
            // the client to.
            drop(c);
            (waiter.join(), r)
        });
        let (status, r) = status;
        let r = r?;
        expect(r.status == 200 && r.text() == "slept 700", || {
            format!("{r:?}")
        })?;
        let status = status.map_err(|_| "waiter panicked")??;
        expect(status == 0, || {
            format!("signal {sig}: exit status {status}")
        })?;
        let err = server.stderr_with("ctrl-c again to quit sooner...\n");
        expect(
            err.contains("Waiting for child tasks to exit, ctrl-c again to quit sooner...\n"),
            || format!("stderr: {err}"),
        )?;
        expect(
            TcpStream::connect(&addr)
                .and_then(|mut s| {
                    s.write_all(b"GET / HTTP/1.1\r\nhost: h\r\n\r\n")?;
                    let mut b = [0u8; 1];
                    s.read(&mut b)
                })
                .map_or(true, |n| n == 0),
            || "the server still answers".to_string(),
        )?;
    }
    Ok(())
}

/// `kiln serve`: guest output lines carry `stdout [N] :: ` prefixes, N
/// counting requests from 0.
fn kiln_serve_log_prefixes() -> Result<(), Failed> {
    let server = Server::start(How::KilnServe(&[]))?;
    let mut c = server.connect()?;
    let r = c.get("/")?;
    expect(r.status == 200, || format!("{r:?}"))?;
    let r = c.get("/print")?;
    expect(r.text() == "printed", || format!("{r:?}"))?;
    let start = Instant::now();
    let want = "stdout [1] :: line one\nstdout [1] :: line two\n";
    let want_err = "stderr [1] :: to stderr\n";
    // Wasmtime writes the guest's output from its own tasks: it may come
    // after the response.
    while !(server.stdout_str().starts_with(want) && server.stderr_str().contains(want_err))
        && start.elapsed() < TIMEOUT
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = server.stdout_str();
    expect(out.starts_with(want), || format!("stdout: {out:?}"))?;
    let err = server.stderr_str();
    expect(err.contains(want_err), || format!("stderr: {err}"))
}

/// Resident memory (KiB) and open descriptors of process `pid`.
fn usage(pid: u32) -> Option<(u64, usize)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count();
    Some((rss, fds))
}

/// The connection processes of server `pid`.
fn children(pid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for t in tasks.flatten() {
            if let Ok(s) = std::fs::read_to_string(t.path().join("children")) {
                out.extend(s.split_whitespace().filter_map(|c| c.parse::<u32>().ok()));
            }
        }
    }
    out
}

/// Rounds of 16 keep-alive clients making 100 requests each (`request`:
/// the client, its number and the request's); after a warm-up round,
/// three more leave the server process's resident memory within `slack`
/// KiB and its descriptors where they were (connection processes reaped).
fn flat_under_load(
    server: &Server,
    slack: u64,
    request: fn(&mut Client, usize, usize) -> Result<(), String>,
) -> Result<(), Failed> {
    let round = || -> Result<(), Failed> {
        let workers: Vec<_> = (0..16)
            .map(|w| {
                let addr = server.addr.clone();
                std::thread::spawn(move || -> Result<(), String> {
                    let mut c = Client::connect(&addr).map_err(|e| format!("{e:?}"))?;
                    for k in 0..100 {
                        request(&mut c, w, k)?;
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join().map_err(|_| "a client panicked")?.map_err(fail)?;
        }
        Ok(())
    };
    round()?;
    let before = usage(server.pid()).ok_or("no /proc entry")?;
    for _ in 0..3 {
        round()?;
    }
    let start = Instant::now();
    while !children(server.pid()).is_empty() && start.elapsed() < TIMEOUT {
        std::thread::sleep(Duration::from_millis(10));
    }
    let after = usage(server.pid()).ok_or("no /proc entry")?;
    expect(after.1 <= before.1 && after.0 <= before.0 + slack, || {
        format!("server process grew: {before:?} -> {after:?} (KiB, descriptors)")
    })
}

/// Load: 16 clients x 100 requests, none failing; the server process's
/// memory and descriptors are flat across rounds, and so is the memory of
/// a connection process across 1,000 requests (each instance is torn
/// down).
fn load_memory_flat() -> Result<(), Failed> {
    if util::reference_engine() {
        return Ok(());
    }
    let server = Server::start(How::Exe(&[]))?;
    flat_under_load(&server, 1024, |c, _, _| {
        let r = c.get("/count").map_err(|e| format!("{e:?}"))?;
        if r.status != 200 || r.text() != "1" {
            return Err(format!("{r:?}"));
        }
        Ok(())
    })?;
    // One connection, many requests: its process does not grow.
    let mut c = server.connect()?;
    let mut sample = |n: usize| -> Result<(u64, usize), Failed> {
        for _ in 0..n {
            let r = c.get("/count")?;
            expect(r.text() == "1", || format!("{r:?}"))?;
        }
        let kids = children(server.pid());
        let kid = *kids.first().ok_or("no connection process")?;
        usage(kid).ok_or_else(|| "no /proc entry".into())
    };
    let first = sample(200)?;
    let last = sample(800)?;
    expect(last.0 <= first.0 + 2048 && last.1 <= first.1, || {
        format!("connection process grew: {first:?} -> {last:?} (KiB, descriptors)")
    })
}

/// The limits of a server: with `-W timeout`, a request the guest takes
/// longer for gets what `wasmtime serve -W timeout` answers (its `500`
/// page; on stderr `worker failed: guest timed out` and the unanswered
/// outparam) and its connection is closed (Wasmtime keeps it), other
/// connections going on; Kiln's own (Wasmtime has none): with
/// `KILN_MAX_REQUEST_BODY`, a request declaring a larger body is answered
/// `413` without the guest; a request head over 64 KiB closes the
/// connection.
fn request_limits() -> Result<(), Failed> {
    if util::reference_engine() {
        return Ok(());
    }
    let server = Server::start_with(
        How::Exe(&["--addr", "0.0.0.0:8080", "-W", "timeout=1s"]),
        &[("KILN_MAX_REQUEST_BODY", "100")],
    )?;
    let mut other = server.connect()?;
    let mut c = server.connect()?;
    let start = Instant::now();
    let r = c.get("/slow?ms=5000")?;
    expect(
        r.status == 500
            && r.text().contains("<h1>500 Internal Server Error</h1>")
            && r.header("connection") == Some("close")
            && r.header("date").is_some_and(|d| d.ends_with(" GMT")),
        || format!("{r:?}"),
    )?;
    expect(start.elapsed() < Duration::from_secs(4), || {
        format!("answered after {:?}", start.elapsed())
    })?;
    expect(c.get("/count").is_err(), || {
        "the connection stayed open".into()
    })?;
    // Another connection, and new ones, are served; fast requests are
    // within the limit.
    let r = other.get("/slow?ms=100")?;
    expect(r.text() == "slept 100", || format!("{r:?}"))?;
    let r = server.connect()?.get("/count")?;
    expect(r.text() == "1", || format!("{r:?}"))?;
    let want = "worker failed: guest timed out\n\
                error: guest never invoked `response-outparam::set` method\n";
    let err = server.stderr_with(want);
    expect(err.contains(want), || format!("stderr: {err}"))?;
    // The declared body size.
    let mut c = server.connect()?;
    c.send_raw(b"POST /echo HTTP/1.1\r\nhost: h\r\ncontent-length: 1000\r\n\r\n")?;
    let r = c.read_response()?;
    expect(r.status == 413, || format!("{r:?}"))?;
    let mut c = server.connect()?;
    c.send_raw(b"POST /echo HTTP/1.1\r\nhost: h\r\ncontent-length: 5\r\n\r\nhello")?;
    let r = c.read_response()?;
    expect(r.status == 200 && r.text() == "hello", || format!("{r:?}"))?;
    // A chunked body is counted as it arrives: over the limit, the guest's
    // read fails and the request is answered 413 (the guest's own answer
    // comes too late), and the connection closes (the rest is unread).
    let chunk = format!("3c\r\n{}\r\n", "b".repeat(60));
    let mut c = server.connect()?;
    c.send_raw(
        format!("POST /len HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n{chunk}")
            .as_bytes(),
    )?;
    c.send_raw(chunk.as_bytes())?;
    let r = c.read_response()?;
    expect(
        r.status == 413 && r.header("connection") == Some("close"),
        || format!("{r:?}"),
    )?;
    expect(c.get("/count").is_err(), || {
        "the connection stayed open".into()
    })?;
    let mut c = server.connect()?;
    c.send_raw(
        format!(
            "POST /len HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n{chunk}0\r\n\r\n"
        )
        .as_bytes(),
    )?;
    let r = c.read_response()?;
    expect(r.status == 200 && r.text() == "60", || format!("{r:?}"))?;
    // A head well over 64 KiB (`hyper` checks the limit between reads).
    let mut c = server.connect()?;
    let big = format!(
        "GET / HTTP/1.1\r\nhost: h\r\nx-big: {}\r\n\r\n",
        "a".repeat(200_000)
    );
    let _ = c.send_raw(big.as_bytes());
    let r = c.read_response();
    expect(!matches!(&r, Ok(r) if r.status == 200), || format!("{r:?}"))
}

/// `kiln serve` of a core module, and of a component without a request
/// handler, fails as `wasmtime serve` does (report and status); `kiln run`
/// of a proxy fails as `wasmtime run` does.
fn refusals_like_wasmtime() -> Result<(), Failed> {
    let command = crate::programs::build_project("http", "wasm32-wasip2")
        .map_err(fail)?
        .join("http_fields.wasm");
    for (wasm, want) in [
        (
            util::repo().join("examples/hello.wat"),
            "Error: The serve command currently requires a component\n",
        ),
        (
            command,
            "Error: no exported instance named `wasi:http/incoming-handler@0.2.12`\n",
        ),
    ] {
        let mut cmd = if util::reference_engine() {
            let mut c =
                Command::new(util::wasmtime().ok_or_else(|| fail("wasmtime is not installed"))?);
            c.env("RUST_BACKTRACE", "0").args(["serve", "-S", "cli"]);
            c
        } else {
            let mut c = util::kiln_cmd();
            c.arg("serve");
            c
        };
        cmd.args(["--addr", "127.0.0.1:0"]).arg(&wasm);
        let o = util::run(&mut cmd, b"", Duration::from_secs(300)).map_err(fail)?;
        expect(o.code() == 1 && o.stderr_str() == want, || {
            format!(
                "{}: expected exit 1 and {want:?}\n{}",
                wasm.display(),
                o.describe()
            )
        })?;
    }
    // `run` of a proxy: no `wasi:cli/run` to call (it does not serve).
    let wasm = proxy()?;
    let mut cmd = if util::reference_engine() {
        let mut c =
            Command::new(util::wasmtime().ok_or_else(|| fail("wasmtime is not installed"))?);
        c.env("RUST_BACKTRACE", "0");
        c
    } else {
        util::kiln_cmd()
    };
    cmd.args(["run", "-S", "http"]).arg(&wasm);
    let o = util::run(&mut cmd, b"", Duration::from_secs(300)).map_err(fail)?;
    let want = format!(
        "Error: failed to run main module `{}`\n\nCaused by:\n    no exported instance named \
         `wasi:cli/run@0.2.12`",
        wasm.display()
    );
    expect(o.code() == 1 && o.stderr_str().trim_end() == want, || {
        format!("run: expected exit 1 and {want:?}\n{}", o.describe())
    })
}
