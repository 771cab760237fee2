// kiln-test: target = wasm32-wasip2
// kiln-test: stdout-file
//! `wasi:io/poll` details that Wasmtime makes observable, through raw
//! imports: a zero-duration timer (`subscribe-duration(0)`, or
//! `subscribe-instant` of a past instant) yields once before it is ready
//! (first `ready()` false; left out of a `poll` in which something else is
//! ready; reported by `poll` when nothing else is; `block` returns), one
//! pollable listed twice is reported twice, a stream pollable follows its
//! stream, and stdout's write permit and zero writes.

#[link(wasm_import_module = "wasi:cli/stdout@0.2.0")]
extern "C" {
    #[link_name = "get-stdout"]
    fn get_stdout() -> u32;
}

#[link(wasm_import_module = "wasi:clocks/monotonic-clock@0.2.0")]
extern "C" {
    #[link_name = "subscribe-duration"]
    fn subscribe_duration(nanos: u64) -> u32;
    #[link_name = "subscribe-instant"]
    fn subscribe_instant(when: u64) -> u32;
}

#[link(wasm_import_module = "wasi:io/streams@0.2.0")]
extern "C" {
    #[link_name = "[method]output-stream.check-write"]
    fn check_write(this: u32, ret: *mut [u64; 2]);
    #[link_name = "[method]output-stream.write-zeroes"]
    fn write_zeroes(this: u32, len: u64, ret: *mut [u32; 3]);
    #[link_name = "[method]output-stream.blocking-write-zeroes-and-flush"]
    fn blocking_write_zeroes_and_flush(this: u32, len: u64, ret: *mut [u32; 3]);
    #[link_name = "[method]output-stream.subscribe"]
    fn subscribe(this: u32) -> u32;
}

#[link(wasm_import_module = "wasi:io/poll@0.2.0")]
extern "C" {
    #[link_name = "[method]pollable.ready"]
    fn ready(this: u32) -> u32;
    #[link_name = "[method]pollable.block"]
    fn block(this: u32);
    #[link_name = "poll"]
    fn poll(ptr: *const u32, len: usize, ret: *mut [u32; 2]);
    #[link_name = "[resource-drop]pollable"]
    fn drop_pollable(this: u32);
}

fn polled(list: &[u32]) -> Vec<u32> {
    let mut ret = [0u32; 2];
    unsafe { poll(list.as_ptr(), list.len(), &mut ret) };
    unsafe { std::slice::from_raw_parts(ret[0] as *const u32, ret[1] as usize) }.to_vec()
}

fn main() {
    let out = unsafe { get_stdout() };
    let z = unsafe { subscribe_duration(0) };
    let (a, b) = unsafe { (ready(z), ready(z)) };
    println!("zero timer: ready() twice -> {a}, {b}");

    let out_p = unsafe { subscribe(out) };
    let past = unsafe { subscribe_instant(0) };
    println!("poll [stdout, fresh past-instant timer] -> {:?}", polled(&[out_p, past]));
    println!("poll [stdout, same timer again] -> {:?}", polled(&[out_p, past]));

    let fresh = unsafe { subscribe_duration(0) };
    let long = unsafe { subscribe_duration(3_600_000_000_000) };
    println!("poll [1h timer, fresh zero timer] -> {:?}", polled(&[long, fresh]));
    println!("poll [stdout, stdout, 1h timer] -> {:?}", polled(&[out_p, out_p, long]));

    let z2 = unsafe { subscribe_duration(0) };
    unsafe { block(z2) };
    println!("block on a fresh zero timer returns; then ready() -> {}", unsafe { ready(z2) });
    println!("1h timer ready() -> {}", unsafe { ready(long) });
    for p in [z, out_p, past, fresh, long, z2] {
        unsafe { drop_pollable(p) };
    }

    let mut c = [0u64; 2];
    unsafe { check_write(out, &mut c) };
    println!("stdout check-write -> {}", c[1]);
    let mut r = [0u32; 3];
    unsafe { write_zeroes(out, 0, &mut r) };
    print!("write-zeroes(0) -> {}; ", r[0] & 0xff);
    unsafe { blocking_write_zeroes_and_flush(out, 0, &mut r) };
    println!("blocking-write-zeroes-and-flush(0) -> {}", r[0] & 0xff);
}
