// kiln-test: stdout = "get-random-bytes(2^40): 67108864\nget-insecure-random-bytes(u64::MAX): 67108864\nget-random-bytes(5): 5\n"
//! WASI 0.3's random byte functions take a maximum length: a request
//! beyond 64 MiB gets 64 MiB, as in Wasmtime 49 (WASI 0.2 traps instead:
//! `rust/p2_random_trap_too_large`).

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let n = wasip3::random::random::get_random_bytes(1 << 40).len();
        println!("get-random-bytes(2^40): {n}");
        let n = wasip3::random::insecure::get_insecure_random_bytes(u64::MAX).len();
        println!("get-insecure-random-bytes(u64::MAX): {n}");
        let n = wasip3::random::random::get_random_bytes(5).len();
        println!("get-random-bytes(5): {n}");
        Ok(())
    }
}

fn main() {}
