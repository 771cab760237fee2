//! The threads proposal and wasi-threads at run time.
//!
//! Phase: start-up ([`shared_memory_import`], [`spawn::init`]) and while
//! the guest runs. Contents:
//! - `kiln_vm::wait`: `memory.atomic.wait32/wait64/notify` (a
//!   process-wide, futex-like table of waiters keyed by native address),
//!   reached through the libcalls of the same names.
//! - [`spawn`]: wasi-threads' `thread-spawn` (one OS thread and one instance
//!   per wasm thread, all over one shared memory and one WASI context).
//!
//! Shared memories themselves live in `kiln_vm::memory::shared`. Atomic loads,
//! stores and read-modify-writes need no runtime support: the compiler emits
//! them inline (`compiler/src/func/atomics.rs`).

pub mod spawn;

use kiln_abi::descriptor::MEMORY_FLAG_SHARED;
use kiln_vm::descriptor::Module;
use kiln_vm::memory::shared::SharedMemory;

/// For a wasi-threads module (its only imported memory is shared; the
/// compiler accepts no other memory import with the WASI P1 policy): the
/// shared memory, created from the import's limits and leaked for the
/// process. `None` for a module that imports no memory.
pub fn shared_memory_import(module: &Module) -> Result<Option<&'static SharedMemory>, String> {
    match module.desc.num_imported_memories {
        0 => Ok(None),
        1 => {
            let desc = module
                .memories
                .first()
                .ok_or_else(|| "corrupt module descriptor: imported memory 0".to_string())?;
            if desc.flags & MEMORY_FLAG_SHARED == 0 {
                return Err("only a shared memory can be imported (wasi-threads)".to_string());
            }
            Ok(Some(SharedMemory::new(desc)?.leak()))
        }
        n => Err(format!(
            "a module importing {n} memories cannot run standalone (wasi-threads imports one)"
        )),
    }
}
