//! The native stack wasm runs on, and its limit.
//!
//! Phase: before the first instance is created and at every host -> wasm
//! entry. Inputs: `RLIMIT_STACK`, the main thread's stack extent
//! (`/proc/self/maps`), the current stack pointer. Outputs: the thread the
//! guest runs on ([`run_guest`]) and the `stack_limit` written into the
//! `VMContext` ([`enter_wasm`]).
//!
//! Invariants: at the outermost entry into wasm, `stack_limit = sp -
//! kiln_abi::MAX_WASM_STACK`, and at least `kiln_abi::HOST_STACK_RESERVE`
//! bytes of real stack remain below the limit (for host calls made at the
//! limit and for the runtime itself). If the main thread cannot guarantee
//! that (a small `ulimit -s`), the guest runs on a dedicated thread whose
//! stack is large enough. Function prologues trap with `StackOverflow`
//! (`call stack exhausted`) below the limit.

use kiln_abi::{HOST_STACK_RESERVE, MAX_WASM_STACK};
use std::cell::Cell;

/// Extra stack for the runtime's own work around the guest (instance
/// set-up, host calls' callees, formatting).
const RUNTIME_SLACK: u64 = 1024 * 1024;

/// Stack above the measured entry stack pointer that still counts as the
/// wasm stack (the array-call trampoline's frame).
const ENTRY_SLACK: usize = 64 * 1024;

/// Stack size of the dedicated guest thread.
pub const GUEST_THREAD_STACK: usize =
    (MAX_WASM_STACK + HOST_STACK_RESERVE + 2 * RUNTIME_SLACK) as usize;

/// Approximately the current stack pointer.
#[inline(never)]
pub fn current_sp() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// The end (highest address) of the main thread's stack mapping.
fn main_stack_top() -> Option<usize> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    let line = maps.lines().find(|l| l.ends_with("[stack]"))?;
    let range = line.split_whitespace().next()?;
    let (_, end) = range.split_once('-')?;
    usize::from_str_radix(end, 16).ok()
}

/// Whether the calling (main) thread's stack can hold the wasm stack plus
/// the host reserve below the current stack pointer.
pub fn main_thread_has_room() -> bool {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: valid out-pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut lim) } != 0 {
        return false;
    }
    if lim.rlim_cur == libc::RLIM_INFINITY {
        return true;
    }
    let Some(top) = main_stack_top() else {
        return false;
    };
    let sp = current_sp();
    let used = top.saturating_sub(sp) as u64;
    used + MAX_WASM_STACK + HOST_STACK_RESERVE + RUNTIME_SLACK <= lim.rlim_cur
}

/// Runs `guest` on the main thread if its stack is large enough, else on a
/// dedicated thread with [`GUEST_THREAD_STACK`] bytes; returns its result.
pub fn run_guest(guest: impl FnOnce() -> i32 + Send + 'static) -> Result<i32, String> {
    if main_thread_has_room() {
        return Ok(guest());
    }
    let handle = std::thread::Builder::new()
        .name("wasm".to_string())
        .stack_size(GUEST_THREAD_STACK)
        .spawn(guest)
        .map_err(|e| format!("failed to start the guest thread: {e}"))?;
    handle
        .join()
        .map_err(|_| "the guest thread panicked".to_string())
}

thread_local! {
    /// Nesting depth of host -> wasm entries on this thread (only the
    /// outermost sets limits).
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// An active host -> wasm entry; leaving it (drop) ends the entry.
#[derive(Debug)]
pub struct WasmEntry(());

/// Prepares a call into wasm: on the outermost entry of this thread,
/// `set_limit` receives the stack limit (the current stack pointer minus
/// [`MAX_WASM_STACK`]; the caller stores it in the `VMContext`) and the
/// backtrace walker learns the stack range wasm frames lie in.
pub fn enter_wasm(set_limit: impl FnOnce(usize)) -> WasmEntry {
    let depth = DEPTH.with(|d| {
        let v = d.get();
        d.set(v + 1);
        v
    });
    if depth == 0 {
        let sp = current_sp();
        let limit = sp.saturating_sub(MAX_WASM_STACK as usize);
        set_limit(limit);
        // NB: the trampoline's frame may sit a little above `sp` (this
        // function's frames are gone by then); the range only has to reject
        // garbage frame pointers, so it gets generous slack at the top.
        crate::traps::backtrace::set_wasm_stack(
            limit.saturating_sub(HOST_STACK_RESERVE as usize),
            sp.saturating_add(ENTRY_SLACK),
        );
    }
    WasmEntry(())
}

impl Drop for WasmEntry {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guest_thread_runs_and_returns() {
        // Whatever the main thread can do, a closure runs and reports back.
        assert_eq!(run_guest(|| 7), Ok(7));
    }

    #[test]
    fn stack_pointer_is_on_this_stack() {
        let local = 0u8;
        let a = &local as *const u8 as usize;
        let sp = current_sp();
        assert!(sp.abs_diff(a) < 64 * 1024);
    }

    #[test]
    fn entry_sets_limit_once() {
        let mut limit = 0;
        let outer = enter_wasm(|l| limit = l);
        assert!(limit > 0 && limit < current_sp());
        let mut inner_called = false;
        let inner = enter_wasm(|_| inner_called = true);
        assert!(!inner_called);
        drop(inner);
        drop(outer);
    }
}
