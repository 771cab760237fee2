// kiln-test: pure = yes
// kiln-test: stdin-open
// kiln-test: stdout = "read cancelled: Cancelled, 0 bytes\n"
//! A stdin read with nothing to read (stdin open, nobody typing) is
//! cancelled after a wait: `stream.cancel-read` on the host's stdin stream
//! ends the pending read as cancelled, nothing read, and the program goes
//! on (the reader and the result future are dropped unread).

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use wasip3::clocks::monotonic_clock;

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        let (mut rx, done) = wasip3::cli::stdin::read_via_stream();
        let line = {
            let mut read = pin!(rx.read(Vec::with_capacity(16)));
            let mut timer = pin!(monotonic_clock::wait_for(100_000_000));
            let finished = std::future::poll_fn(|cx| {
                if let Poll::Ready(r) = read.as_mut().poll(cx) {
                    return Poll::Ready(Some(r));
                }
                if timer.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(None);
                }
                Poll::Pending
            })
            .await;
            match finished {
                Some((result, buf)) => format!("read finished: {result:?}, {} bytes\n", buf.len()),
                None => {
                    let (result, buf) = read.as_mut().cancel();
                    format!("read cancelled: {result:?}, {} bytes\n", buf.len())
                }
            }
        };
        drop(rx);
        drop(done);
        out.print(&line).await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
