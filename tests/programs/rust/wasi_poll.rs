// kiln-test: dir = fixture::/sandbox
// kiln-test: stdin = ready
// kiln-test: stdout-file
//! poll_oneoff: no subscriptions, a single relative sleep (nbytes 1), clock
//! deadlines (absolute/relative, realtime/monotonic), fd read/write
//! readiness for stdio and files (hangup at end of file), and errors.

#[repr(C, align(8))]
#[derive(Clone, Copy)]
struct Sub {
    userdata: u64,
    tag: u8,
    _p: [u8; 7],
    a: u64, // clock id (u32) or fd (u32)
    timeout: u64,
    precision: u64,
    flags: u64, // u16 at offset 40
}

#[repr(C, align(8))]
#[derive(Clone, Copy, Default)]
struct Event {
    userdata: u64,
    error: u16,
    ty: u8,
    _p: [u8; 5],
    nbytes: u64,
    flags: u16,
    _q: [u8; 6],
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn poll_oneoff(subs: *const Sub, events: *mut Event, n: usize, nevents: *mut usize) -> u32;
    fn clock_time_get(id: u32, precision: u64, time: *mut u64) -> u32;
    fn path_open(fd: u32, dirflags: u32, path: *const u8, len: usize, oflags: u32, base: u64, inh: u64, fdflags: u32, out: *mut u32) -> u32;
    fn fd_seek(fd: u32, off: i64, whence: u32, new: *mut u64) -> u32;
}

fn clock(userdata: u64, id: u32, timeout: u64, abs: bool) -> Sub {
    Sub { userdata, tag: 0, _p: [0; 7], a: id as u64, timeout, precision: 0, flags: abs as u64 }
}
fn fd_sub(userdata: u64, write: bool, fd: u32) -> Sub {
    Sub { userdata, tag: if write { 2 } else { 1 }, _p: [0; 7], a: fd as u64, timeout: 0, precision: 0, flags: 0 }
}

fn poll(label: &str, subs: &[Sub]) {
    let mut ev = vec![Event::default(); subs.len().max(1)];
    let mut n = 0;
    let e = unsafe { poll_oneoff(subs.as_ptr(), ev.as_mut_ptr(), subs.len(), &mut n) };
    let evs: Vec<String> = ev[..n]
        .iter()
        .map(|e| format!("(ud={} err={} type={} nbytes={} flags={})", e.userdata, e.error, e.ty, e.nbytes, e.flags))
        .collect();
    println!("{label}: -> {e} n={n} {}", evs.join(" "));
}

fn mono() -> u64 {
    let mut t = 0;
    unsafe { clock_time_get(1, 0, &mut t) };
    t
}

fn main() {
    std::fs::write("/sandbox/f.txt", b"abc").unwrap();
    let mut f = 0;
    unsafe { path_open(3, 0, "f.txt".as_ptr(), 5, 0, 2 | 64, 0, 0, &mut f) };
    poll("no subscriptions", &[]);
    let t0 = mono();
    poll("single relative 10ms", &[clock(1, 1, 10_000_000, false)]);
    println!("slept >= 10ms: {}", mono() - t0 >= 10_000_000);
    poll("single relative realtime 1ms", &[clock(2, 0, 1_000_000, false)]);
    poll("single relative cputime (sleeps)", &[clock(3, 2, 1_000_000, false)]);
    poll("single absolute monotonic past", &[clock(4, 1, 0, true)]);
    let t0 = mono();
    poll("single absolute monotonic +15ms", &[clock(5, 1, mono() + 15_000_000, true)]);
    println!("waited >= 15ms: {}", mono() - t0 >= 15_000_000);
    let mut wall = 0;
    unsafe { clock_time_get(0, 0, &mut wall) };
    poll("single absolute realtime past", &[clock(6, 0, wall - 1_000_000_000, true)]);
    poll("single absolute cputime", &[clock(7, 2, 0, true)]);
    poll("bad clock id", &[clock(8, 4, 0, false)]);
    poll("bad clock flags", &[Sub { flags: 2, ..clock(9, 1, 0, false) }]);
    poll("bad tag", &[Sub { tag: 3, ..clock(10, 1, 0, false) }]);
    poll("two clocks, nearer wins", &[clock(11, 1, 1_000_000_000, false), clock(12, 1, 1_000_000, false)]);
    poll("two clocks both due", &[clock(13, 1, 0, false), clock(14, 0, 0, false)]);
    poll("clock + cputime relative (general path)", &[clock(15, 1, 0, false), clock(16, 3, 0, false)]);
    poll("stdout writable + far clock", &[fd_sub(20, true, 1), clock(21, 1, 5_000_000_000, false)]);
    poll("stderr + file writable", &[fd_sub(22, true, 2), fd_sub(23, true, f)]);
    poll("file readable at 0", &[fd_sub(24, false, f)]);
    let mut pos = 0;
    unsafe { fd_seek(f, 0, 2, &mut pos) };
    poll("file readable at EOF (hangup)", &[fd_sub(25, false, f)]);
    poll("stdin readable", &[fd_sub(26, false, 0), clock(27, 1, 5_000_000_000, false)]);
    poll("read stdout", &[fd_sub(28, false, 1)]);
    poll("write stdin", &[fd_sub(29, true, 0)]);
    poll("read preopen dir", &[fd_sub(30, false, 3)]);
    poll("read bad fd", &[fd_sub(31, false, 99), clock(32, 1, 0, false)]);
    poll("clock then bad fd", &[clock(33, 1, 0, false), fd_sub(34, true, 99)]);
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
    println!("stdin had: {line:?}");
    poll("stdin at EOF readable", &[fd_sub(35, false, 0), clock(36, 1, 5_000_000_000, false)]);
    let t0 = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(30));
    println!("std sleep 30ms ok: {}", t0.elapsed().as_millis() >= 30);
}
