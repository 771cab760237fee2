//! What the process sets up before a guest runs, so that the guest sees
//! the OS as a Rust program (Wasmtime) does.
//!
//! Linux: a C `main` does not get Rust's start-up code, which ignores
//! `SIGPIPE` (a write to a closed pipe then fails with `EPIPE` instead of
//! killing the process) and opens `/dev/null` on each closed standard
//! descriptor (so no descriptor the runtime opens later takes a standard
//! stream's number). Windows: nothing (no `SIGPIPE`; a missing standard
//! handle stays missing, and the stdio layer treats it as Rust's standard
//! library does).

/// Does the set-up once per process; later calls do nothing.
pub fn prepare_for_guest() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        #[cfg(unix)]
        unix::prepare();
    });
}

#[cfg(unix)]
mod unix {
    pub fn prepare() {
        // SAFETY: setting a signal disposition to "ignore" has no handler
        // to race with; this runs before any guest code.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        }
        sanitize_standard_fds();
    }

    /// Opens `/dev/null` on each of descriptors 0-2 that is closed.
    fn sanitize_standard_fds() {
        // One `poll` answers for all three (`POLLNVAL` marks a closed one),
        // as Rust's start-up code asks; three `fcntl`s only if it fails.
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        });
        // SAFETY: `fds` is three valid, exclusively borrowed records; a
        // zero timeout returns at once.
        if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } >= 0 {
            for p in fds {
                if p.revents & libc::POLLNVAL != 0 {
                    open_dev_null();
                }
            }
            return;
        }
        for fd in 0..3 {
            // SAFETY: probing a descriptor number; nothing is borrowed.
            if unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::EBADF)
            {
                open_dev_null();
            }
        }
    }

    /// Opens `/dev/null` for a closed standard descriptor: the lowest free
    /// number is that descriptor itself, as 0-2 are handled in order. If
    /// it cannot be opened, the stream stays closed (its operations fail
    /// with EBADF). Kept open for the life of the process.
    fn open_dev_null() {
        // SAFETY: a constant NUL-terminated path; the descriptor is kept.
        unsafe {
            libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        }
    }
}
