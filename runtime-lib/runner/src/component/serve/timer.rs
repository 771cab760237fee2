//! The request timeout of the process-per-connection server (`-W
//! timeout=D`, per request): a one-shot `ITIMER_REAL` and its `SIGALRM`
//! handler, which abandon the connection's process.
//!
//! Phase: a connection process, around one request's handling. Inputs:
//! the timeout, the connection's socket and the handler's kind. Output:
//! when it fires, what `wasmtime serve -W timeout` answers (its `500`
//! page, if the guest had not answered) on the socket, its report on
//! stderr, and the process's exit (so the connection closes; Wasmtime
//! keeps it open, the response says `connection: close`).

use std::sync::atomic::Ordering;
use std::time::Duration;

/// The socket of the connection whose request the timer watches.
static TIMED_FD: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);
/// Whether the handler is a 0.3 service's (no `response-outparam`).
static TIMED_P3: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The request timeout (`-W timeout=D`, per request in a server): a
/// one-shot `ITIMER_REAL` armed for the guest's handling of one request.
/// When it fires, the guest (running wasm or waiting in the host) is
/// abandoned with its whole connection process: a request not yet
/// answered gets Wasmtime's `500` page (written directly: `hyper`'s state
/// cannot be reached from a signal handler), Wasmtime's report goes to
/// stderr, and the process exits. Other connections are untouched.
pub(super) struct RequestTimer;

impl RequestTimer {
    pub(super) fn arm(after: Duration, fd: i32, p3: bool) -> RequestTimer {
        TIMED_FD.store(fd, Ordering::SeqCst);
        TIMED_P3.store(p3, Ordering::SeqCst);
        // SAFETY: installing a handler that only uses async-signal-safe
        // calls (`write`, `_exit`) and atomics.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_request_timeout as *const () as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(libc::SIGALRM, &sa, std::ptr::null_mut());
        }
        set_timer(after);
        RequestTimer
    }
}

impl Drop for RequestTimer {
    fn drop(&mut self) {
        set_timer(Duration::ZERO);
    }
}

/// Arms (or with zero, disarms) this process's one-shot real-time timer.
fn set_timer(after: Duration) {
    let secs = libc::time_t::try_from(after.as_secs()).unwrap_or(libc::time_t::MAX);
    let mut usecs = libc::suseconds_t::from(after.subsec_micros());
    if !after.is_zero() && secs == 0 && usecs == 0 {
        // Under a microsecond: a zero value would disarm instead.
        usecs = 1;
    }
    let t = libc::itimerval {
        it_interval: libc::timeval {
            tv_sec: 0,
            tv_usec: 0,
        },
        it_value: libc::timeval {
            tv_sec: secs,
            tv_usec: usecs,
        },
    };
    // SAFETY: setting this process's timer from a local value.
    unsafe { libc::setitimer(libc::ITIMER_REAL, &t, std::ptr::null_mut()) };
}

/// The head of the timed-out answer, up to the date's value.
const HEAD: &[u8] =
    b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html; charset=UTF-8\r\n\
content-length: 205\r\nconnection: close\r\ndate: ";

extern "C" fn on_request_timeout(_sig: libc::c_int) {
    let fd = TIMED_FD.load(Ordering::SeqCst);
    let answered = kiln_wasi::http::server::ANSWERED.load(Ordering::SeqCst);
    if fd >= 0 && !answered {
        // One write of the whole answer, built on the stack (no allocation
        // in a signal handler).
        let page = kiln_wasi::http::server::PAGE_500.as_bytes();
        let mut buf = [0u8; 512];
        let mut n = 0;
        for part in [HEAD, &http_date(now_secs()), b"\r\n\r\n", page] {
            let end = (n + part.len()).min(buf.len());
            buf[n..end].copy_from_slice(&part[..end - n]);
            n = end;
        }
        // SAFETY: `write` is async-signal-safe; the socket is open (the
        // connection lives while its request does).
        unsafe { libc::write(fd, buf.as_ptr().cast(), n) };
    }
    // Wasmtime's lines: its worker's failure, then (a 0.2 handler that
    // never answered) the unanswered outparam.
    let mut msg: &[u8] = b"worker failed: guest timed out\n";
    let both = b"worker failed: guest timed out\nerror: guest never invoked `response-outparam::set` method\n";
    if !answered && !TIMED_P3.load(Ordering::SeqCst) {
        msg = both;
    }
    // SAFETY: as above; then the connection process ends.
    unsafe {
        libc::write(2, msg.as_ptr().cast(), msg.len());
        libc::_exit(1);
    }
}

/// The realtime clock's whole seconds (async-signal-safe).
fn now_secs() -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` is async-signal-safe and writes `ts`.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    ts.tv_sec
}

/// An HTTP `date` value (`Sun, 06 Nov 1994 08:49:37 GMT`) of Unix time
/// `secs`, without allocating (days to the civil date: Howard Hinnant's
/// algorithm).
fn http_date(secs: i64) -> [u8; 29] {
    const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mut out = *b"Thu, 01 Jan 1970 00:00:00 GMT";
    out[..3].copy_from_slice(DAYS[days.rem_euclid(7) as usize]);
    let two = |out: &mut [u8; 29], at: usize, v: i64| {
        out[at] = b'0' + (v / 10 % 10) as u8;
        out[at + 1] = b'0' + (v % 10) as u8;
    };
    two(&mut out, 5, day);
    out[8..11].copy_from_slice(MONTHS[(month - 1).clamp(0, 11) as usize]);
    two(&mut out, 12, year / 100);
    two(&mut out, 14, year % 100);
    two(&mut out, 17, rem / 3600);
    two(&mut out, 20, rem / 60 % 60);
    two(&mut out, 23, rem % 60);
    out
}

#[cfg(test)]
mod tests {
    use super::http_date;

    #[test]
    fn http_dates() {
        for (secs, want) in [
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
            (1_000_000_000, "Sun, 09 Sep 2001 01:46:40 GMT"),
            (1_796_000_000, "Mon, 30 Nov 2026 00:53:20 GMT"),
        ] {
            assert_eq!(std::str::from_utf8(&http_date(secs)).unwrap(), want);
        }
    }
}
