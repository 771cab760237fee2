//! Trap codes shared by compiled code (trap tables) and the runtime (signal
//! handler, libcall results), with the reason words Wasmtime prints.

/// Why wasm execution stopped. Stored as `u32` in trap tables and returned
/// (non-zero) by trapping libcalls; `0` means "no trap".
#[repr(u32)]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrapCode {
    /// The wasm stack limit was reached.
    StackOverflow = 1,
    /// Out-of-bounds linear memory access.
    MemoryOutOfBounds = 2,
    /// Misaligned atomic access.
    HeapMisaligned = 3,
    /// Out-of-bounds table access.
    TableOutOfBounds = 4,
    /// `call_indirect` on a null table entry.
    IndirectCallToNull = 5,
    /// `call_indirect` signature mismatch.
    BadSignature = 6,
    /// Integer overflow: `INT_MIN / -1`, or a float-to-int conversion out of range.
    IntegerOverflow = 7,
    /// Integer division or remainder by zero.
    IntegerDivisionByZero = 8,
    /// Float-to-int conversion of NaN.
    BadConversionToInteger = 9,
    /// `unreachable` executed.
    UnreachableCodeReached = 10,
    /// Null reference dereferenced (`call_ref`, `ref.as_non_null`...).
    NullReference = 11,
    /// Atomic wait on a non-shared memory.
    AtomicWaitNonSharedMemory = 12,
    /// A component instance called an import (or a built-in that leaves
    /// it) while `may_leave` was clear: from `realloc` or `post-return`.
    CannotLeaveComponent = 13,
    /// The run's time limit (`-W timeout`) passed: an interruption check
    /// (function entry or loop header) saw the process's interrupt flag.
    Interrupt = 14,
    /// The run's fuel (`-W fuel`) is used up: a fuel check saw the counter
    /// reach zero.
    OutOfFuel = 15,
    /// A fused adapter was called into the component instance that lowered
    /// it (recursive re-entrance, which the component model forbids).
    CannotEnterComponent = 16,
    /// A fused adapter lifted a `char` that is not a Unicode scalar value.
    InvalidChar = 17,
    /// A fused adapter lifted a string whose bytes lie outside memory.
    StringOutOfBounds = 18,
    /// A fused adapter lifted a list whose bytes lie outside memory.
    ListOutOfBounds = 19,
    /// A fused adapter lifted a variant, enum, option or result with a
    /// discriminant past its cases.
    InvalidDiscriminant = 20,
    /// A fused adapter met a pointer not aligned for the value it points to.
    UnalignedPointer = 21,
    /// An async-lifted export's task exited without calling `task.return`
    /// (component-model async; numbers from 32 on are P3's).
    NoAsyncResult = 32,
    /// `backpressure.inc`/`dec` moved an instance's backpressure counter
    /// out of range (Wasmtime words underflow the same way).
    BackpressureOverflow = 33,
    /// An async callback returned a code other than `EXIT`, `YIELD` or
    /// `WAIT`.
    UnsupportedCallbackCode = 34,
    /// A stream or future end started a copy while one was in progress, or
    /// was used as the other end (a read on a writable end).
    ConcurrentCopy = 35,
    /// `task.cancel` by a task that was not cancelled.
    TaskCancelNotCancelled = 36,
    /// A second `task.return` (or `task.cancel`) of one task.
    TaskReturnTwice = 37,
    /// `task.return` whose type or options are not the task's.
    TaskReturnInvalid = 38,
    /// A task of a non-`async` function blocked before returning.
    CannotBlockSyncTask = 39,
    /// `subtask.cancel` after the subtask's terminal status was delivered.
    SubtaskCancelAfterTerminal = 40,
    /// `subtask.drop` of a subtask that has not resolved.
    SubtaskDropUnresolved = 41,
    /// A synchronous operation on a waitable that is in a waitable set.
    WaitableSyncInSet = 42,
    /// A stream read or write of 2^28 elements or more.
    CopyCountTooLarge = 43,
}

impl TrapCode {
    /// All trap codes, for tables and tests.
    pub const ALL: [TrapCode; 33] = [
        TrapCode::StackOverflow,
        TrapCode::MemoryOutOfBounds,
        TrapCode::HeapMisaligned,
        TrapCode::TableOutOfBounds,
        TrapCode::IndirectCallToNull,
        TrapCode::BadSignature,
        TrapCode::IntegerOverflow,
        TrapCode::IntegerDivisionByZero,
        TrapCode::BadConversionToInteger,
        TrapCode::UnreachableCodeReached,
        TrapCode::NullReference,
        TrapCode::AtomicWaitNonSharedMemory,
        TrapCode::CannotLeaveComponent,
        TrapCode::Interrupt,
        TrapCode::OutOfFuel,
        TrapCode::CannotEnterComponent,
        TrapCode::InvalidChar,
        TrapCode::StringOutOfBounds,
        TrapCode::ListOutOfBounds,
        TrapCode::InvalidDiscriminant,
        TrapCode::UnalignedPointer,
        TrapCode::NoAsyncResult,
        TrapCode::BackpressureOverflow,
        TrapCode::UnsupportedCallbackCode,
        TrapCode::ConcurrentCopy,
        TrapCode::TaskCancelNotCancelled,
        TrapCode::TaskReturnTwice,
        TrapCode::TaskReturnInvalid,
        TrapCode::CannotBlockSyncTask,
        TrapCode::SubtaskCancelAfterTerminal,
        TrapCode::SubtaskDropUnresolved,
        TrapCode::WaitableSyncInSet,
        TrapCode::CopyCountTooLarge,
    ];

    /// Decodes a stored code.
    pub fn from_u32(v: u32) -> Option<TrapCode> {
        TrapCode::ALL.iter().copied().find(|c| *c as u32 == v)
    }

    /// The reason words Wasmtime prints after `wasm trap: `.
    pub const fn message(self) -> &'static str {
        match self {
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::HeapMisaligned => "unaligned atomic",
            TrapCode::TableOutOfBounds => "undefined element: out of bounds table access",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::UnreachableCodeReached => "wasm `unreachable` instruction executed",
            TrapCode::NullReference => "null reference",
            TrapCode::AtomicWaitNonSharedMemory => "atomic wait on non-shared memory",
            TrapCode::CannotLeaveComponent => "cannot leave component instance",
            TrapCode::Interrupt => "interrupt",
            TrapCode::OutOfFuel => "all fuel consumed by WebAssembly",
            TrapCode::CannotEnterComponent => "cannot enter component instance",
            TrapCode::InvalidChar => "invalid `char` bit pattern",
            TrapCode::StringOutOfBounds => "string content out-of-bounds",
            TrapCode::ListOutOfBounds => "list content out-of-bounds",
            TrapCode::InvalidDiscriminant => "invalid variant discriminant",
            TrapCode::UnalignedPointer => "unaligned pointer",
            TrapCode::NoAsyncResult => "async-lifted export failed to produce a result",
            TrapCode::BackpressureOverflow => "backpressure counter overflow",
            TrapCode::UnsupportedCallbackCode => "unsupported callback code",
            TrapCode::ConcurrentCopy => {
                "cannot have concurrent operations active on a future/stream"
            }
            TrapCode::TaskCancelNotCancelled => {
                "`task.cancel` called by task which has not been cancelled"
            }
            TrapCode::TaskReturnTwice => {
                "`task.return` or `task.cancel` called more than once for current task"
            }
            TrapCode::TaskReturnInvalid => {
                "invalid `task.return` signature and/or options for current task"
            }
            TrapCode::CannotBlockSyncTask => "cannot block a synchronous task before returning",
            TrapCode::SubtaskCancelAfterTerminal => {
                "`subtask.cancel` called after terminal status delivered"
            }
            TrapCode::SubtaskDropUnresolved => "cannot drop a subtask which has not yet resolved",
            TrapCode::WaitableSyncInSet => {
                "waitable cannot be used synchronously while added to a waitable set"
            }
            TrapCode::CopyCountTooLarge => "stream read/write count too large",
        }
    }
}

/// Exit status of a process whose guest trapped: Wasmtime exits with the
/// status of a `SIGABRT`-killed process on Unix (128 + 6), and with 3 on
/// Windows (what `abort` exits with there).
pub const TRAP_EXIT_STATUS: i32 = if cfg!(windows) { 3 } else { 134 };
