//! The native stack wasm runs on, and its limit.
//!
//! Phase: before the first instance is created and at every host -> wasm
//! entry. Inputs: how far the main thread's stack may grow and the
//! calling thread's stack extent (`kiln_platform::stack`), the current
//! stack pointer. Outputs: the thread the
//! guest runs on ([`run_guest`]) and the `stack_limit` written into the
//! `VMContext` ([`enter_wasm`]).
//!
//! Invariants: at the outermost entry into wasm, `stack_limit = sp -
//! max_wasm_stack` (`kiln_abi::MAX_WASM_STACK` unless the run sets `-W
//! max-wasm-stack`, [`crate::limits::max_wasm_stack`]), and at least `kiln_abi::HOST_STACK_RESERVE`
//! bytes of real stack remain below the limit (for host calls made at the
//! limit and for the runtime itself). If the main thread cannot guarantee
//! that (a small `ulimit -s`), the guest runs on a dedicated thread whose
//! stack is large enough. Function prologues trap with `StackOverflow`
//! (`call stack exhausted`) below the limit.
//!
//! Embedding ([`enter_wasm_embedded`]): wasm runs on whatever thread calls
//! it, so the limit is also kept [`kiln_abi::HOST_STACK_RESERVE`] (plus
//! slack) above the low end of the calling thread's stack
//! ([`embedding_limit`]); a thread too small for the full wasm stack gets
//! a smaller one instead of a crash.

use crate::limits::max_wasm_stack;
use kiln_abi::HOST_STACK_RESERVE;
use kiln_platform::stack::Room;
use std::cell::Cell;

/// Extra stack for the runtime's own work around the guest (instance
/// set-up, host calls' callees, formatting).
const RUNTIME_SLACK: u64 = 1024 * 1024;

/// Stack above the measured entry stack pointer that still counts as the
/// wasm stack (the array-call trampoline's frame).
const ENTRY_SLACK: usize = 64 * 1024;

/// Stack size of a dedicated guest thread (and of every wasi-threads
/// thread): the wasm stack, the host reserve and room for the runtime.
pub fn guest_thread_stack() -> usize {
    usize::try_from(
        max_wasm_stack()
            .saturating_add(HOST_STACK_RESERVE + 2 * RUNTIME_SLACK)
            .min(isize::MAX as u64),
    )
    .unwrap_or(usize::MAX)
}

/// Approximately the current stack pointer.
#[inline(never)]
pub fn current_sp() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// Whether the calling (main) thread's stack can hold the wasm stack plus
/// the host reserve below the current stack pointer.
pub fn main_thread_has_room() -> bool {
    let need = max_wasm_stack().saturating_add(HOST_STACK_RESERVE + RUNTIME_SLACK);
    match kiln_platform::stack::main_thread_room(current_sp()) {
        Room::Unlimited => true,
        Room::Bytes(room) => need <= room,
        Room::Unknown => false,
    }
}

/// Runs `guest` on the main thread if its stack is large enough, else on a
/// dedicated thread with [`guest_thread_stack`] bytes; returns its result.
pub fn run_guest(guest: impl FnOnce() -> i32 + Send + 'static) -> Result<i32, String> {
    if main_thread_has_room() {
        return Ok(guest());
    }
    let handle = std::thread::Builder::new()
        .name("wasm".to_string())
        .stack_size(guest_thread_stack())
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
    /// The stack pointer measured at the outermost entry of this thread
    /// (0 outside wasm): every wasm frame of the thread lies below it plus
    /// [`ENTRY_SLACK`] (see [`wasm_stack_top`]).
    static ENTRY_SP: Cell<usize> = const { Cell::new(0) };
}

/// Counts an entry; on the outermost one records the stack pointer and
/// returns it.
fn count_entry() -> Option<usize> {
    let depth = DEPTH.with(|d| {
        let v = d.get();
        d.set(v + 1);
        v
    });
    (depth == 0).then(|| {
        let sp = current_sp();
        ENTRY_SP.with(|e| e.set(sp));
        sp
    })
}

/// The highest address of this thread's wasm frames and of everything the
/// host saved below them (callee-saved registers spilled by the array-call
/// trampoline included): the outermost entry's stack pointer plus
/// [`ENTRY_SLACK`], clipped to the end of the thread's stack. `None`
/// outside wasm or when the system cannot tell where the stack ends.
///
/// The exception collector scans `[sp, wasm_stack_top())` for roots.
pub fn wasm_stack_top() -> Option<usize> {
    let sp = ENTRY_SP.with(Cell::get);
    if sp == 0 || !in_wasm() {
        return None;
    }
    let (_, high) = thread_stack_bounds()?;
    Some(sp.saturating_add(ENTRY_SLACK).min(high))
}

/// An active host -> wasm entry; leaving it (drop) ends the entry.
#[derive(Debug)]
pub struct WasmEntry(());

/// Prepares a call into wasm: on the outermost entry of this thread,
/// `set_limit` receives the stack limit (the current stack pointer minus
/// [`max_wasm_stack`]; the caller stores it in the `VMContext`) and the
/// backtrace walker learns the stack range wasm frames lie in.
pub fn enter_wasm(set_limit: impl FnOnce(usize)) -> WasmEntry {
    if let Some(sp) = count_entry() {
        let limit = sp.saturating_sub(usize::try_from(max_wasm_stack()).unwrap_or(usize::MAX));
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

/// The lowest usable address of the calling thread's stack (above its
/// guard); `None` if the system cannot tell.
fn thread_stack_low() -> Option<usize> {
    thread_stack_bounds().map(|(low, _)| low)
}

/// The usable extent `[low, high)` of the calling thread's stack (above
/// its guard); `None` if the system cannot tell.
fn thread_stack_bounds() -> Option<(usize, usize)> {
    kiln_platform::stack::thread_bounds()
}

/// The stack limit for wasm entered from the current stack pointer of
/// this thread in embedding mode: `sp - max_wasm_stack`, but never closer
/// than [`HOST_STACK_RESERVE`] (plus slack for the runtime) to the end of
/// the thread's stack, so host calls at the limit cannot overflow. A
/// thread whose stack is already nearly used up gets a limit above `sp`:
/// wasm then traps with `call stack exhausted` at once.
pub fn embedding_limit() -> usize {
    let sp = current_sp();
    let wanted = sp.saturating_sub(usize::try_from(max_wasm_stack()).unwrap_or(usize::MAX));
    match thread_stack_low() {
        Some(low) => {
            wanted.max(low.saturating_add((HOST_STACK_RESERVE + RUNTIME_SLACK / 4) as usize))
        }
        None => wanted,
    }
}

/// [`enter_wasm`] for embedding: on the outermost entry of this thread,
/// `set_limit` receives [`embedding_limit`]; the backtrace range is left
/// alone (embedding reports no backtraces, and it is process-wide).
pub fn enter_wasm_embedded(set_limit: impl FnOnce(usize)) -> WasmEntry {
    if count_entry().is_some() {
        set_limit(embedding_limit());
    }
    WasmEntry(())
}

/// Forgets every wasm entry of this thread: after a trap caught around a
/// call from outside wasm (the HTTP server's request boundary), the
/// entries it unwound never ran their guards' drops.
pub fn reset_entries() {
    DEPTH.with(|d| d.set(0));
    ENTRY_SP.with(|e| e.set(0));
}

/// Whether wasm is running on this thread (an entry is active).
pub fn in_wasm() -> bool {
    DEPTH.with(Cell::get) > 0
}

impl Drop for WasmEntry {
    fn drop(&mut self) {
        let left = DEPTH.with(|d| {
            let v = d.get().saturating_sub(1);
            d.set(v);
            v
        });
        if left == 0 {
            ENTRY_SP.with(|e| e.set(0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_abi::MAX_WASM_STACK;

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
    fn embedding_limit_leaves_the_reserve() {
        let limit = embedding_limit();
        let sp = current_sp();
        assert!(limit < sp);
        assert!(sp - limit <= MAX_WASM_STACK as usize + 4096);
        let low = thread_stack_low().expect("linux reports thread stacks");
        assert!(limit >= low + HOST_STACK_RESERVE as usize);
        // A small thread: the reserve wins over `sp - MAX_WASM_STACK`.
        let small = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(|| {
                let limit = embedding_limit();
                let low = thread_stack_low().expect("thread stack");
                (limit, low, current_sp())
            })
            .expect("spawn")
            .join()
            .expect("join");
        assert!(small.0 >= small.1 + HOST_STACK_RESERVE as usize);
        assert!(small.0 > small.1 && small.1 < small.2);
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
