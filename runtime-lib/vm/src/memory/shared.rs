//! Shared linear memories (threads proposal): one memory used by several
//! instances on several threads at once.
//!
//! Phase: created at start-up (wasi-threads: from the module's `env`
//! `memory` import) and grown while the guest runs. Input: a
//! `kiln_abi::descriptor::MemoryDesc` with `MEMORY_FLAG_SHARED`. Output: a
//! [`SharedMemory`] whose `VMMemoryDefinition` every importing instance
//! points to.
//!
//! Invariants:
//! - The memory never moves (it is a [`Memory`]: reserved up front), so
//!   compiled code in every thread may keep its base in a register.
//! - Growth is serialised by a lock, makes the new pages accessible first,
//!   and only then publishes the new `current_length` with a release store:
//!   a thread that sees the new length (compiled code reads it with a plain
//!   aligned load, atomic on x86_64) can access every byte below it. The
//!   length never shrinks.
//! - A shared memory lives as long as the process once handed out
//!   ([`SharedMemory::leak`]): threads may still run when the main instance
//!   is gone.

use super::Memory;
use kiln_abi::descriptor::MemoryDesc;
use kiln_abi::vmctx::VMMemoryDefinition;
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// A linear memory shared between threads.
#[derive(Debug)]
pub struct SharedMemory {
    memory: Mutex<Memory>,
    /// Read by compiled code of every instance that imports the memory.
    def: Box<UnsafeCell<VMMemoryDefinition>>,
}

// SAFETY: the definition's `base` never changes and `current_length` is only
// written atomically under the lock; the `Memory` is behind the mutex.
unsafe impl Sync for SharedMemory {}
// SAFETY: as above; the reservation may be used from any thread.
unsafe impl Send for SharedMemory {}

impl SharedMemory {
    /// Reserves and initialises the memory as `desc` says.
    pub fn new(desc: &MemoryDesc) -> Result<SharedMemory, String> {
        let memory = Memory::new(desc)?;
        let def = Box::new(UnsafeCell::new(VMMemoryDefinition {
            base: memory.base(),
            current_length: memory.byte_len(),
        }));
        crate::traps::registry::register_memory(memory.base(), memory.reserved(), def.get());
        Ok(SharedMemory {
            memory: Mutex::new(memory),
            def,
        })
    }

    /// Moves the memory to the heap for the rest of the process.
    pub fn leak(self) -> &'static SharedMemory {
        Box::leak(Box::new(self))
    }

    /// The definition importing instances point their slot at.
    pub fn definition(&self) -> *mut VMMemoryDefinition {
        self.def.get()
    }

    /// Current size in bytes.
    pub fn byte_len(&self) -> usize {
        self.length().load(Ordering::Acquire)
    }

    fn length(&self) -> &AtomicUsize {
        // SAFETY: `current_length` is an aligned `usize` that lives as long
        // as `self`; every write to it goes through this atomic view.
        unsafe { AtomicUsize::from_ptr(&raw mut (*self.def.get()).current_length) }
    }

    /// `memory.grow` from any thread: the old size in pages, or `None`.
    pub fn grow(&self, delta: u64) -> Option<u64> {
        let mut memory = self.memory.lock().unwrap_or_else(|e| e.into_inner());
        let old = memory.grow(delta)?;
        // SAFETY: our own live definition.
        unsafe { publish_length(self.def.get(), memory.byte_len()) };
        Some(old)
    }
}

/// Serialises growth of shared memories that an instance defines (rather
/// than imports as a [`SharedMemory`]): the embedding may export one and
/// grow it through several instances on several threads. Growth is rare, so
/// one process-wide lock is enough.
pub fn defined_grow_lock() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Publishes a memory's new length with a release store, after its pages
/// were made accessible (other threads may read the length concurrently).
///
/// # Safety
/// `def` is a live, aligned `VMMemoryDefinition`.
pub unsafe fn publish_length(def: *mut VMMemoryDefinition, len: usize) {
    // SAFETY: guaranteed by the caller; the field is an aligned `usize`.
    unsafe { AtomicUsize::from_ptr(&raw mut (*def).current_length) }.store(len, Ordering::Release);
}

/// Reads a memory's current length with an acquire load: another thread may
/// be publishing a new one ([`publish_length`]), and every byte below the
/// length read is accessible.
///
/// # Safety
/// `def` is a live, aligned `VMMemoryDefinition`.
pub unsafe fn load_length(def: *const VMMemoryDefinition) -> usize {
    // SAFETY: guaranteed by the caller; every concurrent write of the field
    // is an atomic store, so this atomic view of it races with nothing.
    unsafe { AtomicUsize::from_ptr((&raw const (*def).current_length).cast_mut()) }
        .load(Ordering::Acquire)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_abi::descriptor::MEMORY_FLAG_SHARED;

    #[test]
    fn concurrent_growth_is_serialised_and_visible() {
        let desc = MemoryDesc {
            min_pages: 1,
            max_pages: 100,
            image: 0,
            image_len: 0,
            image_offset: 0,
            page_size_log2: 16,
            flags: MEMORY_FLAG_SHARED,
        };
        let m = SharedMemory::new(&desc).expect("memory").leak();
        let threads: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(move || {
                    (0..10)
                        .map(|_| m.grow(1).expect("below max"))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut olds: Vec<u64> = threads
            .into_iter()
            .flat_map(|t| t.join().expect("thread"))
            .collect();
        olds.sort_unstable();
        assert_eq!(olds, (1..41).collect::<Vec<u64>>());
        assert_eq!(m.byte_len(), 41 * 65536);
        // SAFETY: the definition is live; the last byte is accessible.
        unsafe {
            let def = &*m.definition();
            assert_eq!(def.current_length, 41 * 65536);
            *def.base.add(41 * 65536 - 1) = 1;
        }
        assert_eq!(m.grow(60), None);
    }
}
