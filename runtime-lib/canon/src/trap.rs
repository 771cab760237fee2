//! Traps raised by the canonical ABI: the embedding API's [`Trap`] (a code,
//! if the trap is a wasm trap code, and Wasmtime's reason words), with one
//! constructor per condition so that every message lives here.
//!
//! Messages are Wasmtime's (`crates/wasmtime/src/runtime/component/func/
//! {typed,options,host}.rs`, `runtime/vm/component/{resources,
//! handle_table}.rs`). Only [`cannot_leave`] and [`cannot_enter`] are
//! wasm traps (`kiln_abi::trap::TrapCode::CannotLeaveComponent` and
//! `CannotEnterComponent`, exit 134); the
//! others have `code` `None` and end the program as host errors (exit 1),
//! as in wasmtime.

pub use kiln_vm::traps::Trap;

/// A trap with Wasmtime's message `message` and no wasm trap code.
pub fn trap(message: impl Into<String>) -> Trap {
    Trap {
        code: None,
        message: message.into(),
    }
}

/// `may_leave` was clear when the instance tried to leave.
pub fn cannot_leave() -> Trap {
    // A wasm trap in wasmtime (`Trap::CannotLeaveComponent`): exit 134.
    let code = kiln_abi::trap::TrapCode::CannotLeaveComponent;
    Trap {
        code: Some(code),
        message: code.message().to_string(),
    }
}

/// A fused adapter called into the component instance that lowered it.
pub fn cannot_enter() -> Trap {
    // A wasm trap in wasmtime too: exit 134.
    let code = kiln_abi::trap::TrapCode::CannotEnterComponent;
    Trap {
        code: Some(code),
        message: code.message().to_string(),
    }
}

/// A string's pointer is not aligned for its encoding.
pub fn string_unaligned(align: u32) -> Trap {
    trap(format!("string pointer not aligned to {align}"))
}

/// A string's bytes are not inside the memory (or too many).
pub fn string_out_of_bounds() -> Trap {
    trap("string pointer/length out of bounds of memory")
}

/// A string to store is longer than the canonical ABI allows.
pub fn string_too_long(len: usize) -> Trap {
    trap(format!(
        "string length of {len} too large to copy into wasm"
    ))
}

/// A string's code units do not decode.
pub fn invalid_string(detail: impl std::fmt::Display) -> Trap {
    trap(detail.to_string())
}

/// A fused adapter's transcoder met text that is not UTF-8
/// (`runtime/vm/component/libcalls.rs`).
pub fn invalid_utf8() -> Trap {
    trap("invalid utf8 encoding")
}

/// A fused adapter's transcoder met text that is not UTF-16 (an unpaired
/// surrogate).
pub fn invalid_utf16() -> Trap {
    trap("invalid utf16 encoding")
}

/// A list's bytes are not inside the memory (or too many).
pub fn list_out_of_bounds() -> Trap {
    trap("list pointer/length out of bounds of memory")
}

/// A list's pointer is not aligned for its element type.
pub fn list_unaligned() -> Trap {
    trap("list pointer is not aligned")
}

/// A list to store is larger than the canonical ABI allows.
pub fn list_too_long() -> Trap {
    trap("size overflow copying a list")
}

/// A parameter or result tuple pointer is misaligned.
pub fn pointer_unaligned() -> Trap {
    trap("pointer not aligned")
}

/// A parameter or result tuple pointer is out of bounds.
pub fn pointer_out_of_bounds() -> Trap {
    trap("pointer out of bounds")
}

/// `realloc` returned a pointer not aligned as requested.
pub fn realloc_unaligned() -> Trap {
    trap("realloc return: result not aligned")
}

/// `realloc` returned a block that does not fit in memory.
pub fn realloc_out_of_bounds() -> Trap {
    trap("realloc return: beyond end of memory")
}

/// A string or list had to be lowered but the options name no `realloc`
/// (validation forbids it; a plan bug if it happens).
pub fn no_realloc() -> Trap {
    trap("realloc function not available")
}

/// An invalid `char` scalar value.
pub fn invalid_char() -> Trap {
    trap("converted integer out of range for `char`")
}

/// An `option` discriminant other than 0 or 1.
pub fn invalid_option() -> Trap {
    trap("invalid option discriminant")
}

/// A `result` discriminant other than 0 or 1.
pub fn invalid_result() -> Trap {
    trap("invalid expected discriminant")
}

/// A `variant` or `enum` discriminant out of range.
pub fn invalid_discriminant(d: u32) -> Trap {
    trap(format!("unexpected discriminant: {d}"))
}

/// No free handle index below `2^28`.
pub fn handle_overflow() -> Trap {
    trap("cannot allocate another handle: index overflow")
}

/// The run already holds [`crate::handles::MAX_LIVE_HANDLES`] handles
/// (Wasmtime's `max-component-handles` default), in its words.
pub fn handle_limit() -> Trap {
    trap("cannot allocate another handle: store handle limit exceeded")
}

/// A handle index that names no entry.
pub fn unknown_handle(index: u32) -> Trap {
    trap(format!("unknown handle index {index}"))
}

/// A handle used as a different resource type than its own.
///
/// Always "guest-defined" on both sides, as Wasmtime says it: its guest
/// handle tables type every entry, an imported host resource included, by
/// the component's own resource type (`TypedResource::Component`).
pub fn wrong_handle_type(index: u32) -> Trap {
    trap(format!(
        "handle index {index} used with the wrong type, expected guest-defined resource but \
         found a different guest-defined resource"
    ))
}

/// Removing an `own` handle that is lent out.
pub fn handle_lent() -> Trap {
    trap("cannot remove owned resource while borrowed")
}

/// Lifting `own` from a `borrow` handle.
pub fn own_from_borrow() -> Trap {
    trap("cannot lift own resource from a borrow")
}

/// A call or task ended with borrows still in the callee's table.
pub fn borrows_remain() -> Trap {
    trap("borrow handles still remain at the end of the call")
}

/// A handle operation needs a component instance (or a call scope) and the
/// context has none: a bug in the host function's wiring.
pub fn no_instance() -> Trap {
    trap("resource handle used outside a component call")
}
