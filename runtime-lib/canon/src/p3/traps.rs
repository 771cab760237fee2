//! The traps of component-model async, one constructor per condition, with
//! Wasmtime 49's words and class: a wasm trap (a `TrapCode`, exit 134) or
//! a host error (no code, exit 1), as `wasmtime run` reports each.
//!
//! Every message was checked against `wasmtime run` with a WAT component
//! that provokes it (the `tests/run/component/p3-*.wat` cases).

use crate::trap::{self, Trap};
use kiln_abi::trap::TrapCode;

/// A wasm trap with code `code` (exit 134).
pub fn code(code: TrapCode) -> Trap {
    Trap {
        code: Some(code),
        message: code.message().to_string(),
    }
}

/// What a stream or future handle was expected to be.
fn flavour(future: bool) -> &'static str {
    if future { "future" } else { "stream" }
}

/// A handle that is not a waitable (a waitable set, a resource).
pub fn not_waitable() -> Trap {
    trap::trap("handle is not a waitable")
}

/// A handle that is not a waitable set, for `waitable-set.drop` and
/// `waitable.join`.
pub fn not_set() -> Trap {
    trap::trap("handle is not a waitable-set")
}

/// A handle that is not a waitable set, for `waitable-set.wait`/`poll` and
/// a callback's `WAIT` (Wasmtime's words differ there).
pub fn not_set_wait() -> Trap {
    trap::trap("handle is not an waitable-set")
}

/// A handle that is not an error context.
pub fn not_error_context() -> Trap {
    trap::trap("handle is not an error-context")
}

/// A handle that is not a subtask.
pub fn not_subtask() -> Trap {
    trap::trap("handle is not a subtask")
}

/// A handle that is not a stream (or not a future) end.
pub fn not_end(future: bool) -> Trap {
    trap::trap(format!("handle is not a {}", flavour(future)))
}

/// A stream or future end of another element type.
pub fn other_type(future: bool) -> Trap {
    trap::trap(format!(
        "handle is a {} of a different type",
        flavour(future)
    ))
}

/// `drop-readable` of a writable end.
pub fn not_readable_end(future: bool) -> Trap {
    trap::trap(format!(
        "handle is not a readable end of a {}",
        flavour(future)
    ))
}

/// `drop-writable` of a readable end.
pub fn read_end_to_drop_writable(future: bool) -> Trap {
    trap::trap(format!(
        "passed read end to `{}.drop-writable`",
        flavour(future)
    ))
}

/// `cancel-read` of a writable end, `cancel-write` of a readable one.
pub fn cancel_wrong_end(read: bool) -> Trap {
    trap::trap(if read {
        "passed write end to `{stream|future}.cancel-read`"
    } else {
        "passed read end to `{stream|future}.cancel-write`"
    })
}

/// A cancel with no copy in progress.
pub fn cancel_idle(read: bool) -> Trap {
    trap::trap(if read {
        "stream or future read cancelled when no read is pending"
    } else {
        "stream or future write cancelled when no write is pending"
    })
}

/// Dropping an end while its copy is in progress.
pub fn drop_busy(future: bool, readable: bool) -> Trap {
    let verb = if readable { "remove" } else { "drop" };
    trap::trap(format!("cannot {verb} busy {}", flavour(future)))
}

/// Dropping a future's writable end that never wrote (or saw the reader
/// go) — even when the reader is already gone.
pub fn future_unwritten() -> Trap {
    trap::trap("cannot drop future write end without first writing a value")
}

/// A copy on an end whose last copy ended the channel for it.
pub fn copy_after_done(future: bool, read: bool, dropped: bool) -> Trap {
    trap::trap(match (dropped, future, read) {
        (true, _, true) => "cannot read after being notified that the writable end dropped",
        (true, _, false) => "cannot write after being notified that the readable end dropped",
        (false, _, true) => "cannot read from future after previous read succeeded",
        (false, _, false) => {
            "cannot write to future after previous write succeeded or readable end dropped"
        }
    })
}

/// A copy buffer outside the memory (reads and writes alike).
pub fn buffer_out_of_bounds() -> Trap {
    trap::trap("read pointer out of bounds of memory")
}

/// A copy buffer not aligned for the element type (the reader's or the
/// writer's), found when the copy happens (Wasmtime checks alignment then,
/// bounds at the call).
pub fn buffer_unaligned(read: bool) -> Trap {
    trap::trap(if read {
        "read pointer not aligned"
    } else {
        "write pointer not aligned"
    })
}

/// `waitable-set.drop` of a set that still has members.
pub fn set_has_members() -> Trap {
    trap::trap("resource has children")
}
