//! The server-wide limit on requests handled at once
//! (`--max-concurrent-requests`), shared by the connection processes.
//!
//! Phase: run time of a server executable. The server process makes the
//! gate before the first fork; each connection process passes it around
//! each request ([`Gate::enter`], [`Gate::leave`]); the server process
//! clears the slot of a connection process that ended inside a request
//! ([`Gate::release_slot`]: a process killed by its request timeout, or
//! crashed), so no capacity is lost.
//!
//! Shape: one anonymous shared mapping: the count of requests running (a
//! futex word: waiters sleep on it, leavers wake one) and one byte per
//! connection slot saying whether that slot's process holds a place.
//!
//! Invariant: `running` equals the number of set slot bytes, except
//! between the two atomic steps of an enter or a leave.

use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use std::time::Duration;

/// How long a waiter sleeps before looking again (a wake-up is also sent;
/// this only bounds a missed one).
const RECHECK: Duration = Duration::from_millis(50);

/// The shared gate (see the module documentation).
#[derive(Clone, Debug)]
pub struct Gate {
    running: &'static AtomicU32,
    slots: &'static [AtomicU8],
    max: u32,
}

impl Gate {
    /// A gate letting `max` requests run at once among `slots` connection
    /// processes; `None` if the shared mapping cannot be made.
    pub fn new(max: u32, slots: usize) -> Option<Gate> {
        let p = shared_zeroed(8 + slots)?;
        // SAFETY: the mapping is zeroed, page-aligned and `8 + slots` bytes:
        // the counter is its first 4 bytes and the slots start at byte 8.
        // Only atomics ever access it, in every process sharing it, so no
        // reference to it is ever a plain `&mut`.
        let (running, slots) = unsafe {
            (
                &*(p.as_ptr() as *const AtomicU32),
                std::slice::from_raw_parts(p.as_ptr().add(8).cast::<AtomicU8>(), slots),
            )
        };
        Some(Gate {
            running,
            slots,
            max: max.max(1),
        })
    }

    /// Takes a place for a request of the connection in `slot`, waiting
    /// while `max` requests run.
    pub fn enter(&self, slot: usize) {
        loop {
            let now = self.running.load(Ordering::SeqCst);
            if now < self.max {
                if self
                    .running
                    .compare_exchange(now, now + 1, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
                {
                    if let Some(s) = self.slots.get(slot) {
                        s.store(1, Ordering::SeqCst);
                    }
                    return;
                }
                continue;
            }
            futex_wait(self.running, now, RECHECK);
        }
    }

    /// Gives back the place [`Gate::enter`] took.
    pub fn leave(&self, slot: usize) {
        self.release_slot(slot);
    }

    /// Gives back the place of `slot` if it holds one (by its process, or
    /// by the server for a process that ended).
    pub fn release_slot(&self, slot: usize) {
        if let Some(s) = self.slots.get(slot)
            && s.swap(0, Ordering::SeqCst) == 1
        {
            self.running.fetch_sub(1, Ordering::SeqCst);
            futex_wake(self.running);
        }
    }
}

/// `len` zeroed, page-aligned bytes shared with every process forked
/// after this call (an anonymous shared mapping), never unmapped: what
/// the server and its connection processes count in. `None` if the
/// mapping cannot be made.
pub fn shared_zeroed(len: usize) -> Option<std::ptr::NonNull<u8>> {
    // SAFETY: a fresh anonymous mapping; nothing else refers to it, and it
    // is never unmapped, so the pointer stays valid for the process.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return None;
    }
    std::ptr::NonNull::new(p.cast())
}

/// Sleeps while `word` holds `expected`, at most `timeout`.
fn futex_wait(word: &AtomicU32, expected: u32, timeout: Duration) {
    let ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: libc::c_long::try_from(timeout.as_nanos()).unwrap_or(0),
    };
    // SAFETY: `word` is a live 4-byte atomic in a shared mapping; a shared
    // (not private) futex, so processes sharing the mapping wake each
    // other. The kernel only reads the word and the timeout.
    unsafe {
        libc::syscall(
            libc::SYS_futex,
            word.as_ptr(),
            libc::FUTEX_WAIT,
            expected,
            &ts as *const libc::timespec,
        )
    };
}

/// Wakes one sleeper on `word`.
fn futex_wake(word: &AtomicU32) {
    // SAFETY: as in `futex_wait`; waking reads nothing.
    unsafe { libc::syscall(libc::SYS_futex, word.as_ptr(), libc::FUTEX_WAKE, 1) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_taken_and_given_back() {
        let g = Gate::new(2, 4).expect("mapping");
        g.enter(0);
        g.enter(3);
        assert_eq!(g.running.load(Ordering::SeqCst), 2);
        // A slot without a place gives nothing back.
        g.release_slot(1);
        assert_eq!(g.running.load(Ordering::SeqCst), 2);
        g.leave(0);
        assert_eq!(g.running.load(Ordering::SeqCst), 1);
        // The server clearing an ended process's slot.
        g.release_slot(3);
        g.release_slot(3);
        assert_eq!(g.running.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_waiter_enters_when_a_place_is_given_back() {
        let g = std::sync::Arc::new(Gate::new(1, 2).expect("mapping"));
        g.enter(0);
        let (tx, rx) = std::sync::mpsc::channel();
        let t = {
            let g = g.clone();
            std::thread::spawn(move || {
                g.enter(1);
                tx.send(()).expect("send");
            })
        };
        assert!(rx.recv_timeout(Duration::from_millis(200)).is_err());
        g.leave(0);
        rx.recv_timeout(Duration::from_secs(10)).expect("entered");
        t.join().expect("thread");
        assert_eq!(g.running.load(Ordering::SeqCst), 1);
    }
}
