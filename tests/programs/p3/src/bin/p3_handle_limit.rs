// kiln-test: exit = 1
// kiln-test: stdout = "pushing 49997\npushing 49998\n"
// kiln-test: stderr-contains = "    1: cannot allocate another handle: store handle limit exceeded\n"
//! Handles are bounded as in Wasmtime 49 (its `max-component-handles`,
//! 100 000 per store): a WASI 0.3 guest making ever more streams (two
//! handles each) is stopped at the same allocation, with the same error.

struct Cmd;
wasip3::cli::command::export!(Cmd);

impl wasip3::exports::cli::run::Guest for Cmd {
    async fn run() -> Result<(), ()> {
        let mut held = Vec::new();
        for i in 0..200_000u32 {
            if i >= 49_997 {
                println!("pushing {i}");
            }
            held.push(wasip3::wit_stream::new::<u8>());
        }
        println!("held {}", held.len());
        Ok(())
    }
}

fn main() {}
