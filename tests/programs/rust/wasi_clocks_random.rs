// kiln-test: stdout-file
//! Clocks, randomness and process calls: clock_res_get/clock_time_get for
//! every clock id (CPU-time clocks are EBADF in wasmtime),
//! monotonicity, random_get, sched_yield, proc_raise.

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn clock_res_get(id: u32, res: *mut u64) -> u32;
    fn clock_time_get(id: u32, precision: u64, time: *mut u64) -> u32;
    fn random_get(buf: *mut u8, len: usize) -> u32;
    fn sched_yield() -> u32;
    fn proc_raise(sig: u32) -> u32;
}

fn main() {
    unsafe {
        for id in [0u32, 1, 2, 3] {
            let mut res = 0;
            let e = clock_res_get(id, &mut res);
            let mut t = 0;
            let e2 = clock_time_get(id, 0, &mut t);
            println!("clock {id}: res -> {e} (res>0: {}) time -> {e2}", res > 0);
        }
        let mut wall = 0;
        clock_time_get(0, 1, &mut wall);
        println!("realtime after 2023: {}", wall > 1_672_531_200_000_000_000);
        let mut res = 0;
        clock_res_get(1, &mut res);
        println!("monotonic resolution <= 1ms: {}", res <= 1_000_000);
        let mut a = 0;
        let mut b = 0;
        clock_time_get(1, 0, &mut a);
        for _ in 0..1000 {
            sched_yield();
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
        clock_time_get(1, 0, &mut b);
        println!("monotonic advanced by >= 5ms: {}", b >= a + 5_000_000);
        println!("monotonic starts near 0 (< 60s): {}", a < 60_000_000_000);
        println!("sched_yield -> {}", sched_yield());
        let mut x = [0u8; 64];
        let mut y = [0u8; 64];
        println!("random_get -> {} {}", random_get(x.as_mut_ptr(), 64), random_get(y.as_mut_ptr(), 64));
        println!("two draws differ: {}", x != y);
        println!("random_get len 0 -> {}", random_get(std::ptr::null_mut(), 0));
        let mut big = vec![0u8; 1 << 20];
        println!("random_get 1 MiB -> {} nonzero={}", random_get(big.as_mut_ptr(), big.len()), big.iter().any(|&b| b != 0));
        for sig in [0u32, 1, 9, 15, 30] {
            println!("proc_raise {sig} -> {}", proc_raise(sig));
        }
    }
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    println!("std SystemTime sane: {}", t.as_secs() > 1_672_531_200);
    let i = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(20));
    println!("std sleep 20ms elapsed >= 20ms: {}", i.elapsed().as_millis() >= 20);
}
