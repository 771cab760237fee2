// kiln-test: wasm = fuel=2000000
// kiln-test: exit = 134
// kiln-test: stdout = "small: 4950\n"
// kiln-test: stderr-contains = "wasm trap: all fuel consumed by WebAssembly"
//! `-W fuel` on a std program: a small computation fits, a large one runs
//! out of fuel; the fuel covers the code of std and the program alike (the
//! WASI calls themselves are free).

fn sum(n: u64) -> u64 {
    let mut s = 0u64;
    for i in 0..n {
        s = std::hint::black_box(s + i);
    }
    s
}

fn main() {
    println!("small: {}", sum(100));
    println!("large: {}", sum(100_000_000));
}
