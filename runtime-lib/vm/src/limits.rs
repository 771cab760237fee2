//! Limits for untrusted code, as `wasmtime run -W` spells them:
//! `max-memory-size`, `max-wasm-stack`, `timeout` and `fuel`.
//!
//! Phase: set once at start-up ([`apply`], before the first instance
//! exists), read while the guest runs. Input: a [`Limits`] (from the grants
//! descriptor or `kiln run`'s run configuration). Outputs: process-wide
//! settings the rest of the VM reads ([`max_memory_size`] in
//! `memory::Memory::new`, [`max_wasm_stack`] in `stack`), the interrupt
//! flag and the fuel counters every `VMContext` points to
//! (`kiln_abi::vmctx::VMOffsets::interrupt` and `::fuel`, filled by
//! `Instance::new`), and the timer that ends a run at its deadline.
//!
//! **Timeout.** Code compiled for a timeout checks the one interrupt flag
//! ([`interrupt_flag`]) at every function entry and loop header. A timer
//! thread sleeps until the deadline and sets the flag: wasm running on any
//! thread then traps with `interrupt` at its next check (the usual trap
//! report, backtrace included). A guest blocked in a host call (a WASI call,
//! an atomic wait, or the WASI 0.3 event loop's blocking wait, bracketed
//! by [`enter_host_call`]) runs no check, so
//! the timer itself ends the run, as Wasmtime's CLI does when its timeout
//! fires while the guest awaits the host: `Error: timed out after deadline
//! has elapsed`, caused by `wasm trap: interrupt`, exit status 134. The
//! flag is set before the host-call count is read, and a host call counts
//! itself before it reads the flag (both sequentially consistent), so a call
//! that starts after the deadline is caught too. Without a timeout nothing
//! is armed: a host call costs one relaxed load.
//!
//! **Fuel.** Each thread has its own counter (`-fuel left`, Wasmtime's
//! encoding), starting at minus the run's fuel; the instances a thread
//! creates point at it, and wasi-threads repoints a spawned thread's
//! instance at the new thread's counter ([`fuel_counter`]), so every thread
//! gets the full amount. Without fuel the counter starts at `i64::MIN`.
//!
//! Invariants: the settings change only in [`apply`], before wasm runs; the
//! flag only goes from 0 to 1; the run ends through
//! [`crate::traps::claim_exit`], so a trap report and the timer's report
//! never interleave.

use kiln_abi::MAX_WASM_STACK;
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// The run's limits; `None` = not limited.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes of any linear memory.
    pub max_memory_size: Option<u64>,
    /// Most native stack bytes wasm may use (default
    /// [`kiln_abi::MAX_WASM_STACK`]).
    pub max_wasm_stack: Option<u64>,
    /// Wall-clock time from start-up after which the run is interrupted.
    pub timeout: Option<Duration>,
    /// Fuel of each thread.
    pub fuel: Option<u64>,
}

/// The process's interrupt flag: 0, then 1 once the timeout passed.
static INTERRUPT: AtomicU64 = AtomicU64::new(0);
/// `max-memory-size` in bytes (`u64::MAX`: none).
static MAX_MEMORY_SIZE: AtomicU64 = AtomicU64::new(u64::MAX);
/// `max-wasm-stack` in bytes.
static MAX_WASM_STACK_BYTES: AtomicU64 = AtomicU64::new(MAX_WASM_STACK);
/// Fuel of each thread (`u64::MAX`: none).
static FUEL: AtomicU64 = AtomicU64::new(u64::MAX);
/// Whether a timeout is set (host calls count themselves only then).
static TIMEOUT_ARMED: AtomicBool = AtomicBool::new(false);
/// Host calls in progress on all threads (only while a timeout is armed).
static IN_HOST: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's fuel counter (no destructor: its address stays valid
    /// for the thread's whole life).
    static FUEL_COUNTER: Cell<i64> = Cell::new(initial_fuel());
}

/// A counter's start: minus the fuel, or `i64::MIN` without fuel.
fn initial_fuel() -> i64 {
    match FUEL.load(Ordering::Relaxed) {
        u64::MAX => i64::MIN,
        n => -(i64::try_from(n).unwrap_or(i64::MAX)),
    }
}

/// Sets the run's limits and arms its timeout. Call once, before any
/// instance is created; fails with Wasmtime's message for a zero stack.
pub fn apply(limits: &Limits) -> Result<(), String> {
    if let Some(bytes) = limits.max_memory_size {
        MAX_MEMORY_SIZE.store(bytes, Ordering::Relaxed);
    }
    if let Some(bytes) = limits.max_wasm_stack {
        if bytes == 0 {
            return Err("max_wasm_stack size cannot be zero".to_string());
        }
        MAX_WASM_STACK_BYTES.store(bytes, Ordering::Relaxed);
    }
    if let Some(fuel) = limits.fuel {
        // NB: `u64::MAX` means "none" here; that much fuel never runs out.
        FUEL.store(fuel, Ordering::Relaxed);
        FUEL_COUNTER.with(|c| c.set(initial_fuel()));
    }
    if let Some(after) = limits.timeout {
        TIMEOUT_ARMED.store(true, Ordering::SeqCst);
        if after.is_zero() {
            INTERRUPT.store(1, Ordering::SeqCst);
        } else {
            std::thread::Builder::new()
                .name("kiln-timeout".to_string())
                .spawn(move || {
                    std::thread::sleep(after);
                    deadline();
                })
                .map_err(|e| format!("failed to start the timeout thread: {e}"))?;
        }
    }
    Ok(())
}

/// The most bytes any linear memory may have (`u64::MAX`: no limit).
pub fn max_memory_size() -> u64 {
    MAX_MEMORY_SIZE.load(Ordering::Relaxed)
}

/// The most native stack, in bytes, wasm may use.
pub fn max_wasm_stack() -> u64 {
    MAX_WASM_STACK_BYTES.load(Ordering::Relaxed)
}

/// The address every `VMContext`'s interrupt field holds. Compiled code
/// reads it with atomic loads; only [`deadline`] writes it.
pub fn interrupt_flag() -> *const u64 {
    INTERRUPT.as_ptr()
}

/// Whether the timeout passed.
pub fn interrupted() -> bool {
    INTERRUPT.load(Ordering::SeqCst) != 0
}

/// The calling thread's fuel counter, for the `VMContext`s of the
/// instances it runs. Valid while the thread lives; only that thread's
/// compiled code reads and writes it.
pub fn fuel_counter() -> *mut i64 {
    FUEL_COUNTER.with(Cell::as_ptr)
}

/// The timer's work at the deadline: interrupt running wasm; end the run
/// now if the guest waits in a host call.
fn deadline() {
    INTERRUPT.store(1, Ordering::SeqCst);
    if IN_HOST.load(Ordering::SeqCst) > 0 {
        report_timed_out();
    }
}

/// Ends the run as Wasmtime's CLI does when its timeout fires while the
/// guest waits for the host.
fn report_timed_out() -> ! {
    crate::traps::claim_exit();
    let text = crate::errors::format_chain(&[
        "timed out after deadline has elapsed".to_string(),
        "wasm trap: interrupt".to_string(),
    ]);
    crate::errors::write_fd(2, text.as_bytes());
    // Nothing is buffered.
    kiln_platform::fault::exit_now(kiln_abi::trap::TRAP_EXIT_STATUS)
}

/// A host call in progress (see [`enter_host_call`]); dropping it ends the
/// call.
#[derive(Debug)]
#[must_use = "the host call ends when the guard is dropped"]
pub struct HostCall(bool);

/// Marks the start of a host call that may block (a WASI call, an atomic
/// wait), for the timeout: a call made after the deadline ends the run at
/// once, and the deadline ends a run whose guest is inside one.
#[inline]
pub fn enter_host_call() -> HostCall {
    if !TIMEOUT_ARMED.load(Ordering::Relaxed) {
        return HostCall(false);
    }
    IN_HOST.fetch_add(1, Ordering::SeqCst);
    if interrupted() {
        report_timed_out();
    }
    HostCall(true)
}

impl Drop for HostCall {
    fn drop(&mut self) {
        if self.0 {
            IN_HOST.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_limit_nothing() {
        // NB: the statics are process-wide; the tests of this crate never
        // call `apply`.
        assert_eq!(max_memory_size(), u64::MAX);
        assert_eq!(max_wasm_stack(), MAX_WASM_STACK);
        assert!(!interrupted());
        let h = enter_host_call();
        assert!(!h.0);
    }

    #[test]
    fn fuel_counters_are_per_thread() {
        let here = fuel_counter();
        let there = std::thread::spawn(|| fuel_counter() as usize)
            .join()
            .expect("thread");
        assert_ne!(here as usize, there);
        // SAFETY: this thread's own counter, read on this thread.
        assert_eq!(unsafe { *here }, i64::MIN);
    }
}
