//! The proxy served by a Windows executable under Wine against the same
//! component under `wasmtime.exe serve` (Wasmtime 49 for Windows, the same
//! Wine): `cross::x86_64-pc-windows-gnu::serve_like_wasmtime_exe`.
//!
//! Both servers get the same requests on the same kind of connections:
//! keep-alive requests each on a fresh instance, request parts, a streamed
//! body with trailers, a trap answered 500 (and its report), a trap after
//! the head, a large response body, and a second connection served while
//! the first stays open (Kiln's Windows server runs every connection in
//! one process). Each response (status, headers but `date`, body,
//! trailers) must be the same, and so must the trap's report.

use super::{Response, Server, expect, proxy};
use crate::cross::Cross;
use crate::util;
use libtest_mimic::Failed;

/// What one request sequence gives: per request, its label and response.
type Replies = Vec<(String, Response)>;

/// The requests, on two connections to `server`.
fn exchange(server: &Server) -> Result<Replies, Failed> {
    let mut out = Vec::new();
    let mut first = server.connect()?;
    for path in ["/count", "/count", "/some/path?q=1"] {
        out.push((format!("GET {path}"), first.get(path)?));
    }
    first.send_raw(
        b"POST /echo HTTP/1.1\r\nhost: h\r\nx-foo: bar\r\nte: trailers\r\n\
          trailer: x-trailer\r\ntransfer-encoding: chunked\r\n\r\n",
    )?;
    for part in ["hello ", "streaming ", &"x".repeat(50_000)] {
        first.send_raw(format!("{:x}\r\n{part}\r\n", part.len()).as_bytes())?;
    }
    first.send_raw(b"0\r\nx-trailer: 7\r\n\r\n")?;
    out.push(("POST /echo".into(), first.read_response()?));
    // A second connection while the first is open and idle.
    let mut second = server.connect()?;
    out.push(("second connection".into(), second.get("/count")?));
    for path in ["/trap", "/count", "/trap-after", "/count", "/grant"] {
        out.push((format!("GET {path}"), first.get(path)?));
    }
    out.push(("second connection again".into(), second.get("/count")?));
    Ok(out)
}

/// A response without what differs between two runs (`date`).
fn comparable(r: &Response) -> String {
    let headers: Vec<_> = r.headers.iter().filter(|(n, _)| n != "date").collect();
    format!(
        "{} {headers:?} {:?} trailers {:?}",
        r.status,
        String::from_utf8_lossy(&r.body),
        r.trailers
    )
}

/// The report of the trap of `/trap`, from its first line to Wasmtime's
/// note on the unanswered request.
fn trap_report(server: &Server) -> String {
    const END: &str = "`response-outparam::set` method\n";
    let err = server.stderr_with(END);
    let start = err.find("worker failed:").unwrap_or(0);
    let end = err.find(END).map_or(err.len(), |i| i + END.len());
    err.get(start..end).unwrap_or_default().to_string()
}

/// See the module's comment.
pub fn windows_like_wasmtime_exe(cross: &Cross) -> Result<(), Failed> {
    let Some(wasmtime_exe) = util::wasmtime_exe() else {
        return Err("the Windows lane needs wasmtime.exe (scripts/fetch-wasmtime-windows)".into());
    };
    let kiln = Server::start(super::How::Cross(cross))?;
    let proxy = proxy()?;
    let reference_cmd = || {
        let mut cmd = cross.command(&wasmtime_exe);
        cmd.env("RUST_BACKTRACE", "0")
            .args(["serve", "-S", "cli", "--addr", "127.0.0.1:0"])
            .arg(&proxy);
        cmd
    };
    let reference = Server::spawn(reference_cmd())?;
    let (ours, theirs) = (exchange(&kiln)?, exchange(&reference)?);
    expect(ours.len() == theirs.len(), || {
        "unequal request sequences".into()
    })?;
    for ((what, a), (_, b)) in ours.iter().zip(&theirs) {
        expect(comparable(a) == comparable(b), || {
            format!(
                "{what}: differs from wasmtime.exe serve\n--- wasmtime.exe ---\n{}\n--- {} \
                 ---\n{}",
                comparable(b),
                cross.triple,
                comparable(a)
            )
        })?;
    }
    let (a, mut b) = (trap_report(&kiln), trap_report(&reference));
    if b.is_empty() {
        // Once in CI, `wasmtime.exe serve` under Wine answered every
        // request alike but its stderr stayed empty for 30 s; a server of
        // its own gets the trap alone, so that only a second silence fails.
        let again = Server::spawn(reference_cmd())?;
        again.connect()?.get("/trap")?;
        b = trap_report(&again);
    }
    expect(!a.is_empty() && a == b, || {
        format!("the trap's report differs\n--- wasmtime.exe ---\n{b}\n--- Kiln ---\n{a}")
    })
}
