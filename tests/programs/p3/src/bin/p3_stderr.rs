// kiln-test: pure = yes
// kiln-test: stdout = "to stdout\n"
// kiln-test: stderr-contains = "to stderr\n"
//! stdout and stderr, two streams open at once.

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        let mut err = kiln_p3_tests::Out::stderr();
        err.print("to stderr\n").await;
        out.print("to stdout\n").await;
        err.close().await.map_err(|_| ())?;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
