//! The WASI context every facade is given: [`WasiConfig`] (what the guest
//! is granted) and [`WasiCtx`] (the [`Kernel`] made from it, after the
//! process-wide set-up a guest expects).
//!
//! Phase: start-up. Inputs: a [`WasiConfig`] built by the runner from the
//! baked grants (or a `kiln run` configuration) and the process's arguments
//! and environment. Outputs: the [`WasiCtx`] that the P1 host functions find
//! through `VMOffsets::HOST_STATE` and that the WASI 0.2/0.3 host object
//! owns; the program name ([`program_name`]) the P1 facade's fatal-error
//! report names.
//!
//! Why here, in the kernel, rather than in a facade crate: the P1 facade
//! (`kiln-wasi-p1`) and the 0.2/0.3/HTTP facades (`kiln-wasi-p2` and the
//! crates over it) both start from this context, and neither depends on the other; the context is a
//! kernel plus the set-up every facade needs (SIGPIPE ignored, closed
//! standard descriptors reopened), so it adds no dependency to the kernel.
//!
//! Invariants: the process-wide set-up runs once, however many contexts a
//! server makes; the program name is the first context's `args[0]`.

use crate::Kernel;
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
    pub kernel: Kernel,
}

/// The program name used in fatal error messages.
static PROGRAM: OnceLock<Vec<u8>> = OnceLock::new();

impl WasiCtx {
    /// Opens the preopens and sets up stdio. Fails with a one-line message
    /// (e.g. a preopened directory that cannot be opened).
    pub fn new(config: WasiConfig) -> Result<WasiCtx, String> {
        if let Some(name) = config.args.first() {
            // NB: the bytes, made text only if a fatal error prints them.
            let _ = PROGRAM.set(name.clone());
        }
        // Once per process (a server makes a context per instance): what
        // Rust's start-up code does for wasmtime and a C `main` lacks
        // (SIGPIPE ignored, closed standard descriptors reopened).
        kiln_platform::process::prepare_for_guest();
        let kernel = Kernel::new(config.args, config.env, &config.preopens, config.flags)?;
        Ok(WasiCtx { kernel })
    }
}

/// The program name (`args[0]` of the first context made), if any: what a
/// fatal host error's report names as the main module.
pub fn program_name() -> Option<&'static [u8]> {
    PROGRAM.get().map(Vec::as_slice)
}
