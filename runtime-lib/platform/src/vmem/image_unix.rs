//! [`super::map_image`] on Linux: the image lives in a file-backed
//! `PT_LOAD` segment of the main program. `dl_iterate_phdr` gives that
//! segment's load address and file offset, so the image's file offset is
//! known; mapping that range of `/proc/self/exe` `MAP_PRIVATE | MAP_FIXED`
//! over the destination shares the page cache until the guest writes. Any
//! obstacle (no `/proc`, image not page-aligned in memory or file, not in
//! the main program, `mmap` failing) declines, and the caller copies.

use std::ffi::c_void;

/// Maps the image copy-on-write; on failure leaves `dst` read-write
/// anonymous memory (possibly zeroed) and returns `false`.
pub unsafe fn map_image(dst: *mut u8, src: *const u8, len: usize) -> bool {
    let page = super::page_size();
    let (dst_a, src_a) = (dst as usize, src as usize);
    if len == 0
        || !len.is_multiple_of(page)
        || !dst_a.is_multiple_of(page)
        || !src_a.is_multiple_of(page)
    {
        return false;
    }
    let Some(offset) = file_offset_of(src_a, len) else {
        return false;
    };
    if !offset.is_multiple_of(page as u64) {
        return false;
    }
    // Opened once per process (a server maps the image for every
    // instance) and kept open for the process's life.
    static EXE: std::sync::OnceLock<Option<std::fs::File>> = std::sync::OnceLock::new();
    let Some(file) = EXE
        .get_or_init(|| std::fs::File::open("/proc/self/exe").ok())
        .as_ref()
    else {
        return false;
    };
    use std::os::fd::AsRawFd;
    // SAFETY: `dst..dst+len` is owned by the caller; replacing its pages with
    // a private file mapping changes nothing else.
    let mapped = unsafe {
        libc::mmap(
            dst.cast(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_FIXED,
            file.as_raw_fd(),
            offset as libc::off_t,
        )
    };
    if mapped == dst.cast() {
        return true;
    }
    // NB: a failed MAP_FIXED may have unmapped the range; put fresh
    // read-write pages back before the caller copies.
    // SAFETY: as above, the range is ours.
    unsafe {
        libc::mmap(
            dst.cast(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
            -1,
            0,
        );
    }
    false
}

struct Search {
    addr: usize,
    len: usize,
    found: Option<u64>,
}

/// The offset in the main program's file of the loaded bytes
/// `addr..addr+len`, if they lie in one file-backed `PT_LOAD` segment.
fn file_offset_of(addr: usize, len: usize) -> Option<u64> {
    let mut search = Search {
        addr,
        len,
        found: None,
    };
    // SAFETY: the callback only reads the headers the loader passes it.
    unsafe {
        libc::dl_iterate_phdr(Some(visit), (&raw mut search).cast());
    }
    search.found
}

unsafe extern "C" fn visit(info: *mut libc::dl_phdr_info, _size: usize, data: *mut c_void) -> i32 {
    // SAFETY: `data` is the `Search` passed to `dl_iterate_phdr`, `info` is
    // valid for the duration of the callback.
    let (search, info) = unsafe { (&mut *data.cast::<Search>(), &*info) };
    // Only the main program is `/proc/self/exe`; glibc and musl's dynamic
    // loader both report it first (with an empty name). NB: not found by
    // its name: a static musl executable reports itself as "/", which
    // left every image of a static build copied instead of mapped.
    if info.dlpi_phdr.is_null() {
        return 1;
    }
    // SAFETY: the loader gives `dlpi_phnum` program headers at `dlpi_phdr`.
    let phdrs = unsafe { std::slice::from_raw_parts(info.dlpi_phdr, info.dlpi_phnum as usize) };
    for ph in phdrs {
        if ph.p_type != libc::PT_LOAD {
            continue;
        }
        let start = (info.dlpi_addr as usize).wrapping_add(ph.p_vaddr as usize);
        let file_end = start.wrapping_add(ph.p_filesz as usize);
        let Some(end) = search.addr.checked_add(search.len) else {
            continue;
        };
        if search.addr >= start && end <= file_end {
            search.found = Some(ph.p_offset + (search.addr - start) as u64);
            return 1;
        }
    }
    // The main program was the first object; the rest are not the file.
    1
}
