// kiln-test: pure = yes
// kiln-test: stdout = "monotonic ok\nsystem ok\nrandom 16 16\ninsecure 8\nseed ok\nwait-until ok\n"
//! Clocks and random of WASI 0.3.

use wasip3::clocks::{monotonic_clock, system_clock};

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut out = kiln_p3_tests::Out::stdout();
        let a = monotonic_clock::now();
        let b = monotonic_clock::now();
        let ok = b >= a && monotonic_clock::get_resolution() > 0;
        out.print(if ok { "monotonic ok\n" } else { "monotonic BAD\n" }).await;
        let now = system_clock::now();
        let ok = now.seconds > 1_600_000_000 && now.nanoseconds < 1_000_000_000;
        out.print(if ok { "system ok\n" } else { "system BAD\n" }).await;
        let r = wasip3::random::random::get_random_bytes(16);
        let r2 = wasip3::random::random::get_random_bytes(16);
        out.print(&format!("random {} {}\n", r.len(), r2.len())).await;
        let i = wasip3::random::insecure::get_insecure_random_bytes(8);
        out.print(&format!("insecure {}\n", i.len())).await;
        let (s1, s2) = wasip3::random::insecure_seed::get_insecure_seed();
        out.print(if s1 != 0 || s2 != 0 { "seed ok\n" } else { "seed zero\n" }).await;
        let t = monotonic_clock::now();
        monotonic_clock::wait_until(t + 20_000_000).await;
        let ok = monotonic_clock::now() >= t + 20_000_000;
        out.print(if ok { "wait-until ok\n" } else { "wait-until early\n" }).await;
        out.close().await.map_err(|_| ())
    }
}

fn main() {}
