//! Libcalls: the runtime functions compiled code calls
//! (`__kiln_rt_<name>`), defined from `kiln_abi::for_each_libcall!` so the
//! compiler's import signatures and these definitions cannot drift.
//!
//! Phase: while the guest runs. Inputs: the calling instance's `VMContext`
//! (first parameter) and scalar arguments. Outputs: results per the list
//! (old size or -1 for the grow functions; `0` or a non-zero
//! `kiln_abi::trap::TrapCode` for the trapping ones, after which compiled
//! code traps at its own trap site).
//!
//! Semantics follow the spec (bulk memory, reference types): every range is
//! checked completely before anything is written, so a trapping operation
//! changes nothing; a zero-length access exactly at the end is in bounds;
//! dropped segments behave as empty. Memory and table indices, addresses and
//! lengths in `i32` parameters are unsigned (the compiler passes 32-bit
//! addresses zero-extended in the `i64` ones).
//!
//! Every body runs under [`crate::guard::guard`], so a Rust panic (a runtime
//! bug) prints `Error: internal runtime error: ...` instead of unwinding into
//! compiled code.

use crate::instance::{InitError, Instance};
use kiln_abi::trap::TrapCode;

/// The Rust type of a libcall parameter or result type.
macro_rules! abi_ty {
    (ptr) => { *mut u8 };
    (i32) => { i32 };
    (i64) => { i64 };
    (f32) => { f32 };
    (f64) => { f64 };
}

/// Defines each libcall as `extern "C" fn __kiln_rt_<name>` forwarding to
/// `imp::<name>` with the same parameters.
macro_rules! define_libcalls {
    ($( $(#[$attr:meta])* $name:ident( $($p:ident : $t:ident),* ) $(-> $r:ident)? ;)*) => {
        $(
            $(#[$attr])*
            ///
            /// # Safety
            /// Called by compiled code with its own live `VMContext`.
            #[unsafe(export_name = concat!("__kiln_rt_", stringify!($name)))]
            pub unsafe extern "C" fn $name( $($p: abi_ty!($t)),* ) $(-> abi_ty!($r))? {
                // SAFETY: forwarded from the caller.
                crate::guard::guard(|| unsafe { imp::$name($($p),*) })
            }
        )*
    };
}

kiln_abi::for_each_libcall!(define_libcalls);

fn trap_result(r: Result<(), TrapCode>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(code) => code as i32,
    }
}

fn init_result(r: Result<(), InitError>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(InitError::Trap(code)) => code as i32,
        Err(InitError::Corrupt(msg)) => panic!("{msg}"),
    }
}

/// Whether `start..start+len` lies in `0..size`.
fn in_bounds(start: u64, len: u64, size: u64) -> bool {
    start.checked_add(len).is_some_and(|end| end <= size)
}

/// The bodies, as plain functions of the instance.
/// `memory.copy` / `table.copy`: checks both ranges first (spec order: no
/// partial copy), then copies `len` elements; the ranges may overlap, since
/// source and destination can be the same memory or table.
///
/// # Safety
/// `dst.0` and `src.0` must be valid for `dst.1` and `src.1` elements.
unsafe fn bounded_copy<T>(
    dst: (*mut T, u64),
    src: (*mut T, u64),
    (dst_at, src_at, len): (u64, u64, u64),
    trap: TrapCode,
) -> i32 {
    trap_result(
        if in_bounds(dst_at, len, dst.1) && in_bounds(src_at, len, src.1) {
            // SAFETY: both ranges were checked against the live sizes. A raw,
            // overlap-tolerant copy and no slice: the ranges may overlap, and
            // other threads may access a shared memory meanwhile, so no host
            // reference to its bytes may exist.
            unsafe {
                std::ptr::copy(
                    src.0.add(src_at as usize),
                    dst.0.add(dst_at as usize),
                    len as usize,
                )
            };
            Ok(())
        } else {
            Err(trap)
        },
    )
}

mod imp {
    use super::*;
    pub use crate::exceptions::{exn_alloc, throw_ref};

    /// # Safety
    /// `vmctx` is a live instance's context; no other reference to it is in
    /// use (compiled code holds none across a libcall).
    unsafe fn instance<'a>(vmctx: *mut u8) -> &'a mut Instance {
        // SAFETY: guaranteed by the caller.
        unsafe { Instance::from_vmctx(vmctx) }
    }

    fn memory_index(i: i32) -> u32 {
        i as u32
    }

    pub unsafe fn memory_grow(vmctx: *mut u8, memory: i32, delta: i64) -> i64 {
        // SAFETY: forwarded.
        let inst = unsafe { instance(vmctx) };
        match inst.memory_grow(memory_index(memory), delta as u64) {
            Some(old) => old as i64,
            None => -1,
        }
    }

    pub unsafe fn memory_fill(vmctx: *mut u8, memory: i32, dst: i64, val: i32, len: i64) -> i32 {
        // SAFETY: forwarded.
        let inst = unsafe { instance(vmctx) };
        let (base, size) = inst
            .memory_range(memory_index(memory))
            .expect("memory index validated by the compiler");
        let (dst, len) = (dst as u64, len as u64);
        trap_result(if in_bounds(dst, len, size as u64) {
            // SAFETY: the range was checked against the accessible length.
            // Raw writes, never a `&mut [u8]`: other threads may access a
            // shared memory meanwhile (see `Instance::memory_range`).
            unsafe { std::ptr::write_bytes(base.add(dst as usize), val as u8, len as usize) };
            Ok(())
        } else {
            Err(TrapCode::MemoryOutOfBounds)
        })
    }

    pub unsafe fn memory_copy(
        vmctx: *mut u8,
        dst_memory: i32,
        src_memory: i32,
        dst: i64,
        src: i64,
        len: i64,
    ) -> i32 {
        // SAFETY: forwarded.
        let inst = unsafe { instance(vmctx) };
        let def = |i: i32| {
            let (base, size) = inst
                .memory_range(memory_index(i))
                .expect("memory index validated by the compiler");
            (base, size as u64)
        };
        let (dst, src, len) = (dst as u64, src as u64, len as u64);
        let ((dst_base, dst_size), (src_base, src_size)) = (def(dst_memory), def(src_memory));
        trap_result(
            if in_bounds(dst, len, dst_size) && in_bounds(src, len, src_size) {
                // SAFETY: both ranges were checked against the live lengths; no
                // slice is formed (the ranges may overlap, and other threads may
                // access a shared memory meanwhile): `copy_bytes` makes raw
                // accesses only.
                unsafe {
                    crate::memory::copy::copy_bytes(
                        dst_base.add(dst as usize),
                        src_base.add(src as usize),
                        len as usize,
                    )
                };
                Ok(())
            } else {
                Err(TrapCode::MemoryOutOfBounds)
            },
        )
    }

    pub unsafe fn memory_init(
        vmctx: *mut u8,
        memory: i32,
        data: i32,
        dst: i64,
        src: i32,
        len: i32,
    ) -> i32 {
        // SAFETY: forwarded.
        let inst = unsafe { instance(vmctx) };
        init_result(inst.memory_init(
            memory_index(memory),
            data as u32,
            dst as u64,
            src as u32 as u64,
            len as u32 as u64,
        ))
    }

    pub unsafe fn data_drop(vmctx: *mut u8, data: i32) {
        // SAFETY: forwarded.
        unsafe { instance(vmctx) }.drop_data(data as u32);
    }

    // The 32-bit table libcalls zero-extend their operands and share the
    // table64 bodies.

    pub unsafe fn table_grow(vmctx: *mut u8, table: i32, delta: i32, init: *mut u8) -> i32 {
        // SAFETY: forwarded. -1 and every 32-bit table size survive the
        // truncation (32-bit tables stay below 2^32 elements).
        unsafe { table_grow64(vmctx, table, delta as u32 as i64, init) as i32 }
    }

    pub unsafe fn table_fill(vmctx: *mut u8, table: i32, dst: i32, val: *mut u8, len: i32) -> i32 {
        // SAFETY: forwarded.
        unsafe { table_fill64(vmctx, table, dst as u32 as i64, val, len as u32 as i64) }
    }

    pub unsafe fn table_copy(
        vmctx: *mut u8,
        dst_table: i32,
        src_table: i32,
        dst: i32,
        src: i32,
        len: i32,
    ) -> i32 {
        let wide = |v: i32| v as u32 as i64;
        // SAFETY: forwarded.
        unsafe { table_copy64(vmctx, dst_table, src_table, wide(dst), wide(src), wide(len)) }
    }

    pub unsafe fn table_init(
        vmctx: *mut u8,
        table: i32,
        elem: i32,
        dst: i32,
        src: i32,
        len: i32,
    ) -> i32 {
        // SAFETY: forwarded.
        unsafe { table_init64(vmctx, table, elem, dst as u32 as i64, src, len) }
    }

    pub unsafe fn table_grow64(vmctx: *mut u8, table: i32, delta: i64, init: *mut u8) -> i64 {
        // SAFETY: forwarded.
        let inst = unsafe { instance(vmctx) };
        match inst.table_grow(table as u32, delta as u64, init) {
            Some(old) => old as i64,
            None => -1,
        }
    }

    pub unsafe fn table_fill64(
        vmctx: *mut u8,
        table: i32,
        dst: i64,
        val: *mut u8,
        len: i64,
    ) -> i32 {
        // SAFETY: forwarded.
        let inst = unsafe { instance(vmctx) };
        let t = inst
            .table(table as u32)
            .expect("table index validated by the compiler");
        let (dst, len) = (dst as u64, len as u64);
        trap_result(if in_bounds(dst, len, t.len()) {
            t.elements_mut()[dst as usize..(dst + len) as usize].fill(val);
            Ok(())
        } else {
            Err(TrapCode::TableOutOfBounds)
        })
    }

    pub unsafe fn table_copy64(
        vmctx: *mut u8,
        dst_table: i32,
        src_table: i32,
        dst: i64,
        src: i64,
        len: i64,
    ) -> i32 {
        // SAFETY: forwarded.
        let inst = unsafe { instance(vmctx) };
        let (dst, src, len) = (dst as u64, src as u64, len as u64);
        let mut table = |i: i32| {
            let t = inst
                .table(i as u32)
                .expect("table index validated by the compiler");
            (t.base(), t.len())
        };
        let (dst_def, src_def) = (table(dst_table), table(src_table));
        // SAFETY: the bases and lengths describe live tables.
        unsafe {
            bounded_copy(
                dst_def,
                src_def,
                (dst, src, len),
                TrapCode::TableOutOfBounds,
            )
        }
    }

    pub unsafe fn table_init64(
        vmctx: *mut u8,
        table: i32,
        elem: i32,
        dst: i64,
        src: i32,
        len: i32,
    ) -> i32 {
        // SAFETY: forwarded.
        let inst = unsafe { instance(vmctx) };
        init_result(inst.table_init(
            table as u32,
            elem as u32,
            dst as u64,
            src as u32 as u64,
            len as u32 as u64,
        ))
    }

    pub unsafe fn memory_atomic_wait32(
        _vmctx: *mut u8,
        addr: *mut u8,
        expected: i32,
        timeout: i64,
    ) -> i32 {
        // A blocked wait counts as a host call for `-W timeout`.
        let _host = crate::limits::enter_host_call();
        // SAFETY: the compiler checked alignment, bounds and sharedness.
        unsafe { crate::wait::wait32(addr, expected, timeout) }
    }

    pub unsafe fn memory_atomic_wait64(
        _vmctx: *mut u8,
        addr: *mut u8,
        expected: i64,
        timeout: i64,
    ) -> i32 {
        let _host = crate::limits::enter_host_call();
        // SAFETY: as for `memory_atomic_wait32`.
        unsafe { crate::wait::wait64(addr, expected, timeout) }
    }

    pub unsafe fn memory_atomic_notify(_vmctx: *mut u8, addr: *mut u8, count: i32) -> i32 {
        crate::wait::notify(addr, count as u32) as i32
    }

    /// `mul_add` is correctly rounded everywhere (libm's `fma` in software
    /// when the CPU lacks the instruction), which relaxed SIMD's
    /// deterministic `relaxed_madd` needs.
    pub unsafe fn fma_f32(_vmctx: *mut u8, a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }

    pub unsafe fn fma_f64(_vmctx: *mut u8, a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }

    pub unsafe fn elem_drop(vmctx: *mut u8, elem: i32) {
        // SAFETY: forwarded.
        unsafe { instance(vmctx) }.drop_elem(elem as u32);
    }
}
