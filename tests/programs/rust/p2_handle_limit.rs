// kiln-test: target = wasm32-wasip2
// kiln-test: exit = 1
// kiln-test: stdout = "pushing 99996\npushing 99997\n"
// kiln-test: stderr-contains = "    2: cannot allocate another handle: store handle limit exceeded\n"
//! Handles are bounded as in Wasmtime 49 (its `max-component-handles`,
//! 100 000 per store): a guest holding ever more pollables is stopped at
//! the same allocation, with the same error (exit 1), instead of growing
//! host memory without bound.

#[link(wasm_import_module = "wasi:clocks/monotonic-clock@0.2.0")]
extern "C" {
    #[link_name = "subscribe-duration"]
    fn subscribe_duration(nanos: u64) -> u32;
}

fn main() {
    let mut held = Vec::new();
    for i in 0..200_000u32 {
        if i >= 99_996 {
            println!("pushing {i}");
        }
        held.push(unsafe { subscribe_duration(1_000_000_000) });
    }
    println!("held {}", held.len());
}
