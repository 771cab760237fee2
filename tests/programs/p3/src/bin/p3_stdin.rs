// kiln-test: pure = yes
// kiln-test: stdin = "hello\nwasi three\n"
// kiln-test: stdout = "read 17 bytes: HELLO\nWASI THREE\nstdin done: ok\n"
//! stdin through a stream until its end, then its result future.

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let (rx, done) = wasip3::cli::stdin::read_via_stream();
        let bytes = rx.collect().await;
        let status = done.await;
        let mut out = kiln_p3_tests::Out::stdout();
        let text = String::from_utf8_lossy(&bytes).to_uppercase();
        out.print(&format!("read {} bytes: {text}", bytes.len())).await;
        let status = if status.is_ok() { "ok" } else { "err" };
        out.print(&format!("stdin done: {status}\n")).await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
