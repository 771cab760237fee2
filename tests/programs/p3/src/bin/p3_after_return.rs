// kiln-test: pure = yes
// kiln-test: stdout = "first\nspawned, before its wait\n"
//! `run` returns while a task it spawned still has work: as in Wasmtime
//! 49, the host's call of `run` resolves at `task.return`, the spawned
//! task runs only until it first waits (the callback invocation that
//! returned the value), and the program exits 0 without the rest.

use wasip3::clocks::monotonic_clock;
use wasip3::wit_bindgen::rt::async_support::spawn_local;

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        out.print("first\n").await;
        spawn_local(async move {
            out.print("spawned, before its wait\n").await;
            monotonic_clock::wait_for(100_000_000).await;
            out.print("never: the program has exited\n").await;
            let _ = out.close().await;
        });
        Ok(())
    }
}

fn main() {}
