// The app component (world `greet`), composed with `greetlib` (which exports
// the `api` it imports) and `virt` (which exports the `wasi:cli/environment`
// the command adapter imports): every call below crosses a fused adapter.
// kiln-test: args = a b
// kiln-test: env = A=1
// kiln-test: env = SECRET=hidden
// kiln-test: stdout-file
use std::alloc::{Layout, alloc};

#[link(wasm_import_module = "kiln:compose-test/api@0.1.0")]
unsafe extern "C" {
    #[link_name = "greet"]
    fn greet_raw(ptr: *const u8, len: usize, times: u32, ret: *mut [u32; 2]);
    #[link_name = "words"]
    fn words_raw(ptr: *const u8, len: usize, ret: *mut [u32; 2]);
    #[link_name = "area"]
    fn area_raw(tag: u32, payload: i64, ret: *mut [u64; 2]);
    #[link_name = "stats"]
    fn stats_raw(ret: *mut [u64; 2]);
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(old: *mut u8, old_len: usize, align: usize, len: usize) -> *mut u8 {
    unsafe {
        let new = alloc(Layout::from_size_align(len.max(1), align).unwrap());
        if !old.is_null() {
            std::ptr::copy_nonoverlapping(old, new, old_len.min(len));
        }
        new
    }
}

unsafe fn string(ptr: u32, len: u32) -> String {
    unsafe { String::from_utf8_lossy(std::slice::from_raw_parts(ptr as *const u8, len as usize)).into_owned() }
}

fn greet(name: &str, times: u8) -> String {
    let mut ret = [0u32; 2];
    unsafe {
        greet_raw(name.as_ptr(), name.len(), times.into(), &mut ret);
        string(ret[0], ret[1])
    }
}

fn words(text: &str) -> Vec<String> {
    let mut ret = [0u32; 2];
    unsafe {
        words_raw(text.as_ptr(), text.len(), &mut ret);
        let pairs = std::slice::from_raw_parts(ret[0] as *const u32, 2 * ret[1] as usize);
        pairs.chunks(2).map(|p| string(p[0], p[1])).collect()
    }
}

fn area(tag: u32, payload: i64) -> Option<f64> {
    let mut ret = [0u64; 2];
    unsafe { area_raw(tag, payload, &mut ret) };
    (ret[0] as u8 == 1).then(|| f64::from_bits(ret[1]))
}

fn main() {
    println!("{}", greet("Kiln", 3));
    println!("{}", greet("wörld", 1));
    println!("{:?}", words("  fused adapters  copy   every value "));
    println!("{:?}", area(0, 2.0f64.to_bits() as i64));
    println!("{:?}", area(1, 7));
    println!("{:?}", area(2, 0));
    let mut ret = [0u64; 2];
    unsafe { stats_raw(&mut ret) };
    println!("calls {} total {}", ret[0] as u32, ret[1]);
    println!("args {:?}", std::env::args().collect::<Vec<_>>());
    for (k, v) in std::env::vars() {
        println!("env {k}={v}");
    }
}
