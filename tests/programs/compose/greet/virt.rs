// A virtualizing component: exports `wasi:cli/environment` over the one it
// imports, hiding `SECRET`, adding `VIRT=wrapped` and replacing the
// arguments.
#![no_std]
use core::ptr::addr_of_mut;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[link(wasm_import_module = "wasi:cli/environment@0.2.6")]
unsafe extern "C" {
    #[link_name = "get-environment"]
    fn host_environment(ret: *mut [u32; 2]);
}

static mut HEAP: [u8; 1 << 16] = [0; 1 << 16];
static mut NEXT: usize = 0;
static mut RET: [u32; 3] = [0; 3];

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

unsafe fn alloc(len: usize, align: usize) -> *mut u32 {
    unsafe { cabi_realloc(core::ptr::null_mut(), 0, align, len) as *mut u32 }
}

unsafe fn ret(a: u32, b: u32, c: u32) -> *mut u32 {
    unsafe {
        let r = addr_of_mut!(RET) as *mut u32;
        *r = a;
        *r.add(1) = b;
        *r.add(2) = c;
        r
    }
}

#[unsafe(export_name = "wasi:cli/environment@0.2.6#get-environment")]
pub unsafe extern "C" fn get_environment() -> *mut u32 {
    unsafe {
        let mut host = [0u32; 2];
        host_environment(&mut host);
        let entries = core::slice::from_raw_parts(host[0] as *const u32, 4 * host[1] as usize);
        let out = alloc(16 * (host[1] as usize + 1), 4);
        let mut n = 0;
        for e in entries.chunks(4) {
            let key = core::slice::from_raw_parts(e[0] as *const u8, e[1] as usize);
            if key == b"SECRET" {
                continue;
            }
            for i in 0..4 {
                *out.add(4 * n + i) = e[i];
            }
            n += 1;
        }
        let (k, v) = (b"VIRT", b"wrapped");
        *out.add(4 * n) = k.as_ptr() as u32;
        *out.add(4 * n + 1) = k.len() as u32;
        *out.add(4 * n + 2) = v.as_ptr() as u32;
        *out.add(4 * n + 3) = v.len() as u32;
        ret(out as u32, n as u32 + 1, 0)
    }
}

#[unsafe(export_name = "wasi:cli/environment@0.2.6#get-arguments")]
pub unsafe extern "C" fn get_arguments() -> *mut u32 {
    unsafe {
        let args: [&[u8]; 2] = [b"app", b"from-virt"];
        let out = alloc(16, 4);
        for (i, a) in args.iter().enumerate() {
            *out.add(2 * i) = a.as_ptr() as u32;
            *out.add(2 * i + 1) = a.len() as u32;
        }
        ret(out as u32, 2, 0)
    }
}

#[unsafe(export_name = "wasi:cli/environment@0.2.6#initial-cwd")]
pub unsafe extern "C" fn initial_cwd() -> *mut u32 {
    unsafe { ret(0, 0, 0) }
}
