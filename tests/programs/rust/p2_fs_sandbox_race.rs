// kiln-test: target = wasm32-wasip2
// kiln-test: dir = fixture::/sandbox
// kiln-test: race-symlink = d
// kiln-test: stdout = "no escape seen by the guest\n"
//! The host swaps the preopen's directory `d` for symlinks out of it while
//! this program works through `d`: nothing outside may be read or written,
//! over WASI 0.2 (`wasi:filesystem` through std and wasi-libc). The body is `shared/sandbox_race.rs`.

mod shared {
    pub mod sandbox_race;
}

fn main() {
    shared::sandbox_race::run();
}
