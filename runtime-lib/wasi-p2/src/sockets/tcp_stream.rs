//! The input and output streams of a connected TCP socket (the
//! `wasi:io/streams` traits over the kernel's non-blocking descriptor).
//!
//! Phase: run time. Inputs: the connected descriptor shared with the
//! socket. Outputs: [`TcpReader`]/[`TcpWriter`] stream objects and the
//! shutdown hooks `tcp-socket.shutdown` uses.
//!
//! Invariants (as Wasmtime's `p2/tcp.rs`):
//! - reads take at most 64 KiB; end of stream or a read error closes the
//!   input for good (`closed`, resp. `last-operation-failed` once, then
//!   `closed`);
//! - `check-write` grants 64 KiB when the socket is writable and no earlier
//!   write is still being delivered; a write beyond the grant traps; a write
//!   is never refused for lack of room: what the socket does not take now
//!   is kept and delivered as the socket drains (wasmtime's background
//!   write), and dropping the stream delivers the rest first; `flush` does
//!   nothing; `EPIPE` makes the stream `closed`, other errors
//!   `last-operation-failed` and then the stream stays failed;
//! - `shutdown(receive)` closes the input (and shuts the host socket's
//!   receive side); `shutdown(send)` finishes pending output, then shuts
//!   the send side and closes the output.

use super::super::io::{InputStreamImpl, OutputStreamImpl, Readiness, StreamFailure};
use kiln_wasi_kernel::net::inet::NetError;
use kiln_wasi_kernel::net::{SEND_FLAGS, errno};
use rustix::fd::{AsFd, AsRawFd, OwnedFd};
use rustix::io::Errno;
use rustix::net::RecvFlags;
use std::cell::RefCell;
use std::rc::Rc;

/// The largest read and write grant (wasmtime's `MAX_READ_SIZE_ALLOC`).
pub const MAX_CHUNK: usize = 64 * 1024;

fn failed(e: NetError) -> StreamFailure {
    StreamFailure::Failed(format!("{e:?}"))
}

/// The read side: `None` once closed.
#[derive(Debug)]
pub struct ReadSide(Option<Rc<OwnedFd>>);

impl ReadSide {
    /// Closes the input and shuts the host socket's receive side.
    pub fn shutdown(&mut self) {
        if let Some(fd) = self.0.take() {
            let _ = rustix::net::shutdown(&*fd, rustix::net::Shutdown::Read);
        }
    }
}

/// The write side.
#[derive(Debug)]
pub struct WriteSide {
    /// `None` once closed.
    fd: Option<Rc<OwnedFd>>,
    /// Accepted bytes the socket has not taken yet.
    pending: Vec<u8>,
    /// The last `check-write` grant.
    permit: usize,
    /// Why the stream is closed (`None`: plainly closed).
    error: Option<NetError>,
}

impl WriteSide {
    fn failure(&self) -> StreamFailure {
        self.error.map_or(StreamFailure::Closed, failed)
    }

    fn close_with(&mut self, e: Errno) -> StreamFailure {
        self.fd = None;
        self.pending.clear();
        if errno::is(e, errno::PIPE) {
            self.error = None;
            StreamFailure::Closed
        } else {
            self.error = Some(e.into());
            self.failure()
        }
    }

    /// Sends pending bytes without blocking (`block`: until all are sent).
    fn drain(&mut self, block: bool) -> Result<(), StreamFailure> {
        while !self.pending.is_empty() {
            let Some(fd) = self.fd.clone() else {
                return Err(self.failure());
            };
            match rustix::net::send(&*fd, &self.pending, SEND_FLAGS) {
                Ok(n) => {
                    self.pending.drain(..n);
                }
                Err(Errno::INTR) => {}
                Err(Errno::AGAIN) if block => {
                    let mut fds = [rustix::event::PollFd::from_borrowed_fd(
                        fd.as_fd(),
                        rustix::event::PollFlags::OUT,
                    )];
                    let _ = rustix::event::poll(&mut fds, None);
                }
                Err(Errno::AGAIN) => return Ok(()),
                Err(e) => return Err(self.close_with(e)),
            }
        }
        Ok(())
    }

    /// Delivers pending output, shuts the host socket's send side and
    /// closes the output.
    pub fn shutdown(&mut self) {
        let _ = self.drain(true);
        if let Some(fd) = self.fd.take() {
            let _ = rustix::net::shutdown(&*fd, rustix::net::Shutdown::Write);
        }
        self.error = None;
    }
}

impl Drop for WriteSide {
    fn drop(&mut self) {
        // Data the guest wrote is delivered before the stream goes away
        // (wasmtime's output streams wait for background writes).
        let _ = self.drain(true);
    }
}

/// The two sides of a connection, shared by the socket (for `shutdown`)
/// and its streams.
#[derive(Clone, Debug)]
pub struct Connection {
    /// The read side.
    pub read: Rc<RefCell<ReadSide>>,
    /// The write side.
    pub write: Rc<RefCell<WriteSide>>,
}

impl Connection {
    /// Both sides of connected descriptor `fd`.
    pub fn new(fd: Rc<OwnedFd>) -> Connection {
        Connection {
            read: Rc::new(RefCell::new(ReadSide(Some(fd.clone())))),
            write: Rc::new(RefCell::new(WriteSide {
                fd: Some(fd),
                pending: Vec::new(),
                permit: 0,
                error: None,
            })),
        }
    }
}

/// A TCP input stream.
#[derive(Debug)]
pub struct TcpReader(pub Rc<RefCell<ReadSide>>);

impl InputStreamImpl for TcpReader {
    fn read(&mut self, len: u64) -> Result<Vec<u8>, StreamFailure> {
        let mut side = self.0.borrow_mut();
        let Some(fd) = side.0.clone() else {
            return Err(StreamFailure::Closed);
        };
        if len == 0 {
            return Ok(Vec::new());
        }
        let mut buf = vec![0; usize::try_from(len).unwrap_or(usize::MAX).min(MAX_CHUNK)];
        loop {
            return match rustix::net::recv(&*fd, &mut buf[..], RecvFlags::empty()) {
                Ok((0, _)) => {
                    side.0 = None;
                    Err(StreamFailure::Closed)
                }
                Ok((n, _)) => {
                    buf.truncate(n);
                    Ok(buf)
                }
                Err(Errno::AGAIN) => Ok(Vec::new()),
                Err(Errno::INTR) => continue,
                Err(e) => {
                    side.0 = None;
                    Err(failed(e.into()))
                }
            };
        }
    }

    fn readiness(&self) -> Readiness {
        match &self.0.borrow().0 {
            Some(fd) => Readiness::Fd {
                fd: fd.as_raw_fd(),
                write: false,
            },
            None => Readiness::Always,
        }
    }
}

/// A TCP output stream.
#[derive(Debug)]
pub struct TcpWriter(pub Rc<RefCell<WriteSide>>);

impl OutputStreamImpl for TcpWriter {
    fn check_write(&mut self) -> Result<u64, StreamFailure> {
        let mut side = self.0.borrow_mut();
        side.drain(false)?;
        let Some(fd) = side.fd.clone() else {
            return Err(side.failure());
        };
        let ready = side.pending.is_empty() && kiln_wasi_kernel::net::tcp::writable_now(fd.as_fd());
        side.permit = if ready { MAX_CHUNK } else { 0 };
        Ok(side.permit as u64)
    }

    fn write(&mut self, data: &[u8]) -> Result<(), StreamFailure> {
        let mut side = self.0.borrow_mut();
        if side.fd.is_none() {
            return Err(side.failure());
        }
        if data.len() > side.permit {
            return Err(StreamFailure::Trap(format!(
                "not permitted to write {} bytes",
                data.len()
            )));
        }
        if data.is_empty() {
            return Ok(());
        }
        side.permit = 0;
        side.pending.extend_from_slice(data);
        side.drain(false)
    }

    fn flush(&mut self) -> Result<(), StreamFailure> {
        let side = self.0.borrow();
        match side.fd {
            Some(_) => Ok(()),
            None => Err(side.failure()),
        }
    }

    fn readiness(&self) -> Readiness {
        match &self.0.borrow().fd {
            Some(fd) => Readiness::Fd {
                fd: fd.as_raw_fd(),
                write: true,
            },
            None => Readiness::Always,
        }
    }
}
