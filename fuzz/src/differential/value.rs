//! Engine-neutral values and call outcomes, compared between Kiln and wasmi.
//!
//! Floats are kept as bits (compared bit-exactly: wasm-smith canonicalizes
//! NaNs), references only as null / non-null (the two engines' reference
//! representations are unrelated).

use kiln_abi::trap::TrapCode;

/// A wasm value, engine-neutral.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// `i32`.
    I32(i32),
    /// `i64`.
    I64(i64),
    /// `f32` bits.
    F32(u32),
    /// `f64` bits.
    F64(u64),
    /// `v128`.
    V128(u128),
    /// Any reference.
    Ref {
        /// Whether it is null.
        null: bool,
    },
}

/// What a call (or an instantiation) did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Returned these results.
    Values(Vec<Value>),
    /// Trapped with this wasm trap code.
    Trap(TrapCode),
    /// Failed in a way that has no wasm trap code and is allowed to differ
    /// (wasmi's fuel or resource limits, Kiln failing to map memory):
    /// never compared.
    Other(String),
    /// Failed in a way that is a finding by itself whatever the reference
    /// did (a Kiln trap without a wasm trap code in a module that has no
    /// exceptions): compares unequal to anything else.
    Error(String),
}

impl Outcome {
    /// Outcomes that legitimately differ between engines: stack
    /// exhaustion (each engine has its own limit) and resource limits.
    pub fn is_nondeterministic(&self) -> bool {
        matches!(
            self,
            Outcome::Trap(TrapCode::StackOverflow) | Outcome::Other(_)
        )
    }
}

/// The kind of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExportKind {
    /// A function.
    Func,
    /// A global.
    Global,
    /// A linear memory.
    Memory,
    /// A table.
    Table,
    /// An exception tag (never generated for wasmi, which lacks them).
    Tag,
}

/// The observable state of an exported global, memory or table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// A global's value.
    Global(Value),
    /// A memory's size in bytes and a hash of its contents.
    Memory {
        /// Size in bytes.
        bytes: u64,
        /// FNV-1a of the contents.
        hash: u64,
    },
    /// A table's size and the indices of its non-null entries (a hash of
    /// them, with the count).
    Table {
        /// Number of entries.
        size: u64,
        /// Non-null entries.
        non_null: u64,
        /// FNV-1a over the non-null indices.
        hash: u64,
    },
    /// The export is missing or of another kind.
    Missing,
}

/// FNV-1a, 64-bit: a stable hash (no per-process seed).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// [`State::Table`] from the nullness of each entry.
pub fn table_state(size: u64, is_null: impl Fn(u64) -> bool) -> State {
    let mut h = fnv1a(&[]);
    let mut non_null = 0;
    for i in 0..size {
        if !is_null(i) {
            non_null += 1;
            for b in i.to_le_bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    }
    State::Table {
        size,
        non_null,
        hash: h,
    }
}
