// kiln-test: pure = yes
// kiln-test: stdout = "before exit\n"
// kiln-test: exit = 7
//! `exit-with-code` after the output stream was closed.

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        out.print("before exit\n").await;
        out.close().await.map_err(|_| ())?;
        wasip3::cli::exit::exit_with_code(7);
        unreachable!("exit returned")
    }
}

fn main() {}
