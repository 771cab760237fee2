//! The request timeout of the process-per-connection server (`-W
//! timeout=D`, per request): a one-shot `ITIMER_REAL` and its `SIGALRM`
//! handler, which abandon the connection's process.
//!
//! Phase: a connection process, around one request's handling. Inputs:
//! the timeout and the connection's socket. Output: when it fires, `503`
//! on the socket (if unanswered), the report on stderr, and the process's
//! exit.

use std::sync::atomic::Ordering;
use std::time::Duration;

/// The socket of the connection whose request the timer watches.
static TIMED_FD: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

/// The request timeout (`-W timeout=D`, per request in a server): a
/// one-shot `ITIMER_REAL` armed for the guest's handling of one request.
/// When it fires, the guest (running wasm or waiting in the host) is
/// abandoned with its whole connection process: a request not yet
/// answered gets `503 Service Unavailable` (written directly: `hyper`'s
/// state cannot be reached from a signal handler), the report goes to
/// stderr, and the process exits. Other connections are untouched.
pub(super) struct RequestTimer;

impl RequestTimer {
    pub(super) fn arm(after: Duration, fd: i32) -> RequestTimer {
        TIMED_FD.store(fd, Ordering::SeqCst);
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

const TIMED_OUT_RESPONSE: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n\
content-length: 18\r\nconnection: close\r\n\r\nrequest timed out\n";

extern "C" fn on_request_timeout(_sig: libc::c_int) {
    let fd = TIMED_FD.load(Ordering::SeqCst);
    if fd >= 0 && !kiln_wasi::http::server::ANSWERED.load(Ordering::SeqCst) {
        // SAFETY: `write` is async-signal-safe; the socket is open (the
        // connection lives while its request does).
        unsafe {
            libc::write(
                fd,
                TIMED_OUT_RESPONSE.as_ptr().cast(),
                TIMED_OUT_RESPONSE.len(),
            )
        };
    }
    let msg = b"error: request timed out after the -W timeout; its connection was closed\n";
    // SAFETY: as above; then the connection process ends.
    unsafe {
        libc::write(2, msg.as_ptr().cast(), msg.len());
        libc::_exit(1);
    }
}
