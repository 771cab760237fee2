// The library component (world `greetlib`): exports the `api` interface;
// no WASI, a bump allocator in a static buffer.
#![no_std]
use core::ptr::addr_of_mut;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

static mut HEAP: [u8; 1 << 16] = [0; 1 << 16];
static mut NEXT: usize = 0;
static mut CALLS: u32 = 0;
static mut TOTAL: u64 = 0;
static mut RET: [u32; 4] = [0; 4];

#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(old: *mut u8, old_len: usize, align: usize, len: usize) -> *mut u8 {
    unsafe {
        let base = addr_of_mut!(HEAP) as usize;
        let start = (base + NEXT + align - 1) & !(align - 1);
        NEXT = start + len - base;
        if !old.is_null() {
            core::ptr::copy_nonoverlapping(old, start as *mut u8, old_len.min(len));
        }
        start as *mut u8
    }
}

unsafe fn alloc(len: usize, align: usize) -> *mut u8 {
    unsafe { cabi_realloc(core::ptr::null_mut(), 0, align, len) }
}

#[unsafe(export_name = "kiln:compose-test/api@0.1.0#greet")]
pub unsafe extern "C" fn greet(ptr: *const u8, len: usize, times: u32) -> *mut u32 {
    unsafe {
        CALLS += 1;
        TOTAL += len as u64;
        let name = core::slice::from_raw_parts(ptr, len);
        let out = alloc(7 + (len + 2) * times as usize, 1);
        let mut n = 0;
        for b in b"Hello, " { *out.add(n) = *b; n += 1; }
        for i in 0..times {
            if i > 0 { *out.add(n) = b' '; n += 1; }
            for b in name { *out.add(n) = *b; n += 1; }
            *out.add(n) = b'!'; n += 1;
        }
        let ret = addr_of_mut!(RET) as *mut u32;
        *ret = out as u32;
        *ret.add(1) = n as u32;
        ret
    }
}

#[unsafe(export_name = "kiln:compose-test/api@0.1.0#words")]
pub unsafe extern "C" fn words(ptr: *const u8, len: usize) -> *mut u32 {
    unsafe {
        CALLS += 1;
        TOTAL += len as u64;
        let text = core::slice::from_raw_parts(ptr, len);
        let list = alloc(8 * (len + 1), 4) as *mut u32;
        let mut count = 0;
        let mut start = None;
        for i in 0..=len {
            let space = i == len || text[i] == b' ';
            match (start, space) {
                (None, false) => start = Some(i),
                (Some(s), true) => {
                    *list.add(2 * count) = ptr.add(s) as u32;
                    *list.add(2 * count + 1) = (i - s) as u32;
                    count += 1;
                    start = None;
                }
                _ => {}
            }
        }
        let ret = addr_of_mut!(RET) as *mut u32;
        *ret = list as u32;
        *ret.add(1) = count as u32;
        ret
    }
}

#[unsafe(export_name = "kiln:compose-test/api@0.1.0#area")]
pub unsafe extern "C" fn area(tag: u32, payload: i64) -> *mut u32 {
    unsafe {
        CALLS += 1;
        let ret = addr_of_mut!(RET) as *mut u32;
        let value = match tag {
            0 => { let r = f64::from_bits(payload as u64); Some(3.0 * r * r) }
            1 => { let s = payload as u32 as f64; Some(s * s) }
            _ => None,
        };
        match value {
            Some(v) => { *ret = 1; *(ret.add(2) as *mut f64) = v; }
            None => *ret = 0,
        }
        ret
    }
}

#[unsafe(export_name = "kiln:compose-test/api@0.1.0#stats")]
pub unsafe extern "C" fn stats() -> *mut u32 {
    unsafe {
        let ret = addr_of_mut!(RET) as *mut u32;
        *ret = CALLS;
        *(ret.add(2) as *mut u64) = TOTAL;
        ret
    }
}
