// kiln-test: pure = yes
// kiln-test: stdout = "before the trap\n"
// kiln-test: exit = 134
// kiln-test: stderr-contains = "wasm trap: wasm `unreachable` instruction executed"
//! A trap in the middle of a stream's life: the bytes written so far are
//! out, then the trap is reported as Wasmtime reports it.

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        out.print("before the trap\n").await;
        if wasip3::cli::environment::get_arguments().len() < 100 {
            core::arch::wasm32::unreachable();
        }
        out.print("not reached\n").await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
