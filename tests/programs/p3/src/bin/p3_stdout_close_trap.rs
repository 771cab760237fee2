// kiln-test: stdout = "closed\n"
// kiln-test: exit = 134
// kiln-test: stderr-contains = "wasm trap: wasm `unreachable` instruction executed"
// kiln-test: stderr-like-wasmtime
//! A trap right after stdout's `write-via-stream` result future is
//! awaited: where that await waits for the host (BLOCKED), the task
//! resumes in its callback, and the trap's wasm backtrace shows in which
//! frame it ran, as in Wasmtime 49.

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        out.print("closed\n").await;
        if out.close().await.is_ok() {
            core::arch::wasm32::unreachable();
        }
        Ok(())
    }
}

fn main() {}
