// kiln-test: pure = yes
// kiln-test: stdin = "one\ntwo\nthree\n"
// kiln-test: stdout = "one\ntwo\nthree\n"
//! stdin to stdout through streams, 64 KiB at a time: the copy loop a
//! stream-copy benchmark would time.

use wasip3::wit_bindgen::rt::async_support::StreamResult;

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let (mut rx, done) = wasip3::cli::stdin::read_via_stream();
        let (mut tx, out_rx) = wasip3::wit_stream::new();
        let out_done = wasip3::cli::stdout::write_via_stream(out_rx);
        let mut buf = Vec::with_capacity(64 * 1024);
        loop {
            let (res, b) = rx.read(buf).await;
            buf = b;
            if !buf.is_empty() {
                let rest = tx.write_all(std::mem::take(&mut buf)).await;
                if !rest.is_empty() {
                    return Err(());
                }
                buf = Vec::with_capacity(64 * 1024);
            }
            if !matches!(res, StreamResult::Complete(_)) {
                break;
            }
        }
        drop(tx);
        done.await.map_err(|_| ())?;
        out_done.await.map_err(|_| ())
    }
}

fn main() {}
