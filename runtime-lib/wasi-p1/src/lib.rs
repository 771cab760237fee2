//! Kiln's WASI P1 (`wasi_snapshot_preview1`) facade: the 46 host functions
//! compiled code calls as `__kiln_p1_<name>(vmctx, params...)`, plus
//! wasi-threads' `thread-spawn` (`__kiln_p1_thread_spawn`, which only hands
//! over to [`threads::spawn`]), over the one WASI kernel
//! (`kiln-wasi-kernel`, re-exported as [`kernel`]).
//!
//! Why a crate of its own: P1 shares nothing with the WASI 0.2/0.3 and
//! HTTP facades (`kiln-wasi-p2`, `kiln-wasi-p3`, `kiln-wasi-http`) but
//! the kernel and the [`WasiCtx`] made from it, which live in the kernel crate below both. A core module's host
//! calls reach guest memory through the `VMContext` directly; no canonical
//! ABI, host table or host object is involved. wasi-threads lives here
//! because only P1 modules spawn threads. Fatal host errors ([`fatal`]) are
//! P1's too: the 0.2/0.3 facades answer errors and traps through the
//! canonical ABI instead of ending the process.
//!
//! Threads: every thread's instance shares one [`WasiCtx`]; host calls of
//! different threads run concurrently, with no lock held for a whole call
//! (the kernel locks its descriptor table and the descriptor in use, see
//! `kiln_wasi_kernel`). So a blocking call (`fd_read` on stdin,
//! `poll_oneoff`) delays no other thread's call, and `proc_exit` ends the
//! process at once whatever the other threads are doing. NB: guest memory
//! may be a shared memory that other threads access meanwhile; a guest that
//! races with its own host call's buffers gets torn data, as in Wasmtime.
//!
//! Phase: run time. Inputs: the caller's `vmctx` (guest memory at
//! `VMOffsets::WASI_MEMORY`, the [`WasiCtx`] at `VMOffsets::HOST_STATE`) and
//! the core-wasm arguments. Outputs: an `errno` (or, for `proc_exit`, process
//! exit) and results written to guest memory.
//!
//! Invariants:
//! - The exported signatures are generated from `kiln_abi::for_each_wasi_p1!`,
//!   so they cannot drift from what the compiler emits calls to.
//! - This layer only decodes arguments, touches guest memory and encodes
//!   results; all behaviour lives in [`kernel`].
//! - Semantics and errno values follow Wasmtime's `preview1.rs`
//!   (documented per function in the submodules); deliberate differences are
//!   listed below.
//! - No panic crosses `extern "C"`: a panic aborts the process with a message.
//!   Guest-memory faults and other fatal host errors go to
//!   [`fatal`] (wasmtime reports them as an error and exits 1);
//!   a fault writing a result to its output pointer also gets wiggle's
//!   `In func wasi_snapshot_preview1::<fn> at write <witx type>: ` context
//!   ([`P1Error::FatalWrite`]); an argument that does not convert to its
//!   witx type gets `... at convert <witx type>: ` ([`P1Error::FatalConvert`]).
//! - The `__kiln_p1_*` symbols reach `libkiln_runtime.a` because
//!   `kiln-runner` (under the archive crate) uses this crate for a module's
//!   start-up; `kiln-runtime-embed` names each export for its loader.
//!
//! Behaviour is Wasmtime's (the reference engine). Known, deliberate
//! differences:
//! - A fatal host error (out-of-bounds pointer, `proc_exit(>=126)`, oversized
//!   `random_get`, missing memory export) prints `Error: ...` and exits 1 as
//!   wasmtime does, but without wasmtime's wasm backtrace unless the runtime
//!   installs a handler with [`set_fatal_handler`].
//! - `fd_read` with only empty iovecs on stdin waits with `poll(2)` and then
//!   answers `EINTR` like wasmtime, without wasmtime's reader thread.
//! - No `--tcplisten`/`--listenfd` style socket preopens (wasmtime's CLI does
//!   not offer them for P1 either).
//! - wasi-threads (which wasmtime 47 removed): all threads share one
//!   [`WasiCtx`]; host calls run concurrently, locking only the descriptor
//!   table (briefly) and the descriptor they use, as wasi-common did (see
//!   [`WasiCtx`]).

pub use kiln_wasi_kernel as kernel;
pub mod threads;

// The bodies take the WASI parameter lists verbatim, plus kernel and memory.
#[allow(clippy::too_many_arguments, reason = "WASI signatures")]
mod fd;
pub mod memory;
#[allow(clippy::too_many_arguments, reason = "WASI signatures")]
mod misc;
#[allow(clippy::too_many_arguments, reason = "WASI signatures")]
mod path;
mod poll;
pub mod types;

use crate::kernel::error::ErrorCode;
use crate::kernel::{Kernel, WasiCtx};
use memory::GuestMemory;
use std::convert::Infallible;
use std::sync::OnceLock;
use types::Errno;

/// Why a P1 call did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum P1Error {
    /// Return this errno to the guest.
    Errno(Errno),
    /// Stop the guest with this message (wasmtime: a host error, exit 1).
    Fatal(String),
    /// [`P1Error::Fatal`] while writing the function's result of witx type
    /// `ty` to its output pointer: wiggle reports it in the context
    /// `In func wasi_snapshot_preview1::<fn> at write <ty>: <message>`
    /// (see [`memory::result_write`]).
    FatalWrite { ty: &'static str, message: String },
    /// An argument that does not convert to its witx type `ty`: wiggle
    /// reports it in the context
    /// `In func wasi_snapshot_preview1::<fn> at convert <ty>: <message>`,
    /// then the error's own chain ([`types::ConvertError::messages`]).
    FatalConvert {
        ty: &'static str,
        error: types::ConvertError,
    },
}

impl From<ErrorCode> for P1Error {
    fn from(code: ErrorCode) -> P1Error {
        P1Error::Errno(Errno::from(code))
    }
}

impl From<Errno> for P1Error {
    fn from(e: Errno) -> P1Error {
        P1Error::Errno(e)
    }
}

/// A handler for fatal host errors, installed by the runtime.
static FATAL_HANDLER: OnceLock<fn(&[&str]) -> !> = OnceLock::new();

/// Installs the handler for fatal host errors (the runtime's error printer,
/// which can add a wasm backtrace). It gets the error's chain of messages,
/// outermost first, each one line without a trailing newline. The handler
/// must not return.
pub fn set_fatal_handler(handler: fn(&[&str]) -> !) {
    let _ = FATAL_HANDLER.set(handler);
}

/// Stops the guest because of a fatal host error: the installed handler, or
/// wasmtime's message shape (`Error: failed to run main module ...`) and
/// exit status 1.
pub fn fatal(message: &str) -> ! {
    fatal_chain(&[message])
}

/// [`fatal`] for an error with its own chain of `messages`, outermost first
/// (e.g. wiggle's `In func ...` context, then its cause).
pub fn fatal_chain(messages: &[&str]) -> ! {
    if let Some(handler) = FATAL_HANDLER.get() {
        handler(messages)
    }
    let program = kernel::ctx::program_name().unwrap_or(b"<module>");
    let mut chain = vec![kiln_vm::errors::main_module_context(program)];
    chain.extend(messages.iter().map(|m| m.to_string()));
    std::process::exit(kiln_vm::errors::report(&chain))
}

/// Result of a P1 function body.
pub type P1Result<T> = Result<T, P1Error>;

/// How a body's success value becomes the exported function's result.
trait P1Return {
    type Abi;
    fn success(self) -> Self::Abi;
    fn errno(e: Errno) -> Self::Abi;
}

impl P1Return for () {
    type Abi = i32;
    fn success(self) -> i32 {
        0
    }
    fn errno(e: Errno) -> i32 {
        i32::from(e.0)
    }
}

/// The result of wasi-threads' `thread-spawn`: a thread id (> 0) or a
/// negative error, never an errno.
pub struct SpawnResult(pub i32);

impl P1Return for SpawnResult {
    type Abi = i32;
    fn success(self) -> i32 {
        self.0
    }
    fn errno(_e: Errno) -> i32 {
        -1
    }
}

impl P1Return for Infallible {
    type Abi = ();
    fn success(self) {
        match self {}
    }
    fn errno(e: Errno) {
        crate::fatal(&format!("proc_exit failed with errno {}", e.0))
    }
}

/// Reads the WASI memory of `vmctx`; wasmtime fails every call of a module
/// that exports no memory.
///
/// # Safety
/// `vmctx` must be a live `VMContext`.
unsafe fn guest_memory(vmctx: *mut u8) -> P1Result<GuestMemory> {
    let off = kiln_abi::vmctx::VMOffsets::WASI_MEMORY as usize;
    // SAFETY: the header field is a pointer-sized slot of a live vmctx.
    let def = unsafe {
        vmctx
            .add(off)
            .cast::<*const kiln_abi::vmctx::VMMemoryDefinition>()
            .read()
    };
    if def.is_null() {
        return Err(P1Error::Fatal("missing required memory export".to_string()));
    }
    // SAFETY: a non-null WASI memory pointer names the instance's live
    // memory definition; `current_length` is re-read on every call because
    // `memory.grow` changes it, atomically because another thread may be
    // growing a shared memory. The view lends out no reference into the
    // memory, so other threads writing it alias nothing of ours.
    unsafe {
        let len = kiln_vm::memory::shared::load_length(def);
        Ok(GuestMemory::new((*def).base, len))
    }
}

/// Runs one host function body.
///
/// # Safety
/// `vmctx` must be a live `VMContext` whose host-state slot holds the
/// `Box<WasiCtx>` pointer the start-up code stored there.
unsafe fn dispatch<R: P1Return>(
    vmctx: *mut u8,
    name: &'static str,
    body: impl FnOnce(&Kernel, &GuestMemory) -> P1Result<R>,
) -> R::Abi {
    // `-W timeout`: a guest waiting here is ended by the deadline.
    let _host = kiln_vm::limits::enter_host_call();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let off = kiln_abi::vmctx::VMOffsets::HOST_STATE as usize;
        // SAFETY: per the contract above.
        let cx = unsafe { vmctx.add(off).cast::<*mut WasiCtx>().read() };
        if cx.is_null() {
            eprintln!("kiln runtime: WASI function {name} called without a WASI context");
            std::process::abort();
        }
        // SAFETY: the context outlives every instance using it, and nothing
        // takes a `&mut` to it while guests run: every thread's host calls
        // share it through `&`, the kernel's mutable state being behind its
        // own locks.
        let kernel = unsafe { &(*cx).kernel };
        // NB: `thread-spawn` (wasi-threads) touches no guest memory and, as
        // in Wasmtime, works in a module that exports none.
        let mem = if name == kiln_abi::wasi_p1::THREAD_SPAWN_FUNC {
            // SAFETY: an empty view never dereferences its pointer.
            unsafe { GuestMemory::new(std::ptr::NonNull::dangling().as_ptr(), 0) }
        } else {
            // SAFETY: per the contract above.
            unsafe { guest_memory(vmctx) }?
        };
        body(kernel, &mem)
    }));
    match outcome {
        Ok(Ok(r)) => r.success(),
        Ok(Err(P1Error::Errno(e))) => R::errno(e),
        // NB: Wasmtime prints a host function's error without naming the
        // function (the wasm backtrace shows the caller).
        Ok(Err(P1Error::Fatal(msg))) => crate::fatal(&msg),
        Ok(Err(P1Error::FatalWrite { ty, message })) => {
            let context = format!(
                "In func {}::{name} at write {ty}: {message}",
                kiln_abi::symbols::WASI_P1_MODULE
            );
            crate::fatal_chain(&[context.as_str(), message.as_str()])
        }
        Ok(Err(P1Error::FatalConvert { ty, error })) => {
            let messages = error.messages(ty);
            let context = format!(
                "In func {}::{name} at convert {ty}: {}",
                kiln_abi::symbols::WASI_P1_MODULE,
                messages[0]
            );
            let mut chain = vec![context.as_str()];
            chain.extend(messages.iter().map(String::as_str));
            crate::fatal_chain(&chain)
        }
        Err(_) => {
            eprintln!("kiln runtime: internal error (panic) in WASI function {name}");
            std::process::abort()
        }
    }
}

/// The bodies, one per P1 function, with the exported parameter list.
mod impls {
    pub(super) use super::fd::*;
    pub(super) use super::misc::*;
    pub(super) use super::path::*;
    pub(super) use super::poll::*;

    /// wasi-threads' `thread-spawn` (shares the P1 host-call path).
    pub fn thread_spawn(
        _k: &crate::kernel::Kernel,
        _m: &super::GuestMemory,
        start_arg: i32,
    ) -> super::P1Result<super::SpawnResult> {
        Ok(super::SpawnResult(crate::threads::spawn::spawn(start_arg)))
    }
}

macro_rules! define_exports {
    ($( $name:ident( $($p:ident : $t:ident),* ) $(-> $r:ident)? ;)*) => {
        /// The exported `__kiln_p1_*` functions.
        pub mod exports {
            #![allow(clippy::too_many_arguments, reason = "signatures are the WASI ABI")]
            use super::*;
            $(
                #[doc = concat!("WASI P1 `", stringify!($name), "`.")]
                ///
                /// # Safety
                /// `vmctx` must be the live `VMContext` of the calling instance.
                #[unsafe(export_name = concat!("__kiln_p1_", stringify!($name)))]
                pub unsafe extern "C" fn $name(vmctx: *mut u8, $($p: $t),*) $(-> $r)? {
                    // SAFETY: compiled code passes its own live vmctx.
                    unsafe { dispatch(vmctx, stringify!($name), |k, m| impls::$name(k, m, $($p),*)) }
                }
            )*
        }
    };
}
kiln_abi::for_each_wasi_p1!(define_exports);

#[cfg(test)]
pub(crate) mod testing {
    //! A kernel and a fake guest memory for facade tests.
    use super::memory::GuestMemory;
    use crate::kernel::Kernel;

    /// A kernel with `dir` preopened as `/sandbox` (fd 3) and a 64 KiB
    /// memory.
    pub struct Harness {
        pub kernel: Kernel,
        pub buf: Vec<u8>,
    }

    impl Harness {
        pub fn new(dir: &std::path::Path) -> Harness {
            let kernel = Kernel::new(
                vec![b"prog".to_vec(), b"arg1".to_vec()],
                vec![(b"K".to_vec(), b"V".to_vec())],
                &[(dir.to_path_buf(), "/sandbox".to_string())],
                0,
            )
            .unwrap();
            Harness {
                kernel,
                buf: vec![0; 65536],
            }
        }

        /// Runs `f` with the kernel and a view of the memory.
        pub fn run<T>(&mut self, f: impl FnOnce(&Kernel, &GuestMemory) -> T) -> T {
            // SAFETY: `buf` outlives the view.
            let mem = unsafe { GuestMemory::new(self.buf.as_mut_ptr(), self.buf.len()) };
            f(&self.kernel, &mem)
        }

        /// Places `s` at `ptr`, returning its length.
        pub fn put(&mut self, ptr: usize, s: &[u8]) -> i32 {
            self.buf[ptr..ptr + s.len()].copy_from_slice(s);
            s.len() as i32
        }

        pub fn u32_at(&self, ptr: usize) -> u32 {
            u32::from_le_bytes(self.buf[ptr..ptr + 4].try_into().unwrap())
        }

        pub fn u64_at(&self, ptr: usize) -> u64 {
            u64::from_le_bytes(self.buf[ptr..ptr + 8].try_into().unwrap())
        }
    }

    /// A fresh temporary directory.
    pub fn tmpdir(name: &str) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("kiln-p1-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        p
    }
}

#[cfg(test)]
mod tests {
    use super::exports;
    use crate::kernel::{WasiConfig, WasiCtx};
    use kiln_abi::vmctx::{VMMemoryDefinition, VMOffsets};

    #[test]
    fn exports_reach_context_and_memory_through_vmctx() {
        let dir = super::testing::tmpdir("vmctx");
        let cx = WasiCtx::new(WasiConfig {
            args: vec![b"prog".to_vec(), b"x".to_vec()],
            preopens: vec![(dir.clone(), "/data".to_string())],
            ..Default::default()
        })
        .unwrap();
        let cx = Box::into_raw(Box::new(cx));
        let mut mem = vec![0u8; 4096];
        let mut def_storage = VMMemoryDefinition {
            base: mem.as_mut_ptr(),
            current_length: 1024,
        };
        let def: *mut VMMemoryDefinition = &mut def_storage;
        let mut vmctx = [0u64; 6];
        let base = vmctx.as_mut_ptr().cast::<u8>();
        // SAFETY: the header slots are in bounds of `vmctx`.
        unsafe {
            base.add(VMOffsets::WASI_MEMORY as usize)
                .cast::<*mut VMMemoryDefinition>()
                .write(def);
            base.add(VMOffsets::HOST_STATE as usize)
                .cast::<*mut WasiCtx>()
                .write(cx);
        }
        // SAFETY: `base` is a vmctx whose slots point at live state.
        unsafe {
            assert_eq!(exports::args_sizes_get(base, 0, 4), 0);
            assert_eq!(exports::fd_prestat_get(base, 3, 8), 0);
            assert_eq!(exports::fd_prestat_get(base, 4, 8), 8);
            assert_eq!(exports::clock_time_get(base, 2, 0, 16), 8);
            assert_eq!(exports::sched_yield(base), 0);
        }
        assert_eq!(&mem[0..4], &2u32.to_le_bytes());
        assert_eq!(&mem[4..8], &7u32.to_le_bytes());
        assert_eq!(&mem[12..16], &5u32.to_le_bytes());
        // memory.grow: the length is re-read on every call.
        // SAFETY: `def` points at `def_storage`, alive and not borrowed.
        unsafe { (*def).current_length = 4096 };
        // SAFETY: as above.
        unsafe { assert_eq!(exports::fd_prestat_dir_name(base, 3, 4000, 5), 0) };
        assert_eq!(&mem[4000..4005], b"/data");
        // SAFETY: reclaim the context leaked above.
        drop(unsafe { Box::from_raw(cx) });
        let _ = std::fs::remove_dir_all(&dir);
    }
}
