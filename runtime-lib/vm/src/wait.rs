//! `memory.atomic.wait32/wait64` and `memory.atomic.notify`: futex-like
//! parking of threads on addresses of shared memories.
//!
//! Phase: while the guest runs (libcalls). Inputs: the native address of a
//! cell the compiler already checked (aligned, in bounds, in a shared
//! memory), the expected value and the timeout. Outputs: the spec's results
//! (wait: 0 woken, 1 not equal, 2 timed out; notify: the number woken).
//!
//! How: one process-wide table of waiters, split into `BUCKETS` buckets by
//! address, each a mutex over a FIFO list. A waiter compares the cell with
//! the expected value *under its bucket's lock*, and a notifier wakes waiters
//! under the same lock, so a notify that follows a store can never be lost
//! between the comparison and the sleep. Keys are native addresses: every
//! instance that shares a memory maps it at the same base, so one address
//! names one cell process-wide. Woken waiters are removed by the notifier
//! (so a count is never wasted on a waiter already woken); a waiter that
//! times out removes itself.

use std::sync::atomic::{AtomicI32, AtomicI64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Number of buckets (a power of two).
const BUCKETS: usize = 64;

/// One parked thread.
#[derive(Debug)]
struct Waiter {
    addr: usize,
    /// Set by the notifier (under the bucket lock) when it removes the waiter.
    woken: std::sync::atomic::AtomicBool,
    cond: Condvar,
}

#[derive(Debug, Default)]
struct Bucket {
    waiters: Mutex<Vec<Arc<Waiter>>>,
}

static TABLE: [Bucket; BUCKETS] = [const {
    Bucket {
        waiters: Mutex::new(Vec::new()),
    }
}; BUCKETS];

fn bucket(addr: usize) -> &'static Bucket {
    // Cells are at least 4-byte aligned; mix the higher bits in.
    let h = (addr >> 2) ^ (addr >> 12);
    &TABLE[h % BUCKETS]
}

fn lock(b: &Bucket) -> MutexGuard<'_, Vec<Arc<Waiter>>> {
    // A poisoned lock only means another waiter's thread panicked (a runtime
    // bug already reported); the list itself is still consistent.
    b.waiters.lock().unwrap_or_else(|e| e.into_inner())
}

/// Result of `memory.atomic.wait*`: woken by a notify.
pub const WAIT_OK: i32 = 0;
/// Result of `memory.atomic.wait*`: the cell did not hold the expected value.
pub const WAIT_NOT_EQUAL: i32 = 1;
/// Result of `memory.atomic.wait*`: the timeout elapsed.
pub const WAIT_TIMED_OUT: i32 = 2;

/// Parks the calling thread on `addr` if `matches()` (run under the bucket
/// lock) holds, until notified or `timeout_ns` (negative: forever) elapses.
fn wait(addr: usize, matches: impl FnOnce() -> bool, timeout_ns: i64) -> i32 {
    let deadline = u64::try_from(timeout_ns)
        .ok()
        .and_then(|ns| Instant::now().checked_add(Duration::from_nanos(ns)));
    let forever = timeout_ns < 0 || deadline.is_none();
    let b = bucket(addr);
    let mut list = lock(b);
    if !matches() {
        return WAIT_NOT_EQUAL;
    }
    let me = Arc::new(Waiter {
        addr,
        woken: std::sync::atomic::AtomicBool::new(false),
        cond: Condvar::new(),
    });
    list.push(me.clone());
    loop {
        if me.woken.load(Ordering::Relaxed) {
            return WAIT_OK;
        }
        if forever {
            list = me.cond.wait(list).unwrap_or_else(|e| e.into_inner());
            continue;
        }
        let deadline = deadline.expect("finite timeout has a deadline");
        let now = Instant::now();
        if now >= deadline {
            list.retain(|w| !Arc::ptr_eq(w, &me));
            return WAIT_TIMED_OUT;
        }
        list = me
            .cond
            .wait_timeout(list, deadline - now)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

/// `memory.atomic.wait32` at native address `addr`.
///
/// # Safety
/// `addr` is a 4-aligned, accessible cell of a live shared memory.
pub unsafe fn wait32(addr: *mut u8, expected: i32, timeout_ns: i64) -> i32 {
    // SAFETY: guaranteed by the caller (aligned, accessible, and only ever
    // accessed atomically by other threads).
    let cell = unsafe { AtomicI32::from_ptr(addr.cast()) };
    wait(
        addr as usize,
        // Guest memory is little-endian on every host.
        || i32::from_le(cell.load(Ordering::SeqCst)) == expected,
        timeout_ns,
    )
}

/// `memory.atomic.wait64` at native address `addr`.
///
/// # Safety
/// `addr` is an 8-aligned, accessible cell of a live shared memory.
pub unsafe fn wait64(addr: *mut u8, expected: i64, timeout_ns: i64) -> i32 {
    // SAFETY: as in `wait32`.
    let cell = unsafe { AtomicI64::from_ptr(addr.cast()) };
    wait(
        addr as usize,
        || i64::from_le(cell.load(Ordering::SeqCst)) == expected,
        timeout_ns,
    )
}

/// `memory.atomic.notify`: wakes up to `count` waiters on `addr`, oldest
/// first; returns how many were woken.
pub fn notify(addr: *mut u8, count: u32) -> u32 {
    let addr = addr as usize;
    let mut list = lock(bucket(addr));
    let mut woken = 0;
    list.retain(|w| {
        if woken < count && w.addr == addr {
            woken += 1;
            w.woken.store(true, Ordering::Relaxed);
            w.cond.notify_one();
            false
        } else {
            true
        }
    });
    woken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_equal_and_timeout() {
        // Cells hold guest memory: little-endian on every host.
        let mut cell = 5i32.to_le();
        let p = (&raw mut cell).cast::<u8>();
        // SAFETY: `cell` is live and aligned.
        unsafe {
            assert_eq!(wait32(p, 4, -1), WAIT_NOT_EQUAL);
            assert_eq!(wait32(p, 5, 0), WAIT_TIMED_OUT);
            assert_eq!(wait32(p, 5, 1_000_000), WAIT_TIMED_OUT);
        }
        assert_eq!(notify(p, 10), 0);
        let mut big = 7i64.to_le();
        // SAFETY: as above.
        unsafe {
            assert_eq!(wait64((&raw mut big).cast(), 8, 0), WAIT_NOT_EQUAL);
        }
    }

    #[test]
    fn notify_wakes_waiters_in_order_up_to_count() {
        let cell: &'static AtomicI32 = Box::leak(Box::new(AtomicI32::new(0)));
        let addr = cell.as_ptr() as usize;
        let threads: Vec<_> = (0..3)
            .map(|_| {
                std::thread::spawn(move || {
                    // SAFETY: the cell is leaked, live forever.
                    unsafe { wait32(addr as *mut u8, 0, -1) }
                })
            })
            .collect();
        let parked = || lock(bucket(addr)).iter().filter(|w| w.addr == addr).count();
        while parked() < 3 {
            std::thread::yield_now();
        }
        assert_eq!(notify(addr as *mut u8, 2), 2);
        assert_eq!(notify(addr as *mut u8, 5), 1);
        for t in threads {
            assert_eq!(t.join().expect("waiter"), WAIT_OK);
        }
        assert_eq!(notify(addr as *mut u8, 1), 0);
    }
}
