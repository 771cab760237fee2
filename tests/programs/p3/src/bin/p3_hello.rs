// kiln-test: pure = yes
// kiln-test: stdout = "Hello from WASI 0.3!\nsecond line\n"
//! stdout through a stream and its result future.

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        out.print("Hello from WASI 0.3!\n").await;
        out.print("second line\n").await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
