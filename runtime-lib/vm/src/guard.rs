//! The panic guard: what a Rust panic (a bug in Kiln) becomes, so that no
//! panic unwinds into C or compiled code.
//!
//! Phase: the whole process. Inputs: a panic's payload and location.
//! Output: `Error: internal runtime error: <message>` on stderr and exit
//! status [`INTERNAL_ERROR_STATUS`], without running destructors or atexit
//! hooks. Executables are built with `panic = "abort"`, so there the hook
//! ([`install_panic_hook`]) is the only code that runs after a panic;
//! [`guard`] does the same where unwinding is enabled (tests, embedding).
//!
//! Invariant: a leaf module. It imports only `crate::errors` (itself a
//! leaf), so the lowest layers (`crate::traps::catch`, `crate::libcalls`)
//! can use it without depending on the process entry (`kiln_runner::entry`),
//! which depends on them.

use crate::errors;
use std::panic::AssertUnwindSafe;

/// Exit status after an internal runtime error (a bug in Kiln): `EX_SOFTWARE`.
pub const INTERNAL_ERROR_STATUS: i32 = 70;

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "unknown panic"
    }
}

/// Prints `Error: internal runtime error: <message>` and exits with
/// [`INTERNAL_ERROR_STATUS`] without running destructors or atexit hooks.
pub fn internal_error(message: &str) -> ! {
    let text = format!("Error: internal runtime error: {message}\n");
    errors::write_fd(2, text.as_bytes());
    kiln_platform::fault::exit_now(INTERNAL_ERROR_STATUS)
}

/// Turns every panic into [`internal_error`]: with `panic = "abort"` the
/// hook is the only code that runs after a panic.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        // Line 0: the runtime is built without panic locations (the
        // build script's `-Zlocation-detail=none`).
        let location = info
            .location()
            .filter(|l| l.line() != 0)
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        internal_error(&format!("{}{location}", panic_message(info.payload())));
    }));
}

/// Runs `f`, turning a panic into [`internal_error`] instead of unwinding
/// (for `extern "C"` bodies when unwinding is enabled).
pub fn guard<R>(f: impl FnOnce() -> R) -> R {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => internal_error(panic_message(&*payload)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn guard_passes_results_through() {
        assert_eq!(super::guard(|| 5), 5);
    }
}
