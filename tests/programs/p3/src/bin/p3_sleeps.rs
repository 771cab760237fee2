// kiln-test: pure = yes
// kiln-test: stdout = "short done\nlong done\nboth done, waited enough: true\n"
//! Concurrent `wait-for`s: the shorter one finishes first and the total
//! time is the longer one's, not the sum.

use wasip3::clocks::monotonic_clock;

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        let start = monotonic_clock::now();
        let order = std::cell::RefCell::new(Vec::new());
        kiln_p3_tests::join2(
            async {
                monotonic_clock::wait_for(300_000_000).await;
                order.borrow_mut().push("long done\n");
            },
            async {
                monotonic_clock::wait_for(100_000_000).await;
                order.borrow_mut().push("short done\n");
            },
        )
        .await;
        let elapsed = monotonic_clock::now() - start;
        for line in order.into_inner() {
            out.print(line).await;
        }
        let enough = (300_000_000..600_000_000).contains(&elapsed);
        out.print(&format!("both done, waited enough: {enough}\n")).await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
