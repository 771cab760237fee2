//! stdin, stdout and stderr as `wasi:io` streams (what `wasi:cli/std*`
//! hand out).
//!
//! Phase: run time. Inputs: the kernel's stdio objects. Outputs: stream
//! behaviour as Wasmtime's (`wasmtime-wasi` `cli/stdout.rs`,
//! `cli/worker_thread_stdin.rs`):
//! - stdout/stderr grant 64 KiB permits at any time, write everything they
//!   are given (no permit check), are always ready, and report a reader
//!   that went away (`EPIPE`) as *closed*, other errors as failed with the
//!   OS error's text. Writes are unbuffered `write(2)`s, so `flush` has
//!   nothing to do.
//! - stdin reads at most 64 KiB at a time; a read of 0 bytes returns
//!   nothing (even at the end); end of input is *closed* from then on, for
//!   every stdin stream of the run (wasmtime has one global reader, which
//!   stops); an error is reported once, then stdin is closed. A
//!   non-blocking read returns data only if the descriptor is ready now
//!   (the reactor's probe; files and `/dev/null` always are).
//!
//! NB: wasmtime reads stdin on a worker thread, so its very first
//! non-blocking `read` or `ready()` after start-up reports nothing even if
//! input is waiting; Kiln answers from the descriptor's actual state (the
//! same results once a guest waited, which any correct guest does).

use super::{InputStreamImpl, OutputStreamImpl, Readiness, StreamFailure};
use kiln_wasi_kernel::reactor::{self, Waitable};
use kiln_wasi_kernel::stdio::{Stdio, StdioKind, host_fd};
use std::sync::atomic::{AtomicBool, Ordering};

/// The most stdin reads at once, and the stdout/stderr permit (wasmtime's
/// `MAX_READ_SIZE_ALLOC`).
pub const STDIO_CHUNK: u64 = 64 * 1024;

/// A stdio stream of `kind`.
pub fn stdio(kind: StdioKind) -> Stdio {
    Stdio::new(kind)
}

fn failed(e: std::io::Error) -> StreamFailure {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        StreamFailure::Closed
    } else {
        StreamFailure::Failed(e.to_string())
    }
}

/// stdout or stderr as an output stream.
#[derive(Debug)]
pub struct StdioOutput(pub Stdio);

impl OutputStreamImpl for StdioOutput {
    fn check_write(&mut self) -> Result<u64, StreamFailure> {
        Ok(STDIO_CHUNK)
    }
    fn write(&mut self, data: &[u8]) -> Result<(), StreamFailure> {
        self.0.write_all_os(data).map_err(failed)
    }
    fn flush(&mut self) -> Result<(), StreamFailure> {
        Ok(())
    }
    fn readiness(&self) -> Readiness {
        Readiness::Always
    }
}

/// Whether stdin reached its end or failed: from then on every stdin
/// stream of the run is closed, as wasmtime's one global stdin reader
/// stops (a terminal's end-of-file is final too).
static STDIN_CLOSED: AtomicBool = AtomicBool::new(false);

/// stdin as an input stream.
#[derive(Debug)]
pub struct StdioInput {
    stdio: Stdio,
}

impl StdioInput {
    /// stdin (`stdio` of kind stdin).
    pub fn new(stdio: Stdio) -> StdioInput {
        StdioInput { stdio }
    }

    fn fd(&self) -> kiln_wasi_kernel::reactor::RawFd {
        host_fd(self.stdio.kind)
    }

    fn closed(&self) -> bool {
        STDIN_CLOSED.load(Ordering::Relaxed)
    }

    fn close(&self) {
        STDIN_CLOSED.store(true, Ordering::Relaxed)
    }
}

impl InputStreamImpl for StdioInput {
    fn read(&mut self, len: u64) -> Result<Vec<u8>, StreamFailure> {
        if len == 0 {
            return Ok(Vec::new());
        }
        if self.closed() {
            return Err(StreamFailure::Closed);
        }
        let probe = [Waitable::Fd {
            fd: self.fd(),
            write: false,
        }];
        // The clock is irrelevant to a probe of a descriptor.
        let ready = reactor::wait(&probe, &|| 0, false)
            .map_err(|e| StreamFailure::Failed(format!("{e:?}")))?;
        if !ready[0] {
            return Ok(Vec::new());
        }
        let mut buf = vec![0; len.min(STDIO_CHUNK) as usize];
        match self.stdio.read_os(&mut buf) {
            Ok(0) => {
                self.close();
                Err(StreamFailure::Closed)
            }
            Ok(n) => {
                buf.truncate(n);
                Ok(buf)
            }
            Err(e) => {
                self.close();
                Err(StreamFailure::Failed(e.to_string()))
            }
        }
    }
    fn readiness(&self) -> Readiness {
        if self.closed() {
            Readiness::Always
        } else {
            Readiness::Fd {
                fd: self.fd(),
                write: false,
            }
        }
    }
}
