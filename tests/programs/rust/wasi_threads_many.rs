// kiln-test: target = wasm32-wasip1-threads
// kiln-test: wasmtime-skip = wasmtime 47 removed wasi-threads (`-S threads`)
// kiln-test: address-space-mib = 8448
// kiln-test: stdout = "10000 threads: 99990000\n"
//! wasi-threads: 10,000 threads, one after another, each started and
//! joined. Every thread's resources go when it ends: its instance, its
//! stack and its alternate signal stack (68 KiB of mappings each, which
//! the resident set never shows since no signal touches them; kept, they
//! would add 680 MiB of address space). The address-space limit is the
//! shared memory's 8 GiB reservation (`kiln_abi::MEMORY32_RESERVATION`)
//! plus 256 MiB, well above what Kiln needs.

fn main() {
    let mut sum = 0u64;
    for i in 0..10_000u64 {
        sum += std::thread::spawn(move || i * 2).join().unwrap();
    }
    println!("10000 threads: {sum}");
}
