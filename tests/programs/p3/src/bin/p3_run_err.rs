// kiln-test: pure = yes
// kiln-test: stdout = "failing\n"
// kiln-test: exit = 1
//! `run` returning `err`: status 1, nothing printed by the host.

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        out.print("failing\n").await;
        out.close().await.map_err(|_| ())?;
        Err(())
    }
}

fn main() {}
