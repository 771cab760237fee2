//! Turns a panic anywhere in the CLI (a Kiln bug) into a one-line error and
//! exit status 1, instead of Rust's panic message and backtrace.
//!
//! `KILN_BACKTRACE=1` (or `RUST_BACKTRACE`) adds the backtrace for debugging.

use std::backtrace::Backtrace;

/// Installs the hook; call first thing in `main`.
pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "unknown panic".to_string()
        };
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let message = message.replace('\n', " ");
        eprintln!("error: internal error (a Kiln bug, please report it): {message}{location}");
        let wants_trace = ["KILN_BACKTRACE", "RUST_BACKTRACE"]
            .iter()
            .any(|v| std::env::var(v).is_ok_and(|x| x != "0"));
        if wants_trace {
            eprintln!("{}", Backtrace::force_capture());
        }
        // NB: exit from the hook so that a panic on a rayon worker thread
        // cannot print a second message while unwinding to the caller.
        std::process::exit(1);
    }));
}
