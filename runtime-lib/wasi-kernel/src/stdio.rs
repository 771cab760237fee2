//! Standard input, output and error: the host's fds 0, 1 and 2.
//!
//! Phase: run time. Inputs: guest buffers. Outputs: bytes on the host fds.
//!
//! Invariants: output is written straight to the host stream, unbuffered
//! (a later `proc_exit` or trap cannot lose it), looping until every byte is
//! written or an error occurs, as wasmtime's blocking write-and-flush does
//! (`kiln_platform::stdio`). Reads are single reads. Whether a stream is a terminal is decided
//! once, at start-up (wasmtime reports `character_device` for terminals and
//! `unknown` otherwise).

use super::error::{ErrorCode, KResult};
use std::sync::Mutex;

/// The line prefix of an HTTP server's request (`stdout [N] :: `, as
/// `wasmtime serve` writes its handlers' output), and for each of stdout
/// and stderr whether the next byte starts a line.
#[derive(Debug)]
struct LogPrefix {
    id: u64,
    at_line_start: [bool; 2],
}

/// Set while a server's request runs ([`set_log_prefix`]).
static LOG_PREFIX: Mutex<Option<LogPrefix>> = Mutex::new(None);
/// Whether [`LOG_PREFIX`] is set: a command's writes skip the lock.
static LOG_PREFIX_ON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Prefixes every line the guest writes to stdout or stderr from now on
/// with `stdout [id] :: ` or `stderr [id] :: ` (`None`: no prefix). Each
/// request starts at a line start.
pub fn set_log_prefix(id: Option<u64>) {
    let mut p = LOG_PREFIX.lock().unwrap_or_else(|e| e.into_inner());
    LOG_PREFIX_ON.store(id.is_some(), std::sync::atomic::Ordering::Relaxed);
    *p = id.map(|id| LogPrefix {
        id,
        at_line_start: [true; 2],
    });
}

/// `data` with the request's line prefixes inserted, if a prefix is set
/// and `kind` is an output stream (Wasmtime's `LogStream`: a prefix before
/// the first byte of every line, a partial line written as it comes).
fn prefixed(kind: StdioKind, data: &[u8]) -> Option<Vec<u8>> {
    let (slot, name) = match kind {
        StdioKind::Stdout => (0, "stdout"),
        StdioKind::Stderr => (1, "stderr"),
        StdioKind::Stdin => return None,
    };
    if !LOG_PREFIX_ON.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    let mut guard = LOG_PREFIX.lock().unwrap_or_else(|e| e.into_inner());
    let p = guard.as_mut()?;
    let prefix = format!("{name} [{}] :: ", p.id);
    let mut out = Vec::with_capacity(data.len() + prefix.len());
    let mut rest = data;
    while !rest.is_empty() {
        if p.at_line_start[slot] {
            out.extend_from_slice(prefix.as_bytes());
            p.at_line_start[slot] = false;
        }
        match rest.iter().position(|b| *b == b'\n') {
            Some(i) => {
                out.extend_from_slice(&rest[..=i]);
                p.at_line_start[slot] = true;
                rest = &rest[i + 1..];
            }
            None => {
                out.extend_from_slice(rest);
                rest = &[];
            }
        }
    }
    Some(out)
}

/// Which standard stream.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum StdioKind {
    /// fd 0
    Stdin,
    /// fd 1
    Stdout,
    /// fd 2
    Stderr,
}

/// One of the guest's standard streams.
#[derive(Debug)]
pub struct Stdio {
    /// Which stream.
    pub kind: StdioKind,
}

impl Stdio {
    /// The stream `kind`.
    pub fn new(kind: StdioKind) -> Stdio {
        Stdio { kind }
    }

    /// Whether the host fd is a terminal: probed on first use, once per
    /// process and stream (the host's descriptors 0-2 stay the same for
    /// the process's life, and a server makes a context per instance). Not
    /// at start-up: a program that never asks (most) saves three system
    /// calls.
    pub fn isatty(&self) -> bool {
        static ISATTY: [std::sync::OnceLock<bool>; 3] = [const { std::sync::OnceLock::new() }; 3];
        let slot = match self.kind {
            StdioKind::Stdin => 0,
            StdioKind::Stdout => 1,
            StdioKind::Stderr => 2,
        };
        *ISATTY[slot].get_or_init(|| kiln_platform::stdio::is_terminal(stream(self.kind)))
    }

    /// Reads up to `buf.len()` bytes (0 at end of input).
    pub fn read(&self, buf: &mut [u8]) -> KResult<usize> {
        self.read_os(buf).map_err(ErrorCode::from)
    }

    /// Writes all of `data`.
    ///
    /// NB: a reader that went away (`EPIPE`) is a *closed stream* in
    /// Wasmtime's stdout/stderr, which P1 reports as `EIO`; other errors
    /// (e.g. `ENOSPC` on `/dev/full`) pass through as themselves.
    pub fn write_all(&self, data: &[u8]) -> KResult<usize> {
        match self.write_all_os(data).map_err(ErrorCode::from) {
            Ok(()) => Ok(data.len()),
            Err(ErrorCode::Pipe) => Err(ErrorCode::Io),
            Err(other) => Err(other),
        }
    }
}

impl Stdio {
    /// Reads up to `buf.len()` bytes (0 at end of input), with the host's
    /// own error (WASI 0.2 streams show its message).
    pub fn read_os(&self, buf: &mut [u8]) -> std::io::Result<usize> {
        kiln_platform::stdio::read(stream(self.kind), buf)
    }

    /// Writes all of `data`, with the host's own error (`EPIPE` included:
    /// WASI 0.2 reports it as a closed stream).
    pub fn write_all_os(&self, data: &[u8]) -> std::io::Result<()> {
        match prefixed(self.kind, data) {
            Some(p) => self.write_os(&p),
            None => self.write_os(data),
        }
    }

    fn write_os(&self, data: &[u8]) -> std::io::Result<()> {
        kiln_platform::stdio::write(stream(self.kind), data)
    }
}

/// The platform's name of a standard stream.
fn stream(kind: StdioKind) -> kiln_platform::stdio::Stream {
    match kind {
        StdioKind::Stdin => kiln_platform::stdio::Stream::Stdin,
        StdioKind::Stdout => kiln_platform::stdio::Stream::Stdout,
        StdioKind::Stderr => kiln_platform::stdio::Stream::Stderr,
    }
}

/// The host descriptor of a standard stream, as readiness waits name it
/// (one the platform's poller cannot watch is always ready: see
/// `kiln_platform::stdio::raw`).
pub fn host_fd(kind: StdioKind) -> kiln_platform::poll::Raw {
    kiln_platform::stdio::raw(stream(kind))
}
