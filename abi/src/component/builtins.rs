//! The component-model async (P3) canonical built-ins Kiln compiles: which
//! ones exist, their core signatures and the runtime symbol each
//! trampoline calls.
//!
//! Phase: none (shared definitions). Inputs: a built-in. Outputs: its
//! text-format name (for errors), its runtime symbol and its core
//! signature.
//!
//! Contract: each built-in becomes a trampoline of kind
//! [`super::program::TRAMPOLINE_ASYNC_BUILTIN`] with the lowered-import
//! shape of [`super::canon`] (`(opts, slots, n)`, parameters in the slots,
//! the result in slot 0) calling `__kiln_cm_p3_<name>`. Its [`CanonOpts`]
//! record carries what the built-in's immediates and options say:
//! - `resource`: the `stream<T>`/`future<T>` type (a type-table index) for
//!   stream and future built-ins, the slot number for `context.get/set`;
//! - `func_type`: for `task.return`, a function type whose parameters are
//!   the returned values (its core signature is `flatten_functype` of
//!   that type, lowered);
//! - `memory`, `realloc`, string encoding: the options as written;
//! - flags: [`CANON_OPT_ASYNC`] (`stream.read async`, `subtask.cancel
//!   async`, ...) and [`CANON_OPT_CANCELLABLE`]
//!   (`waitable-set.wait cancellable`, `thread.yield cancellable`).
//!
//! `error-context.new` and `error-context.debug-message` carry `memory`,
//! string encoding (and `realloc` for the message) in the record as written.
//!
//! Gated built-ins (threads, stackful async) are not listed: the compiler
//! refuses them by name. (`backpressure.set` is kept for older toolchains.)
//!
//! [`CanonOpts`]: super::CanonOpts
//! [`CANON_OPT_ASYNC`]: super::CANON_OPT_ASYNC

use crate::ValType::{self, I32 as I, I64 as L};

/// [`super::CanonOpts::flags`] bit: the `cancellable` immediate of
/// `waitable-set.wait/poll` and `thread.yield`.
pub const CANON_OPT_CANCELLABLE: u8 = 1 << 2;

/// One P3 built-in (`CanonicalFunction` of the component binary format).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum AsyncBuiltin {
    /// `context.get i32 i`.
    ContextGet,
    /// `context.set i32 i`.
    ContextSet,
    /// `backpressure.set` (superseded by inc/dec; still emitted by older
    /// toolchains).
    BackpressureSet,
    /// `backpressure.inc`.
    BackpressureInc,
    /// `backpressure.dec`.
    BackpressureDec,
    /// `task.return (result T)? opts`.
    TaskReturn,
    /// `task.cancel`.
    TaskCancel,
    /// `waitable-set.new`.
    WaitableSetNew,
    /// `waitable-set.wait cancellable? (memory m)`.
    WaitableSetWait,
    /// `waitable-set.poll cancellable? (memory m)`.
    WaitableSetPoll,
    /// `waitable-set.drop`.
    WaitableSetDrop,
    /// `waitable.join`.
    WaitableJoin,
    /// `subtask.cancel async?`.
    SubtaskCancel,
    /// `subtask.drop`.
    SubtaskDrop,
    /// `stream.new T`.
    StreamNew,
    /// `stream.read T opts`.
    StreamRead,
    /// `stream.write T opts`.
    StreamWrite,
    /// `stream.cancel-read T async?`.
    StreamCancelRead,
    /// `stream.cancel-write T async?`.
    StreamCancelWrite,
    /// `stream.drop-readable T`.
    StreamDropReadable,
    /// `stream.drop-writable T`.
    StreamDropWritable,
    /// `future.new T`.
    FutureNew,
    /// `future.read T opts`.
    FutureRead,
    /// `future.write T opts`.
    FutureWrite,
    /// `future.cancel-read T async?`.
    FutureCancelRead,
    /// `future.cancel-write T async?`.
    FutureCancelWrite,
    /// `future.drop-readable T`.
    FutureDropReadable,
    /// `future.drop-writable T`.
    FutureDropWritable,
    /// `thread.yield cancellable?` (formerly `yield`).
    ThreadYield,
    /// `error-context.new opts`.
    ErrorContextNew,
    /// `error-context.debug-message opts`.
    ErrorContextDebugMessage,
    /// `error-context.drop`.
    ErrorContextDrop,
}

/// Every built-in, in declaration order.
pub const ALL_ASYNC_BUILTINS: &[AsyncBuiltin] = {
    use AsyncBuiltin::*;
    &[
        ContextGet,
        ContextSet,
        BackpressureSet,
        BackpressureInc,
        BackpressureDec,
        TaskReturn,
        TaskCancel,
        WaitableSetNew,
        WaitableSetWait,
        WaitableSetPoll,
        WaitableSetDrop,
        WaitableJoin,
        SubtaskCancel,
        SubtaskDrop,
        StreamNew,
        StreamRead,
        StreamWrite,
        StreamCancelRead,
        StreamCancelWrite,
        StreamDropReadable,
        StreamDropWritable,
        FutureNew,
        FutureRead,
        FutureWrite,
        FutureCancelRead,
        FutureCancelWrite,
        FutureDropReadable,
        FutureDropWritable,
        ThreadYield,
        ErrorContextNew,
        ErrorContextDebugMessage,
        ErrorContextDrop,
    ]
};

impl AsyncBuiltin {
    /// The text-format name, e.g. `stream.cancel-read`.
    pub const fn name(self) -> &'static str {
        use AsyncBuiltin::*;
        match self {
            ContextGet => "context.get",
            ContextSet => "context.set",
            BackpressureSet => "backpressure.set",
            BackpressureInc => "backpressure.inc",
            BackpressureDec => "backpressure.dec",
            TaskReturn => "task.return",
            TaskCancel => "task.cancel",
            WaitableSetNew => "waitable-set.new",
            WaitableSetWait => "waitable-set.wait",
            WaitableSetPoll => "waitable-set.poll",
            WaitableSetDrop => "waitable-set.drop",
            WaitableJoin => "waitable.join",
            SubtaskCancel => "subtask.cancel",
            SubtaskDrop => "subtask.drop",
            StreamNew => "stream.new",
            StreamRead => "stream.read",
            StreamWrite => "stream.write",
            StreamCancelRead => "stream.cancel-read",
            StreamCancelWrite => "stream.cancel-write",
            StreamDropReadable => "stream.drop-readable",
            StreamDropWritable => "stream.drop-writable",
            FutureNew => "future.new",
            FutureRead => "future.read",
            FutureWrite => "future.write",
            FutureCancelRead => "future.cancel-read",
            FutureCancelWrite => "future.cancel-write",
            FutureDropReadable => "future.drop-readable",
            FutureDropWritable => "future.drop-writable",
            ThreadYield => "thread.yield",
            ErrorContextNew => "error-context.new",
            ErrorContextDebugMessage => "error-context.debug-message",
            ErrorContextDrop => "error-context.drop",
        }
    }

    /// The runtime function its trampoline calls: `__kiln_cm_p3_` and the
    /// name with `.` and `-` as `_`.
    pub const fn symbol(self) -> &'static str {
        use AsyncBuiltin::*;
        match self {
            ContextGet => "__kiln_cm_p3_context_get",
            ContextSet => "__kiln_cm_p3_context_set",
            BackpressureSet => "__kiln_cm_p3_backpressure_set",
            BackpressureInc => "__kiln_cm_p3_backpressure_inc",
            BackpressureDec => "__kiln_cm_p3_backpressure_dec",
            TaskReturn => "__kiln_cm_p3_task_return",
            TaskCancel => "__kiln_cm_p3_task_cancel",
            WaitableSetNew => "__kiln_cm_p3_waitable_set_new",
            WaitableSetWait => "__kiln_cm_p3_waitable_set_wait",
            WaitableSetPoll => "__kiln_cm_p3_waitable_set_poll",
            WaitableSetDrop => "__kiln_cm_p3_waitable_set_drop",
            WaitableJoin => "__kiln_cm_p3_waitable_join",
            SubtaskCancel => "__kiln_cm_p3_subtask_cancel",
            SubtaskDrop => "__kiln_cm_p3_subtask_drop",
            StreamNew => "__kiln_cm_p3_stream_new",
            StreamRead => "__kiln_cm_p3_stream_read",
            StreamWrite => "__kiln_cm_p3_stream_write",
            StreamCancelRead => "__kiln_cm_p3_stream_cancel_read",
            StreamCancelWrite => "__kiln_cm_p3_stream_cancel_write",
            StreamDropReadable => "__kiln_cm_p3_stream_drop_readable",
            StreamDropWritable => "__kiln_cm_p3_stream_drop_writable",
            FutureNew => "__kiln_cm_p3_future_new",
            FutureRead => "__kiln_cm_p3_future_read",
            FutureWrite => "__kiln_cm_p3_future_write",
            FutureCancelRead => "__kiln_cm_p3_future_cancel_read",
            FutureCancelWrite => "__kiln_cm_p3_future_cancel_write",
            FutureDropReadable => "__kiln_cm_p3_future_drop_readable",
            FutureDropWritable => "__kiln_cm_p3_future_drop_writable",
            ThreadYield => "__kiln_cm_p3_thread_yield",
            ErrorContextNew => "__kiln_cm_p3_error_context_new",
            ErrorContextDebugMessage => "__kiln_cm_p3_error_context_debug_message",
            ErrorContextDrop => "__kiln_cm_p3_error_context_drop",
        }
    }

    /// The core signature (params, results), or `None` for `task.return`,
    /// whose parameters are its flattened result type.
    pub const fn core_sig(self) -> Option<(&'static [ValType], &'static [ValType])> {
        use AsyncBuiltin::*;
        Some(match self {
            ContextGet | WaitableSetNew | ThreadYield => (&[], &[I]),
            ContextSet | BackpressureSet | WaitableSetDrop | SubtaskDrop | StreamDropReadable
            | StreamDropWritable | FutureDropReadable | FutureDropWritable | ErrorContextDrop => {
                (&[I], &[])
            }
            BackpressureInc | BackpressureDec | TaskCancel => (&[], &[]),
            TaskReturn => return None,
            WaitableSetWait | WaitableSetPoll | FutureRead | FutureWrite => (&[I, I], &[I]),
            WaitableJoin | ErrorContextDebugMessage => (&[I, I], &[]),
            ErrorContextNew => (&[I, I], &[I]),
            SubtaskCancel | StreamCancelRead | StreamCancelWrite | FutureCancelRead
            | FutureCancelWrite => (&[I], &[I]),
            StreamNew | FutureNew => (&[], &[L]),
            StreamRead | StreamWrite => (&[I, I, I], &[I]),
        })
    }

    /// The built-in whose runtime symbol is `symbol`.
    pub fn from_symbol(symbol: &str) -> Option<AsyncBuiltin> {
        ALL_ASYNC_BUILTINS
            .iter()
            .copied()
            .find(|b| b.symbol() == symbol)
    }
}

/// Status of `stream.read/write` and `future.read/write` (and their
/// cancels): the operation has not finished; an event will say how it
/// ended (`BLOCKED`, all ones).
pub const COPY_BLOCKED: u32 = 0xffff_ffff;

/// How a finished copy ended, the low 4 bits of its status or event
/// payload (`CopyResult`); the rest is the number of elements copied.
pub mod copy_result {
    /// The copy finished; the other end is still open.
    pub const COMPLETED: u32 = 0;
    /// The other end was dropped.
    pub const DROPPED: u32 = 1;
    /// The copy was cancelled.
    pub const CANCELLED: u32 = 2;
}

/// Packs a copy status: `count << 4 | result`.
pub const fn pack_copy(count: u32, result: u32) -> u32 {
    (count << 4) | result
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;

    #[test]
    fn symbols_follow_the_names() {
        for b in ALL_ASYNC_BUILTINS {
            let want: String = b
                .name()
                .chars()
                .map(|c| if c == '.' || c == '-' { '_' } else { c })
                .collect();
            assert_eq!(b.symbol(), format!("__kiln_cm_p3_{want}"));
            assert_eq!(AsyncBuiltin::from_symbol(b.symbol()), Some(*b));
        }
    }

    #[test]
    fn packing() {
        assert_eq!(pack_copy(3, copy_result::DROPPED), 0x31);
        assert_eq!(COPY_BLOCKED, u32::MAX);
    }
}
