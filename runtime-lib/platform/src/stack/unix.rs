//! [`super`] on Linux: the auxiliary vector, `RLIMIT_STACK`,
//! `pthread_getattr_np`.

use super::Room;

pub const HOST_FRAMES_CHAIN: bool = true;

/// Not used: the caller follows the frame-pointer chain.
pub unsafe fn unwind_host_frames(
    _from: Option<(usize, usize, usize)>,
    _is_code: &dyn Fn(usize) -> bool,
) -> Option<(usize, usize)> {
    None
}

pub fn main_thread_room(sp: usize) -> Room {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: valid out-pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut lim) } != 0 {
        return Room::Unknown;
    }
    if lim.rlim_cur == libc::RLIM_INFINITY {
        return Room::Unlimited;
    }
    let Some(top) = main_stack_top() else {
        return Room::Unknown;
    };
    let used = top.saturating_sub(sp) as u64;
    Room::Bytes(lim.rlim_cur.saturating_sub(used))
}

/// The end (highest address) of the main thread's stack mapping.
fn main_stack_top() -> Option<usize> {
    // The kernel copies the executable's file name (`AT_EXECFN`) to the
    // very top of the main thread's stack, followed only by an 8-byte end
    // marker: the first page boundary after it is the stack's end. This
    // avoids reading `/proc/self/maps` at every start (it cost more than
    // the rest of start-up); the maps are the fallback.
    stack_top_from_auxv().or_else(stack_top_from_maps)
}

/// [`main_stack_top`] from `AT_EXECFN`.
pub(super) fn stack_top_from_auxv() -> Option<usize> {
    // SAFETY: `getauxval` only reads the auxiliary vector.
    let execfn = unsafe { libc::getauxval(libc::AT_EXECFN) } as usize;
    if execfn != 0 {
        // SAFETY: the kernel's NUL-terminated file name, on the stack for
        // the whole process.
        let len = unsafe { std::ffi::CStr::from_ptr(execfn as *const libc::c_char) }
            .to_bytes()
            .len();
        let page = crate::vmem::page_size().max(4096);
        let end = execfn.checked_add(len + 1 + 8)?;
        return end.checked_next_multiple_of(page);
    }
    None
}

/// [`main_stack_top`] from the `[stack]` line of `/proc/self/maps`.
pub(super) fn stack_top_from_maps() -> Option<usize> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    let line = maps.lines().find(|l| l.ends_with("[stack]"))?;
    let range = line.split_whitespace().next()?;
    let (_, end) = range.split_once('-')?;
    usize::from_str_radix(end, 16).ok()
}

pub fn thread_bounds() -> Option<(usize, usize)> {
    // SAFETY: querying the calling thread's attributes into a zeroed
    // struct, destroyed after use.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let mut guard: libc::size_t = 0;
        let ok = libc::pthread_attr_getstack(&attr, &mut addr, &mut size) == 0;
        libc::pthread_attr_getguardsize(&attr, &mut guard);
        libc::pthread_attr_destroy(&mut attr);
        if !ok || addr.is_null() {
            return None;
        }
        // NB: for the main thread glibc reports the stack as it may grow
        // (RLIMIT_STACK), ending at the end of the `[stack]` mapping; the
        // guard, if any, lies below `addr`.
        Some((
            (addr as usize).saturating_add(guard),
            (addr as usize).saturating_add(size),
        ))
    }
}
