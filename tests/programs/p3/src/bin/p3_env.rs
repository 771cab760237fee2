// kiln-test: pure = yes
// kiln-test: args = one two
// kiln-test: env = P3_GREETING=hi there
// kiln-test: stdout = "args: one two\nP3_GREETING=hi there\n"
//! `wasi:cli/environment@0.3`: arguments and environment.

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        let args = wasip3::cli::environment::get_arguments();
        out.print(&format!("args: {}\n", args[1..].join(" "))).await;
        for (k, v) in wasip3::cli::environment::get_environment() {
            if k.starts_with("P3_") {
                out.print(&format!("{k}={v}\n")).await;
            }
        }
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
