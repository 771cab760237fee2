// kiln-test: target = wasm32-wasip2
// kiln-test: stdout-file
//! `wasi:clocks` (monotonic-clock now/resolution/subscribe-duration/
//! subscribe-instant, wall-clock now/resolution) and `wasi:random` (random,
//! insecure, insecure-seed) through raw imports, plus std's `Instant`,
//! `SystemTime`, `thread::sleep` and `HashMap` seeding on top of them.
//! Only stable facts are printed: orderings, bounds, lengths.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[link(wasm_import_module = "wasi:clocks/monotonic-clock@0.2.0")]
extern "C" {
    #[link_name = "now"]
    fn mono_now() -> u64;
    #[link_name = "resolution"]
    fn mono_resolution() -> u64;
    #[link_name = "subscribe-duration"]
    fn subscribe_duration(nanos: u64) -> u32;
    #[link_name = "subscribe-instant"]
    fn subscribe_instant(when: u64) -> u32;
}

/// `datetime`: seconds u64, nanoseconds u32 (16 bytes).
#[repr(C)]
#[derive(Default)]
struct Datetime {
    seconds: u64,
    nanoseconds: u32,
}

#[link(wasm_import_module = "wasi:clocks/wall-clock@0.2.0")]
extern "C" {
    #[link_name = "now"]
    fn wall_now(ret: *mut Datetime);
    #[link_name = "resolution"]
    fn wall_resolution(ret: *mut Datetime);
}

#[link(wasm_import_module = "wasi:io/poll@0.2.0")]
extern "C" {
    #[link_name = "[method]pollable.ready"]
    fn ready(this: u32) -> u32;
    #[link_name = "[method]pollable.block"]
    fn block(this: u32);
    #[link_name = "[resource-drop]pollable"]
    fn drop_pollable(this: u32);
}

#[link(wasm_import_module = "wasi:random/random@0.2.0")]
extern "C" {
    #[link_name = "get-random-bytes"]
    fn get_random_bytes(len: u64, ret: *mut [u32; 2]);
    #[link_name = "get-random-u64"]
    fn get_random_u64() -> u64;
}

#[link(wasm_import_module = "wasi:random/insecure@0.2.0")]
extern "C" {
    #[link_name = "get-insecure-random-bytes"]
    fn get_insecure_random_bytes(len: u64, ret: *mut [u32; 2]);
    #[link_name = "get-insecure-random-u64"]
    fn get_insecure_random_u64() -> u64;
}

#[link(wasm_import_module = "wasi:random/insecure-seed@0.2.0")]
extern "C" {
    #[link_name = "insecure-seed"]
    fn insecure_seed(ret: *mut [u64; 2]);
}

fn bytes(get: unsafe extern "C" fn(u64, *mut [u32; 2]), len: u64) -> Vec<u8> {
    let mut ret = [0u32; 2];
    unsafe { get(len, &mut ret) };
    unsafe { std::slice::from_raw_parts(ret[0] as *const u8, ret[1] as usize) }.to_vec()
}

fn main() {
    // Monotonic clock.
    let a = unsafe { mono_now() };
    let b = unsafe { mono_now() };
    println!("monotonic: now twice non-decreasing: {}", b >= a);
    let res = unsafe { mono_resolution() };
    println!(
        "monotonic: resolution in 1ns..=1ms: {}",
        (1..=1_000_000).contains(&res)
    );

    let start = unsafe { mono_now() };
    let p = unsafe { subscribe_duration(30_000_000) };
    println!("subscribe-duration(30ms): ready at once: {}", unsafe {
        ready(p)
    });
    unsafe { block(p) };
    let waited = unsafe { mono_now() } - start;
    println!(
        "  after block: ready {}, waited >= 30ms: {}",
        unsafe { ready(p) },
        waited >= 30_000_000
    );
    unsafe { drop_pollable(p) };

    // A past instant is due at once (whether ready() sees that before any
    // block is the engine's timer granularity, so only block is checked).
    let start = unsafe { mono_now() };
    let p = unsafe { subscribe_instant(0) };
    unsafe { block(p) };
    println!(
        "subscribe-instant(0) (past): block returns at once: {}, then ready {}",
        unsafe { mono_now() } - start < 1_000_000_000,
        unsafe { ready(p) }
    );
    unsafe { drop_pollable(p) };
    let now = unsafe { mono_now() };
    let p = unsafe { subscribe_instant(now + 3_600_000_000_000) };
    println!("subscribe-instant(now + 1h): ready {}", unsafe { ready(p) });
    unsafe { drop_pollable(p) };
    let start = unsafe { mono_now() };
    let p = unsafe { subscribe_instant(start + 20_000_000) };
    unsafe { block(p) };
    println!(
        "subscribe-instant(now + 20ms): after block ready {}, now >= deadline: {}",
        unsafe { ready(p) },
        unsafe { mono_now() } >= start + 20_000_000
    );
    unsafe { drop_pollable(p) };
    let p = unsafe { subscribe_duration(u64::MAX) };
    println!("subscribe-duration(u64::MAX): ready {}", unsafe {
        ready(p)
    });
    unsafe { drop_pollable(p) };

    // Wall clock.
    let mut now = Datetime::default();
    unsafe { wall_now(&mut now) };
    println!("wall: after 2020-01-01: {}", now.seconds > 1_577_836_800);
    println!(
        "wall: nanoseconds < 1e9: {}",
        now.nanoseconds < 1_000_000_000
    );
    let mut res = Datetime::default();
    unsafe { wall_resolution(&mut res) };
    println!(
        "wall: resolution > 0 and <= 1s: {}",
        (res.seconds, res.nanoseconds) != (0, 0)
            && (res.seconds == 0 || (res.seconds, res.nanoseconds) == (1, 0))
    );

    // std on top of the clocks.
    let t0 = Instant::now();
    std::thread::sleep(Duration::from_millis(25));
    println!(
        "std: sleep(25ms) took >= 25ms: {}",
        t0.elapsed() >= Duration::from_millis(25)
    );
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after epoch");
    println!(
        "std: SystemTime after 2020: {}",
        since.as_secs() > 1_577_836_800
    );
    let wall_secs = now.seconds;
    println!(
        "std: SystemTime within 1h of wall-clock now: {}",
        since.as_secs().abs_diff(wall_secs) < 3600
    );

    // Random: lengths, and that 32 random bytes are not all equal (a 2^-248
    // chance).
    for (name, get) in [
        (
            "random",
            get_random_bytes as unsafe extern "C" fn(u64, *mut [u32; 2]),
        ),
        ("insecure", get_insecure_random_bytes),
    ] {
        for len in [0u64, 1, 32, 4096] {
            let v = bytes(get, len);
            let varied = v.len() < 32 || v.iter().any(|&x| x != v[0]);
            println!(
                "{name}: get-*-bytes({len}) -> {} bytes, varied: {varied}",
                v.len()
            );
        }
    }
    let (r1, r2) = unsafe { (get_random_u64(), get_random_u64()) };
    println!("random: two get-random-u64 differ: {}", r1 != r2);
    let (i1, i2) = unsafe { (get_insecure_random_u64(), get_insecure_random_u64()) };
    println!("insecure: two get-insecure-random-u64 differ: {}", i1 != i2);
    let mut s1 = [0u64; 2];
    let mut s2 = [0u64; 2];
    unsafe { insecure_seed(&mut s1) };
    unsafe { insecure_seed(&mut s2) };
    // The seed is fixed for the instance: the same pair both times.
    println!(
        "insecure-seed: same twice: {}, non-zero: {}",
        s1 == s2,
        s1 != [0, 0]
    );

    // std's HashMap keys come from the random interface.
    let m: std::collections::HashMap<u32, u32> = (0..100).map(|i| (i, i * i)).collect();
    println!("std HashMap: {} entries, m[9] = {}", m.len(), m[&9]);
}
