//! The compiler<->runtime contract of Kiln.
//!
//! Phase: none (shared definitions). Inputs: nothing. Outputs: constants,
//! `repr(C)` record types and layout functions used by both `kiln-compiler`
//! (to emit code and data) and the runtime crates (to read and fill them).
//!
//! Invariants:
//! - Every layout fact lives here once. The compiler never takes `size_of` of a
//!   runtime type; it uses [`vmctx::VMOffsets`] and the descriptor records,
//!   which contain only fixed-width fields (`u32`, `u64`) so that their layout
//!   is the same on every 64-bit host and target.
//! - Any change to a layout, a libcall signature, a descriptor field or a
//!   semantic bumps [`ABI_VERSION`]. Emitted objects reference the symbol
//!   [`symbols::abi_version_symbol`] that only the matching runtime defines, so a
//!   mismatch fails at link time; the descriptor repeats magic and version and
//!   the runtime checks them at start-up.
//! - Kiln targets are 64-bit (x86_64, aarch64, riscv64): pointers in emitted
//!   data are 8-byte absolute addresses ([`descriptor::Addr`]).
#![no_std]
#![deny(missing_docs)]

// The component type builder needs `Vec`/`BTreeMap`; both users (the
// compiler and the runtime) link std, so `alloc` costs nothing.
extern crate alloc;

pub mod component;
pub mod cpu;
pub mod debug_symbols;
pub mod descriptor;
pub mod exceptions;
pub mod grants;
pub mod libcalls;
pub mod symbols;
pub mod tables;
pub mod trap;
pub mod vmctx;
pub mod wasi_http;
pub mod wasi_p1;
pub mod wasi_p2;
pub mod wasi_p3;

/// The number of the compiler<->runtime contract, written once: the
/// constant [`ABI_VERSION`] and the name of the runtime's version marker
/// ([`abi_version_symbol!`]) both come from it. Bump on any change.
#[doc(hidden)]
#[macro_export]
macro_rules! abi_version_number {
    () => {
        31
    };
}

/// Version of the compiler<->runtime contract ([`abi_version_number!`]).
pub const ABI_VERSION: u32 = abi_version_number!();

/// The name of the symbol only the runtime of [`ABI_VERSION`] defines
/// (`__kiln_abi_v<N>`), as a literal: the runtime's marker takes it as its
/// `export_name`, which must be one.
#[macro_export]
macro_rules! abi_version_symbol {
    () => {
        concat!("__kiln_abi_v", $crate::abi_version_number!())
    };
}

/// Magic number at the start of [`descriptor::ModuleDescriptor`] ("KILN").
pub const MODULE_MAGIC: u32 = 0x4e4c_494b;

/// Magic number at the start of [`grants::GrantsDescriptor`] ("KGRT").
pub const GRANTS_MAGIC: u32 = 0x5452_474b;

/// Size of one wasm page with the default page size.
pub const WASM_PAGE_SIZE: u64 = 65536;

/// Bytes of virtual address space reserved for each 32-bit linear memory:
/// 4 GiB of addressable memory plus a 4 GiB guard region. Any `i32` address
/// plus any `u32` static offset stays inside the reservation, so compiled
/// loads and stores need no bounds checks: an access past the accessible
/// length faults on a `PROT_NONE` page and becomes a trap.
pub const MEMORY32_RESERVATION: u64 = 8 << 30;

/// Most native stack, in bytes, that wasm code may use before
/// `call stack exhausted`, unless the run says otherwise (`-W
/// max-wasm-stack`, [`grants::LimitsDesc::max_wasm_stack`]); the same
/// default as Wasmtime's `max_wasm_stack`.
pub const MAX_WASM_STACK: u64 = 512 * 1024;

/// Native stack kept free below the wasm stack limit for host calls and the
/// signal handler, so that a host call at the limit cannot overflow.
pub const HOST_STACK_RESERVE: u64 = 256 * 1024;

/// A core wasm value type, as it appears in signatures, globals and the
/// WASI import list.
#[repr(u8)]
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValType {
    /// `i32`
    I32 = 0,
    /// `i64`
    I64 = 1,
    /// `f32`
    F32 = 2,
    /// `f64`
    F64 = 3,
    /// `v128`
    V128 = 4,
    /// `funcref` (a pointer to a [`vmctx::VMFuncRef`], null for `ref.null`)
    FuncRef = 5,
    /// `externref` (an opaque pointer, null for `ref.null`)
    ExternRef = 6,
    /// `exnref` (a pointer to a [`exceptions::VMException`], null for
    /// `ref.null`)
    ExnRef = 7,
}

impl ValType {
    /// Decodes the `repr(u8)` value.
    pub const fn from_u8(v: u8) -> Option<ValType> {
        Some(match v {
            0 => ValType::I32,
            1 => ValType::I64,
            2 => ValType::F32,
            3 => ValType::F64,
            4 => ValType::V128,
            5 => ValType::FuncRef,
            6 => ValType::ExternRef,
            7 => ValType::ExnRef,
            _ => return None,
        })
    }

    /// Whether values of this type are references (pointer-sized).
    pub const fn is_ref(self) -> bool {
        matches!(
            self,
            ValType::FuncRef | ValType::ExternRef | ValType::ExnRef
        )
    }
}

/// One value slot of the array-call convention (see
/// [`descriptor::ExportDesc::array_call`]): 16 bytes, little-endian, the value
/// stored in the low bytes (`i32`/`f32` in bytes 0..4, `i64`/`f64`/references in
/// bytes 0..8, `v128` in all 16).
#[repr(C, align(16))]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct ValRaw(pub [u8; 16]);

/// Size in bytes of one [`ValRaw`] slot.
pub const VAL_RAW_SIZE: u32 = 16;
