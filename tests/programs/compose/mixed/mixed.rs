// The app (world `mixed`): a Rust command calling JavaScript (`jslib.js`,
// a componentize-qjs component), which calls Rust (`rustlib.rs`): 64-bit
// integers, floats, records, strings and lists cross adapters both ways, and
// a JavaScript exception comes back as a `result` error.
// kiln-test: plug = jslib rustlib
// kiln-test: stdout-file
use std::alloc::{Layout, alloc};

#[link(wasm_import_module = "kiln:mixed/text@0.1.0")]
unsafe extern "C" {
    #[link_name = "shout"]
    fn shout_raw(ptr: *const u8, len: usize, ret: *mut [u32; 2]);
    #[link_name = "sum"]
    fn sum_raw(a: i64, b: i64) -> i64;
    #[link_name = "norm"]
    fn norm_raw(x: f64, y: f64) -> f64;
    #[link_name = "digits"]
    fn digits_raw(n: u32, ret: *mut [u32; 2]);
    #[link_name = "check"]
    fn check_raw(n: i32, ret: *mut [u32; 3]);
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

fn shout(s: &str) -> String {
    let mut ret = [0u32; 2];
    unsafe {
        shout_raw(s.as_ptr(), s.len(), &mut ret);
        string(ret[0], ret[1])
    }
}

fn digits(n: u32) -> String {
    let mut ret = [0u32; 2];
    unsafe {
        digits_raw(n, &mut ret);
        string(ret[0], ret[1])
    }
}

fn check(n: i32) -> Result<u32, String> {
    let mut ret = [0u32; 3];
    unsafe {
        check_raw(n, &mut ret);
        if ret[0] as u8 == 0 { Ok(ret[1]) } else { Err(string(ret[1], ret[2])) }
    }
}

fn main() {
    println!("{}", shout("héllo, wörld"));
    println!("{}", unsafe { sum_raw(40, 2) });
    println!("{}", unsafe { sum_raw(i64::MAX, 1) });
    println!("{}", unsafe { sum_raw(1 << 53, 1) });
    println!("{}", unsafe { norm_raw(3.0, 4.0) });
    println!("{}", digits(9081726));
    println!("{:?} {:?}", check(21), check(-3));
}
