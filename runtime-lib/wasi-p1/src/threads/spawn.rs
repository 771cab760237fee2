//! wasi-threads: `thread-spawn` starts a real OS thread running a fresh
//! instance of the same module over the same shared memory and the same
//! WASI context.
//!
//! Phase: start-up ([`init`], by the entry code when the module imports the
//! wasi-threads memory) and while the guest runs ([`spawn`], the host side of
//! the `wasi` `thread-spawn` import). Inputs: the module, its shared memory,
//! the main instance's WASI context. Output: a thread id.
//!
//! Behaviour (that of Wasmtime's wasi-threads implementation up to version
//! 46; Wasmtime 47 removed wasi-threads, so the reference engine can no
//! longer run these modules):
//! - thread ids count up from 1 and stay below 2^29 (the proposal's bound);
//!   a failure to start (no ids left, instantiation failure, the OS refusing
//!   a thread) returns a negative value, and leaves nothing behind (the
//!   instance made for a thread the OS refused is freed);
//! - the new thread instantiates the module with the shared memory as its
//!   `env` `memory` import (segments and start function run again, as they
//!   did in Wasmtime), then calls the export
//!   `wasi_thread_start(tid, start_arg)`;
//! - `proc_exit` in any thread ends the process with its status; a trap in
//!   any thread ends it with Kiln's trap report and status 134 (the signal
//!   handler exits from whichever thread trapped; Wasmtime printed
//!   `Error: ...` and exited 1); the main thread returning from `_start`
//!   ends the process, whatever other threads are doing.

use crate::kernel::WasiCtx;
use kiln_abi::ValRaw;
use kiln_abi::descriptor::KIND_FUNC;
use kiln_abi::vmctx::VMOffsets;
use kiln_vm::descriptor::Module;
use kiln_vm::instance::{Import, InitError, Instance};
use kiln_vm::memory::shared::SharedMemory;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, Ordering};

/// The export a spawned thread runs.
pub const THREAD_START_EXPORT: &str = "wasi_thread_start";

/// Thread ids are below this (the proposal reserves the top bits).
const MAX_THREAD_ID: i32 = 0x1FFF_FFFF;

/// What every spawned thread needs.
struct Spawner {
    module: Module,
    memory: &'static SharedMemory,
    /// The main instance's context, alive for the whole process (the main
    /// instance is never freed).
    wasi: *mut WasiCtx,
    next_id: AtomicI32,
}

// SAFETY: `wasi` is only copied into new instances' host-state slots; every
// thread then uses the context through `&` (`WasiCtx` is `Sync`: its
// mutable state is behind the kernel's own locks), never `&mut`.
unsafe impl Sync for Spawner {}
// SAFETY: as above.
unsafe impl Send for Spawner {}

static SPAWNER: OnceLock<Spawner> = OnceLock::new();

/// Enables `thread-spawn` for `module`, whose threads share `memory` and
/// the WASI context `wasi` (the main instance's).
pub fn init(module: Module, memory: &'static SharedMemory, wasi: *mut WasiCtx) {
    let _ = SPAWNER.set(Spawner {
        module,
        memory,
        wasi,
        next_id: AtomicI32::new(1),
    });
}

/// The imports of an instance of a wasi-threads module: the shared memory.
pub fn imports(memory: &'static SharedMemory) -> [Import; 1] {
    [Import::SharedMemory(memory)]
}

/// `thread-spawn(start_arg)`: the new thread's id, or a negative error.
pub fn spawn(start_arg: i32) -> i32 {
    let Some(spawner) = SPAWNER.get() else {
        return -1;
    };
    let Some(start) = spawner.module.export(THREAD_START_EXPORT, KIND_FUNC) else {
        return -1;
    };
    let i32_code = kiln_abi::ValType::I32 as u8;
    let valid = spawner
        .module
        .type_of_func(start)
        .is_some_and(|t| t.params == [i32_code, i32_code] && t.results.is_empty());
    if !valid {
        return -1;
    }
    let id = spawner.next_id.fetch_add(1, Ordering::Relaxed);
    if !(1..=MAX_THREAD_ID).contains(&id) {
        return -1;
    }
    let instance = match instantiate(spawner) {
        Ok(i) => i,
        Err(_) => return -1,
    };
    let builder = std::thread::Builder::new()
        .name(format!("wasi-thread-{id}"))
        .stack_size(kiln_vm::stack::guest_thread_stack());
    let started = launch(
        instance,
        |body| builder.spawn(body).map(drop),
        move |i| run_thread(i, start, id, start_arg),
    );
    // NB: as in Wasmtime, a thread the OS refuses is `-1` for the guest,
    // not a trap.
    match started {
        Ok(()) => id,
        Err(_) => -1,
    }
}

/// An instance handed to a new thread, which becomes its only user. If the
/// thread never starts, dropping this frees the instance.
struct Owned<T>(Box<T>);
// SAFETY: the spawning thread gives the instance up entirely: nothing else
// refers to it (its shared memory and WASI context are shared through their
// own synchronisation, not through the instance).
unsafe impl<T> Send for Owned<T> {}

/// Starts `run` on a new thread through `spawn`, handing it `instance`.
/// When `spawn` fails, it has dropped the body it was given, and with it
/// the instance: nothing leaks.
fn launch<T: 'static>(
    instance: Box<T>,
    spawn: impl FnOnce(Box<dyn FnOnce() + Send>) -> std::io::Result<()>,
    run: impl FnOnce(*mut T) + Send + 'static,
) -> std::io::Result<()> {
    let owned = Owned(instance);
    spawn(Box::new(move || {
        let owned = owned;
        run(Box::into_raw(owned.0))
    }))
}

/// A fresh instance over the shared memory, with the shared WASI context.
fn instantiate(spawner: &Spawner) -> Result<Box<Instance>, String> {
    let instance = Instance::with_imports(spawner.module, None, &imports(spawner.memory))?;
    // It runs on the new thread: its exception roots go with it.
    kiln_vm::exceptions::heap::unregister_instance(&instance);
    // The context is the main instance's: point this instance's host-state
    // slot at it without taking ownership (`Instance` frees only contexts it
    // was given).
    // SAFETY: the slot is a pointer-sized header field of the live context,
    // which only this thread knows of yet.
    unsafe {
        instance
            .vmctx()
            .add(VMOffsets::HOST_STATE as usize)
            .cast::<*mut WasiCtx>()
            .write(spawner.wasi);
    }
    Ok(instance)
}

/// The body of a spawned thread.
fn run_thread(instance: *mut Instance, start: u32, id: i32, start_arg: i32) {
    if let Err(e) = kiln_vm::traps::init_thread() {
        kiln_vm::traps::report_host_error(&e);
    }
    // SAFETY: this thread is the instance's only user.
    kiln_vm::exceptions::heap::register_instance(unsafe { &*instance });
    // Its compiled code burns this thread's fuel, not the spawner's.
    // SAFETY: this thread's counter lives as long as the thread, the only
    // one that runs the instance; none of its code is running yet.
    unsafe { (*instance).set_fuel_counter(kiln_vm::limits::fuel_counter()) };
    // SAFETY: as above.
    match unsafe { (*instance).apply_segments() } {
        Ok(()) => {}
        Err(InitError::Trap(code)) => kiln_vm::traps::report_host_trap(code),
        Err(InitError::Corrupt(e)) => kiln_vm::traps::report_host_error(&e),
    }
    // SAFETY: as above.
    let module = unsafe { *(*instance).module() };
    if module.desc.start_func != kiln_abi::descriptor::NO_INDEX {
        // SAFETY: the start function takes and returns nothing.
        if let Err(e) = unsafe { kiln_vm::invoke::call(instance, module.desc.start_func, &mut []) }
        {
            kiln_vm::traps::report_host_error(&e);
        }
    }
    let arg = |v: i32| {
        let mut raw = [0u8; 16];
        raw[..4].copy_from_slice(&v.to_le_bytes());
        ValRaw(raw)
    };
    let mut args = [arg(id), arg(start_arg)];
    // SAFETY: `wasi_thread_start` is `(i32, i32) -> ()` (checked in
    // `spawn`); `args` has a slot per parameter.
    if let Err(e) = unsafe { kiln_vm::invoke::call(instance, start, &mut args) } {
        kiln_vm::traps::report_host_error(&e);
    }
    // Nothing outside this thread can refer to the instance any more: its
    // tables and globals are its own (a funcref cannot be stored in linear
    // memory), and the shared memory and the WASI context are not owned by
    // it (it frees neither).
    // SAFETY: created by `Box::into_raw` in `launch`; no code of the
    // instance runs any more.
    drop(unsafe { Box::from_raw(instance) });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    /// Counts its drops.
    struct Probe(Arc<AtomicUsize>);
    impl Drop for Probe {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_thread_that_cannot_start_frees_its_instance() {
        let drops = Arc::new(AtomicUsize::new(0));
        // The OS refuses: the body (and the instance in it) is dropped
        // unrun, as `std::thread::Builder::spawn` does.
        let r = launch(
            Box::new(Probe(Arc::clone(&drops))),
            |body| {
                drop(body);
                Err(std::io::Error::from(std::io::ErrorKind::WouldBlock))
            },
            |_| panic!("never runs"),
        );
        assert!(r.is_err());
        assert_eq!(drops.load(Ordering::SeqCst), 1, "the instance leaked");
    }

    #[test]
    fn a_started_thread_owns_its_instance() {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = std::sync::mpsc::channel();
        launch(
            Box::new(Probe(Arc::clone(&drops))),
            |body| std::thread::Builder::new().spawn(body).map(drop),
            move |p| {
                // SAFETY: `launch` hands over the pointer of a leaked box.
                drop(unsafe { Box::from_raw(p) });
                tx.send(()).expect("send");
            },
        )
        .expect("spawned");
        rx.recv().expect("ran");
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}
