//! Telling HTTP/2 with prior knowledge (h2c) from HTTP/1.1 on a new server
//! connection, and the IO that gives `hyper` back the bytes read to tell.
//!
//! Phase: run time, the first reads of a connection process's socket.
//! Input: the connection's [`Io`]. Output: the protocol and a [`Rewind`]
//! IO whose first reads return the bytes already taken.
//!
//! An h2c client starts with the 24-byte connection preface
//! (`PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`, RFC 9113 section 3.4); no HTTP/1.1
//! request does (`PRI` is not a method clients send). Reading stops at the
//! first byte that differs, so an HTTP/1.1 request costs one read more only
//! when it starts with `P` (`POST`, `PUT`, `PATCH`).

use super::exec::{Io, Spawner};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The HTTP/2 connection preface.
pub const PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// The protocol a connection speaks.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Protocol {
    Http1,
    H2c,
}

/// Reads from `io` until the bytes tell the protocol (the whole preface,
/// a byte that differs from it, or the end of the stream); the protocol
/// and the bytes read.
pub async fn read_preface(io: &mut Io) -> io::Result<(Protocol, Vec<u8>)> {
    let mut head = Vec::with_capacity(PREFACE.len());
    loop {
        let mut chunk = [0u8; PREFACE.len()];
        let want = PREFACE.len() - head.len();
        let n = std::future::poll_fn(|cx| {
            let mut buf = hyper::rt::ReadBuf::new(&mut chunk[..want]);
            match hyper::rt::Read::poll_read(Pin::new(&mut *io), cx, buf.unfilled()) {
                Poll::Ready(Ok(())) => Poll::Ready(Ok(buf.filled().len())),
                Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                Poll::Pending => Poll::Pending,
            }
        })
        .await?;
        head.extend_from_slice(&chunk[..n]);
        if n == 0 || !PREFACE.starts_with(&head) {
            return Ok((Protocol::Http1, head));
        }
        if head.len() == PREFACE.len() {
            return Ok((Protocol::H2c, head));
        }
    }
}

/// `io` with `prefix` read first.
pub struct Rewind {
    prefix: Vec<u8>,
    at: usize,
    io: Io,
}

impl Rewind {
    /// Reads return `prefix`, then what `io` reads.
    pub fn new(prefix: Vec<u8>, io: Io) -> Rewind {
        Rewind { prefix, at: 0, io }
    }
}

impl hyper::rt::Read for Rewind {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.at < this.prefix.len() {
            let n = buf.remaining().min(this.prefix.len() - this.at);
            buf.put_slice(&this.prefix[this.at..this.at + n]);
            this.at += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.io).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Rewind {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

/// `hyper`'s HTTP/2 executor: a stream's task joins the connection's task
/// group on Kiln's executor (dropped with the connection; never `Send`:
/// everything runs on the connection process's one thread).
#[derive(Clone, Debug)]
pub struct LocalExec(pub Spawner);

impl<F: Future<Output = ()> + 'static> hyper::rt::Executor<F> for LocalExec {
    fn execute(&self, fut: F) {
        self.0.spawn(fut);
    }
}
