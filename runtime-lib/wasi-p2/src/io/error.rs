//! `wasi:io/error`: the `error` resource behind
//! `stream-error.last-operation-failed`.
//!
//! Phase: run time (host functions). Inputs: an error handle. Outputs: its
//! description. Invariant: the text is the failed operation's host error
//! as wasmtime prints it (`{:?}` of its error, which for an OS error is
//! the `std::io::Error` display, e.g. "No space left on device (os error
//! 28)").

use super::{IoErrorRes, P2Host, no_object};
use kiln_canon::{Borrow, Trap};

/// An `error` resource: the description `to-debug-string` returns.
#[derive(Debug)]
pub struct IoError {
    /// The message.
    pub message: String,
    /// The host error behind it, when an interface recorded one for
    /// another to classify (`wasi:http`'s `http-error-code`).
    pub payload: Option<Box<dyn std::any::Any>>,
}

/// `[method]error.to-debug-string`.
pub fn to_debug_string(h: &mut P2Host, (this,): (Borrow<IoErrorRes>,)) -> Result<String, Trap> {
    h.io.errors
        .get(this.rep())
        .map(|e| e.message.clone())
        .ok_or_else(|| no_object("error"))
}
