// kiln-test: dir = fixture::/sandbox
// kiln-test: stdout-file
//! When each file stream's result future is resolved, seen from the guest:
//! the future is polled once before it is awaited, and the program prints
//! whether that first poll found it ready. Wasmtime 49 resolves a file's
//! and a directory listing's futures from the host task that feeds or
//! drains the stream, errors known at the call included, so the first
//! poll is never ready; stdout's and a plain `stat` are ready at once.
//! Kiln resolved these at the call (a trap after such an await showed the
//! first call's frames where Wasmtime shows the callback's), and a write
//! stream whose writer was dropped before it was handed over never
//! resolved at all (a deadlock; Wasmtime resolves it `ok`).

use std::future::{Future, IntoFuture};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use wasip3::filesystem::types::{DescriptorFlags, OpenFlags, PathFlags};
use wasip3::wit_bindgen::StreamResult;

struct Cmd;
wasip3::cli::command::export!(Cmd);

/// Polls `f` once, then awaits it; prints whether the first poll was
/// ready, and the value.
async fn first_poll<F: IntoFuture>(what: &str, f: F) -> F::Output
where
    F::Output: std::fmt::Debug,
{
    let mut f = pin!(f.into_future());
    let (ready, v) = match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => (true, v),
        Poll::Pending => (false, f.await),
    };
    println!("{what}: ready at the first poll: {ready}, {v:?}");
    v
}

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        std::fs::write("/sandbox/in.txt", "some bytes\n").map_err(|_| ())?;
        let dirs = wasip3::filesystem::preopens::get_directories();
        let d = &dirs[0].0;
        let f = d
            .open_at(PathFlags::empty(), "in.txt".into(), OpenFlags::empty(), DescriptorFlags::READ)
            .await
            .map_err(|_| ())?;
        let stat = first_poll("stat", async { f.stat().await.map(|s| s.type_) }).await;
        let _ = stat;
        let _ = first_poll("read a directory's bytes", d.read_via_stream(0).1).await;
        let _ = first_poll("list a file", f.read_directory().1).await;
        let (tx, rx) = wasip3::wit_stream::new::<u8>();
        drop(tx);
        let _ = first_poll("write nothing to a read-only file", f.write_via_stream(rx, 0)).await;
        let (tx, rx) = wasip3::wit_stream::new::<u8>();
        drop(tx);
        let _ = first_poll("append to a directory", d.append_via_stream(rx)).await;
        let (mut rx, done) = f.read_via_stream(0);
        let _ = rx.read(Vec::with_capacity(64)).await;
        drop(rx);
        let _ = first_poll("read a file, drop the stream", done).await;
        let (mut rx, done) = f.read_via_stream(0);
        while let (StreamResult::Complete(_), _) = rx.read(Vec::with_capacity(64)).await {}
        let _ = first_poll("read a file to its end", done).await;
        let (mut rx, done) = d.read_directory();
        let _ = rx.next().await;
        drop(rx);
        let _ = first_poll("list a directory, drop the stream", done).await;
        let (mut rx, done) = d.read_directory();
        while rx.next().await.is_some() {}
        let _ = first_poll("list a directory to its end", done).await;
        let (mut tx, rx) = wasip3::wit_stream::new::<u8>();
        let done = wasip3::cli::stdout::write_via_stream(rx);
        tx.write_all(b"to stdout\n".to_vec()).await;
        drop(tx);
        let _ = first_poll("stdout", done).await;
        Ok(())
    }
}

fn main() {}
