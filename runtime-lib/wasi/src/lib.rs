//! Kiln's WASI host: thin per-ABI facades over the one WASI kernel
//! (`kiln-wasi-kernel`: descriptors, preopens, files via cap-std, stdio,
//! clocks, random, sockets, the mio event loop).
//!
//! Phase: run time. Inputs: a [`WasiConfig`] built by start-up code from the
//! baked grants (or a `kiln run` configuration). Outputs: the [`WasiCtx`]
//! that the P1 host functions find through `VMOffsets::HOST_STATE`, and the
//! WASI 0.2 host ([`p2::P2Host`]) a component's lowered imports reach
//! through `kiln_canon`'s [`kiln_canon::Host`].
//!
//! Layout:
//! - [`kernel`]: ABI-neutral state and operations (re-exported). Every
//!   facade reuses it; no filesystem (or clock, socket...) logic lives in a
//!   facade.
//! - [`p1`]: `wasi_snapshot_preview1`, the `__kiln_p1_*` exports, reading
//!   guest memory through the `VMContext`'s memory slot.
//! - [`p2`]: the WASI 0.2 `wasi:cli/command` world, reached from compiled
//!   trampolines through one exported entry per function
//!   (`__kiln_wasi_host_<i>`); parameters and
//!   results cross through `kiln_canon::call_host` (lifting, lowering,
//!   handle tables), never by touching guest memory directly.
//! - [`p3`]: the WASI 0.3 functions (first slice: cli, clocks, random),
//!   served by the same host table and host object as 0.2, with streams
//!   and futures from `kiln_canon::p3`.
//! - [`http`]: `wasi:http@0.2` (`types`, `outgoing-handler`: the client
//!   side, `-S http`), on the same host table and host object, with
//!   `hyper` driven by its own small executor over the kernel's reactor.
//! - [`threads`]: wasi-threads (`thread-spawn` for P1 modules).
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
pub mod http;
pub mod p1;
pub mod p2;
pub mod p3;
pub mod threads;

use std::sync::OnceLock;

/// What the guest is granted, decided at start-up from the baked grants (or
/// a `kiln run` configuration) and the process's arguments and environment.
#[derive(Debug, Default, Clone)]
pub struct WasiConfig {
    /// Arguments, `args[0]` being the program name.
    pub args: Vec<Vec<u8>>,
    /// Environment variables given to the guest.
    pub env: Vec<(Vec<u8>, Vec<u8>)>,
    /// Preopened directories: (host path, guest path), in fd order from 3.
    pub preopens: Vec<(std::path::PathBuf, String)>,
    /// `kiln_abi::grants::GRANT_FLAG_*` bits (network grants).
    pub flags: u32,
}

/// The state of one guest's WASI world.
///
/// wasi-threads: every thread's instance uses the same context through a
/// shared reference, and host calls of several threads run at once. The
/// kernel locks what it must (its descriptor table while a number is looked
/// up, inserted or removed; a file's position while it is used), never the
/// whole call: a thread blocked reading stdin or waiting in `poll_oneoff`
/// does not stop another thread from writing to stdout or exiting.
#[derive(Debug)]
pub struct WasiCtx {
    /// The kernel every facade operates on.
    pub kernel: kernel::Kernel,
}

/// The program name used in fatal error messages.
static PROGRAM: OnceLock<Vec<u8>> = OnceLock::new();

/// A handler for fatal host errors, installed by the runtime.
static FATAL_HANDLER: OnceLock<fn(&[&str]) -> !> = OnceLock::new();

impl WasiCtx {
    /// Opens the preopens and sets up stdio. Fails with a one-line message
    /// (e.g. a preopened directory that cannot be opened).
    pub fn new(config: WasiConfig) -> Result<WasiCtx, String> {
        if let Some(name) = config.args.first() {
            // NB: the bytes, made text only if a fatal error prints them.
            let _ = PROGRAM.set(name.clone());
        }
        // Once per process: a server makes a context per instance, and
        // neither step changes after the first.
        static PROCESS_SETUP: std::sync::Once = std::sync::Once::new();
        PROCESS_SETUP.call_once(|| {
            // NB: a C `main` does not get Rust's start-up code, which
            // ignores SIGPIPE; wasmtime (a Rust program) sees EPIPE on a
            // closed pipe instead of dying, and so must the guest.
            // SAFETY: setting a signal disposition to "ignore" has no
            // handler to race with; this runs before any guest code.
            unsafe {
                libc::signal(libc::SIGPIPE, libc::SIG_IGN);
            }
            // Likewise Rust's start-up code reopens closed stdio on
            // /dev/null.
            kernel::stdio::sanitize_standard_fds();
        });
        let kernel = kernel::Kernel::new(config.args, config.env, &config.preopens, config.flags)?;
        Ok(WasiCtx { kernel })
    }
}

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
    let program = PROGRAM.get().map_or(&b"<module>"[..], Vec::as_slice);
    let mut chain = vec![kiln_vm::errors::main_module_context(program)];
    chain.extend(messages.iter().map(|m| m.to_string()));
    std::process::exit(kiln_vm::errors::report(&chain))
}
