// kiln-test: pure = yes
// kiln-test: wasm = timeout=300ms
// kiln-test: exit = 134
// kiln-test: stdout = "before\n"
// kiln-test: stderr-contains = "Error: timed out after deadline has elapsed\n\nCaused by:\n    wasm trap: interrupt\n"
//! `-W timeout` on a WASI 0.3 component whose only task waits (a
//! `wait-for` far past the deadline, the event loop blocked on the host):
//! the run ends at the deadline as Wasmtime's does, without a backtrace
//! (no wasm runs: no callback is re-entered only to trap at its entry).

use wasip3::clocks::monotonic_clock;

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        out.print("before\n").await;
        monotonic_clock::wait_for(10_000_000_000).await;
        out.print("not reached\n").await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
