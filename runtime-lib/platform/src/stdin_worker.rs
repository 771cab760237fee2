//! Windows: stdin read by a worker thread once a guest waits on it, as
//! Wasmtime for Windows reads stdin, so a wait on stdin is ready only when
//! input (or its end) has arrived.
//!
//! Phase: run time. Inputs: the process's standard input handle (a pipe,
//! console or file), read with Rust's `Stdin` (a console through its
//! UTF-16 interface). Outputs: readiness for the poller ([`ready`]) and
//! the bytes for reads ([`read`]).
//!
//! Invariants:
//! - The worker starts at the first readiness check; until then a read
//!   goes straight to `Stdin` (a program that never waits on stdin reads
//!   it as before). Once started, every read takes the worker's bytes, so
//!   no byte is read twice or out of order.
//! - The worker reads only when asked (a readiness check or a read found
//!   nothing), and holds at most one read's bytes, as Wasmtime's worker
//!   does: input not asked for stays in the pipe or console, and a
//!   console's line editing starts only when the guest wants a line, after
//!   what it wrote before (an eager read drew the next input line over
//!   the guest's later output).
//! - The end of input and a read error are kept: every later read and
//!   readiness check sees them.
//! - Windows cannot wait on a pipe or console with the sockets' `WSAPoll`,
//!   so the poller checks [`ready`] between short waits (`crate::poll`).

use std::io::{self, Read};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};

/// Bytes per read of the worker.
const CHUNK: usize = 8192;

/// What the worker has for readers.
#[derive(Default)]
struct State {
    /// Bytes read and not yet taken.
    bytes: Vec<u8>,
    /// Taken so far of `bytes`.
    taken: usize,
    /// The input ended.
    end: bool,
    /// A read failed (kept as the raw OS error, or its kind).
    error: Option<(Option<i32>, io::ErrorKind)>,
    /// A reader or a readiness check asked for input the worker has not
    /// read yet.
    wanted: bool,
    /// The worker is in a read (a request made meanwhile is that read's).
    reading: bool,
}

impl State {
    fn ready(&self) -> bool {
        self.taken < self.bytes.len() || self.end || self.error.is_some()
    }
}

struct Worker {
    state: Mutex<State>,
    /// Signalled when bytes arrive (readers wait) and when they are all
    /// taken (the worker waits).
    changed: Condvar,
}

static WORKER: OnceLock<Worker> = OnceLock::new();

fn lock(w: &Worker) -> MutexGuard<'_, State> {
    // A panic while holding the lock leaves plain data: keep using it.
    w.state.lock().unwrap_or_else(|e| e.into_inner())
}

/// The worker, started on first use.
fn worker() -> &'static Worker {
    WORKER.get_or_init(|| {
        let spawned = std::thread::Builder::new()
            .name("kiln-stdin".into())
            .spawn(run);
        let w = Worker {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        };
        if let Err(e) = spawned {
            // No thread: stdin reports the error rather than hanging.
            lock(&w).error = Some((e.raw_os_error(), e.kind()));
        }
        w
    })
}

/// The worker thread: one read at a time, each once the last is taken
/// and more is asked for.
fn run() {
    let w = worker();
    let mut buf = vec![0u8; CHUNK];
    loop {
        {
            let mut s = lock(w);
            while s.taken < s.bytes.len() || !s.wanted {
                s = w.changed.wait(s).unwrap_or_else(|e| e.into_inner());
            }
            s.wanted = false;
            s.reading = true;
        }
        let r = io::stdin().lock().read(&mut buf);
        let mut s = lock(w);
        s.reading = false;
        let done = match r {
            Ok(0) => {
                s.end = true;
                true
            }
            Ok(n) => {
                s.bytes.clear();
                s.bytes.extend_from_slice(&buf[..n]);
                s.taken = 0;
                false
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => false,
            Err(e) => {
                s.error = Some((e.raw_os_error(), e.kind()));
                true
            }
        };
        w.changed.notify_all();
        if done {
            return;
        }
    }
}

/// Whether a read of stdin would not block: input has arrived, or its end
/// or an error. Starts the worker.
pub fn ready() -> bool {
    let w = worker();
    let mut s = lock(w);
    want(w, &mut s)
}

/// Whether `s` has something for a reader; if not, asks the worker for
/// more (it reads only when asked).
fn want(w: &Worker, s: &mut State) -> bool {
    if s.ready() {
        return true;
    }
    if !s.wanted && !s.reading {
        s.wanted = true;
        w.changed.notify_all();
    }
    false
}

/// Whether the input ended (with nothing left to take).
pub fn at_end() -> bool {
    WORKER.get().is_some_and(|w| {
        let s = lock(w);
        s.end && s.taken == s.bytes.len()
    })
}

/// Reads up to `buf.len()` bytes of stdin (0 at its end), through the
/// worker once it has started.
pub fn read(buf: &mut [u8]) -> io::Result<usize> {
    if buf.is_empty() {
        return Ok(0);
    }
    let Some(w) = WORKER.get() else {
        return io::stdin().lock().read(buf);
    };
    let mut s = lock(w);
    while !want(w, &mut s) {
        s = w.changed.wait(s).unwrap_or_else(|e| e.into_inner());
    }
    if s.taken < s.bytes.len() {
        let n = buf.len().min(s.bytes.len() - s.taken);
        buf[..n].copy_from_slice(&s.bytes[s.taken..s.taken + n]);
        s.taken += n;
        if s.taken == s.bytes.len() {
            w.changed.notify_all();
        }
        return Ok(n);
    }
    match s.error {
        Some((Some(code), _)) => Err(io::Error::from_raw_os_error(code)),
        Some((None, kind)) => Err(kind.into()),
        None => Ok(0),
    }
}
