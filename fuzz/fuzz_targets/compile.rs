//! cargo-fuzz target `compile`: see `kiln_fuzz::compile_check`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| kiln_fuzz::compile_check::run(data));
