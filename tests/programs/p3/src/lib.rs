//! Helpers shared by the WASI 0.3 test guests (`src/bin/*.rs`): stdout
//! and stderr as streams, and a two-way join (no executor crates needed).

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use wasip3::wit_bindgen::rt::async_support::{FutureReader, StreamWriter};

/// An output stream: the writable end and the future that reports how the
/// host's copy ended.
pub struct Out {
    tx: StreamWriter<u8>,
    done: FutureReader<Result<(), wasip3::cli::types::ErrorCode>>,
}

impl Out {
    /// stdout.
    pub fn stdout() -> Out {
        let (tx, rx) = wasip3::wit_stream::new();
        let done = wasip3::cli::stdout::write_via_stream(rx);
        Out { tx, done }
    }

    /// stderr.
    pub fn stderr() -> Out {
        let (tx, rx) = wasip3::wit_stream::new();
        let done = wasip3::cli::stderr::write_via_stream(rx);
        Out { tx, done }
    }

    /// Writes all of `s`.
    pub async fn print(&mut self, s: &str) {
        let rest = self.tx.write_all(s.as_bytes().to_vec()).await;
        assert!(rest.is_empty(), "the host took only part of the bytes");
    }

    /// Drops the writable end and waits for the host to finish.
    pub async fn close(self) -> Result<(), wasip3::cli::types::ErrorCode> {
        drop(self.tx);
        self.done.await
    }
}

/// Runs `a` and `b` concurrently.
pub async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = pin!(a);
    let mut b = pin!(b);
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    (ra.expect("ready"), rb.expect("ready"))
}
