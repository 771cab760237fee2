//! The libcall list: runtime functions that compiled code calls for work
//! that is not worth inlining (memory growth, bulk memory and table ops).
//!
//! [`for_each_libcall!`](crate::for_each_libcall) is the single list. The
//! compiler generates its import signatures from it; the runtime defines each
//! as `extern "C" fn __kiln_rt_<name>` through a macro driven by the same list,
//! so the two cannot drift.
//!
//! Conventions: the platform C calling convention; `vmctx` (the calling
//! instance's `VMContext`) comes first; parameter types are `ptr`, `i32`,
//! `i64`, `f32` or `f64`. Memory, table, data and element indices are in the calling
//! module's index spaces. A libcall whose result is named `trap` returns `0`
//! on success or a non-zero [`crate::trap::TrapCode`], and compiled code traps
//! with that libcall's fixed code ([`trap_code_of`]).

/// Invokes `$mac!` with the list of libcalls, one per line, as
/// `name(param: type, ...) -> result_type;` or `name(param: type, ...);`.
#[macro_export]
macro_rules! for_each_libcall {
    ($mac:ident) => {
        $mac! {
            /// `memory.grow`: returns the old size in pages, or -1.
            memory_grow(vmctx: ptr, memory: i32, delta: i64) -> i64;
            /// `memory.fill`: trap code or 0.
            memory_fill(vmctx: ptr, memory: i32, dst: i64, val: i32, len: i64) -> i32;
            /// `memory.copy`: trap code or 0.
            memory_copy(vmctx: ptr, dst_memory: i32, src_memory: i32, dst: i64, src: i64, len: i64) -> i32;
            /// `memory.init`: trap code or 0.
            memory_init(vmctx: ptr, memory: i32, data: i32, dst: i64, src: i32, len: i32) -> i32;
            /// `data.drop`.
            data_drop(vmctx: ptr, data: i32);
            /// `table.grow`: returns the old size, or -1.
            table_grow(vmctx: ptr, table: i32, delta: i32, init: ptr) -> i32;
            /// `table.fill`: trap code or 0.
            table_fill(vmctx: ptr, table: i32, dst: i32, val: ptr, len: i32) -> i32;
            /// `table.copy`: trap code or 0.
            table_copy(vmctx: ptr, dst_table: i32, src_table: i32, dst: i32, src: i32, len: i32) -> i32;
            /// `table.init`: trap code or 0.
            table_init(vmctx: ptr, table: i32, elem: i32, dst: i32, src: i32, len: i32) -> i32;
            /// `elem.drop`.
            elem_drop(vmctx: ptr, elem: i32);
            /// `table.grow` of a table64 (memory64 proposal): returns the
            /// old size, or -1.
            table_grow64(vmctx: ptr, table: i32, delta: i64, init: ptr) -> i64;
            /// `table.fill` of a table64: trap code or 0.
            table_fill64(vmctx: ptr, table: i32, dst: i64, val: ptr, len: i64) -> i32;
            /// `table.copy` where either table is a table64 (32-bit
            /// operands zero-extended): trap code or 0.
            table_copy64(vmctx: ptr, dst_table: i32, src_table: i32, dst: i64, src: i64, len: i64) -> i32;
            /// `table.init` into a table64: trap code or 0.
            table_init64(vmctx: ptr, table: i32, elem: i32, dst: i64, src: i32, len: i32) -> i32;
            /// `throw`, first half: a new exception object of `tag` (the
            /// tag's `VMTag` address) with room for `num_values` values,
            /// which compiled code then stores (see `crate::exceptions`).
            exn_alloc(vmctx: ptr, tag: ptr, num_values: i32) -> ptr;
            /// `throw` / `throw_ref` of a non-null exception that no
            /// `try_table` of the throwing function caught: unwinds to the
            /// innermost matching handler of the callers of the frame whose
            /// frame pointer is `fp` (the thrower's), or ends the guest with
            /// an uncaught exception. Never returns.
            throw_ref(vmctx: ptr, exn: ptr, fp: ptr);
            /// `memory.atomic.wait32` on a shared memory, `addr` being the
            /// native address of the (checked, aligned) cell: 0 woken,
            /// 1 value not `expected`, 2 timed out (`timeout` in ns, < 0 =
            /// forever).
            memory_atomic_wait32(vmctx: ptr, addr: ptr, expected: i32, timeout: i64) -> i32;
            /// `memory.atomic.wait64`, as `memory_atomic_wait32`.
            memory_atomic_wait64(vmctx: ptr, addr: ptr, expected: i64, timeout: i64) -> i32;
            /// `memory.atomic.notify` on a shared memory: wakes up to
            /// `count` (unsigned) waiters on the native address `addr`;
            /// returns how many were woken.
            memory_atomic_notify(vmctx: ptr, addr: ptr, count: i32) -> i32;
            /// `a * b + c` with one rounding (IEEE 754 fusedMultiplyAdd), for
            /// `f32x4.relaxed_madd/nmadd` on CPUs without FMA instructions.
            fma_f32(vmctx: ptr, a: f32, b: f32, c: f32) -> f32;
            /// `fma_f32` for `f64x2`.
            fma_f64(vmctx: ptr, a: f64, b: f64, c: f64) -> f64;
        }
    };
}

/// The trap a trapping libcall's non-zero result stands for.
pub fn trap_code_of(libcall: &str) -> Option<crate::trap::TrapCode> {
    use crate::trap::TrapCode;
    match libcall {
        "memory_fill" | "memory_copy" | "memory_init" => Some(TrapCode::MemoryOutOfBounds),
        "table_fill" | "table_copy" | "table_init" | "table_fill64" | "table_copy64"
        | "table_init64" => Some(TrapCode::TableOutOfBounds),
        _ => None,
    }
}

/// A libcall's signature as data, for the compiler.
#[derive(Copy, Clone, Debug)]
pub struct LibcallSig {
    /// Name without the symbol prefix.
    pub name: &'static str,
    /// Parameter types (`vmctx` first).
    pub params: &'static [AbiType],
    /// Result type, if any.
    pub result: Option<AbiType>,
}

/// A scalar type of the libcall and host-call conventions.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AbiType {
    /// Pointer-sized.
    Ptr,
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
}

#[doc(hidden)]
#[macro_export]
macro_rules! __abi_type {
    (ptr) => {
        $crate::libcalls::AbiType::Ptr
    };
    (i32) => {
        $crate::libcalls::AbiType::I32
    };
    (i64) => {
        $crate::libcalls::AbiType::I64
    };
    (f32) => {
        $crate::libcalls::AbiType::F32
    };
    (f64) => {
        $crate::libcalls::AbiType::F64
    };
}

macro_rules! libcall_table {
    ($( $(#[$attr:meta])* $name:ident( $($p:ident : $t:ident),* ) $(-> $r:ident)? ;)*) => {
        /// Every libcall, in list order.
        pub const LIBCALLS: &[LibcallSig] = &[
            $(LibcallSig {
                name: stringify!($name),
                params: &[$($crate::__abi_type!($t)),*],
                result: { #[allow(unused_mut, unused_assignments, reason = "macro-generated optional result")] let mut r = None; $(r = Some($crate::__abi_type!($r));)? r },
            },)*
        ];
    };
}
for_each_libcall!(libcall_table);

/// Looks up a libcall by name.
pub fn libcall(name: &str) -> Option<&'static LibcallSig> {
    LIBCALLS.iter().find(|l| l.name == name)
}
