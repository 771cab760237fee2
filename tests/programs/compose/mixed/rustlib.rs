// The Rust library (world `rustlib`): exports `math`, no WASI.
#![no_std]
use core::ptr::addr_of_mut;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

static mut HEAP: [u8; 1 << 12] = [0; 1 << 12];
static mut NEXT: usize = 0;
static mut RET: [u64; 2] = [0; 2];

#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(_old: *mut u8, _old_len: usize, align: usize, len: usize) -> *mut u8 {
    unsafe {
        let base = addr_of_mut!(HEAP) as usize;
        let start = (base + NEXT + align - 1) & !(align - 1);
        NEXT = (start + len - base) % (1 << 11);
        start as *mut u8
    }
}

#[unsafe(export_name = "kiln:mixed/math@0.1.0#add")]
pub extern "C" fn add(a: i64, b: i64) -> i64 {
    a.wrapping_add(b)
}

#[unsafe(export_name = "kiln:mixed/math@0.1.0#scale")]
pub unsafe extern "C" fn scale(x: f64, y: f64, k: f64) -> *mut u64 {
    unsafe {
        let ret = addr_of_mut!(RET) as *mut f64;
        *ret = x * k;
        *ret.add(1) = y * k;
        ret as *mut u64
    }
}

#[unsafe(export_name = "kiln:mixed/math@0.1.0#digits")]
pub unsafe extern "C" fn digits(mut n: u32) -> *mut u32 {
    unsafe {
        let buf = cabi_realloc(core::ptr::null_mut(), 0, 1, 10);
        let mut len = 0;
        loop {
            *buf.add(len) = (n % 10) as u8;
            len += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let ret = addr_of_mut!(RET) as *mut u32;
        *ret = buf as u32;
        *ret.add(1) = len as u32;
        ret
    }
}
