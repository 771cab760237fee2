//! Reference semantics and edge-case inputs for the numeric machine-code
//! tests (test-only).
//!
//! Every reference is written from the wasm spec (numerics chapter), not from
//! Rust's float library where the two differ: `f32::min` returns the non-NaN
//! operand and may return either zero, wasm `min` returns NaN and orders
//! `-0 < +0`. NaN results are checked as the spec allows: any NaN, which
//! must be canonical when every NaN input is canonical (also when there is
//! no NaN input, e.g. `0/0`) and arithmetic (quiet bit set) otherwise.

mod sequences;

use cranelift_codegen::ir;
use kiln_abi::trap::TrapCode;
use wasmparser::Operator;

pub(crate) use sequences::sequence_tests;

/// A wasm value type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Ty {
    I32,
    I64,
    F32,
    F64,
}

impl Ty {
    pub(super) fn clif(self) -> ir::Type {
        match self {
            Ty::I32 => ir::types::I32,
            Ty::I64 => ir::types::I64,
            Ty::F32 => ir::types::F32,
            Ty::F64 => ir::types::F64,
        }
    }

    /// The bits of a `u64` that hold a value of this type.
    pub(super) fn mask(self) -> u64 {
        match self {
            Ty::I32 | Ty::F32 => u32::MAX.into(),
            Ty::I64 | Ty::F64 => u64::MAX,
        }
    }

    /// `v` with garbage in the bits the type does not use.
    pub(super) fn dirty(self, v: u64) -> u64 {
        match self {
            Ty::I32 | Ty::F32 => v | 0xdead_beef_0000_0000,
            Ty::I64 | Ty::F64 => v,
        }
    }

    fn sign_bit(self) -> u64 {
        match self {
            Ty::F32 => 1 << 31,
            _ => 1 << 63,
        }
    }

    fn exponent_mask(self) -> u64 {
        match self {
            Ty::F32 => 0x7f80_0000,
            _ => 0x7ff0_0000_0000_0000,
        }
    }

    fn quiet_bit(self) -> u64 {
        match self {
            Ty::F32 => 1 << 22,
            _ => 1 << 51,
        }
    }

    fn is_nan(self, bits: u64) -> bool {
        let magnitude = bits & self.mask() & !self.sign_bit();
        magnitude > self.exponent_mask()
    }

    fn is_canonical_nan(self, bits: u64) -> bool {
        bits & self.mask() & !self.sign_bit() == self.exponent_mask() | self.quiet_bit()
    }

    /// Is `bits` (as returned, zero-extended) an allowed NaN result?
    pub(super) fn is_nan_ok(self, bits: u64, canonical: bool) -> bool {
        if bits & !self.mask() != 0 || !self.is_nan(bits) {
            return false;
        }
        if canonical {
            self.is_canonical_nan(bits)
        } else {
            bits & self.quiet_bit() != 0
        }
    }

    /// Edge-case inputs (zero-extended bits).
    pub(super) fn values(self) -> &'static [u64] {
        match self {
            Ty::I32 => I32_VALUES,
            Ty::I64 => I64_VALUES,
            Ty::F32 => F32_VALUES,
            Ty::F64 => F64_VALUES,
        }
    }

    /// The few inputs also tried as constants (compiled once each).
    pub(super) fn const_values(self) -> &'static [u64] {
        let v = self.values();
        &v[..v.len().min(CONST_PREFIX)]
    }
}

/// How many leading entries of each value list are also tried as constants.
const CONST_PREFIX: usize = 12;

// Each list starts with its most interesting values (the constant subset).
const I32_VALUES: &[u64] = &[
    0,
    0x8000_0000, // MIN
    0x7fff_ffff, // MAX
    0xffff_ffff, // -1
    1,
    32,
    33,
    0x8000_0001,
    0xffff_fffe,
    7,
    31,
    0xdead_beef,
    2,
    3,
    8,
    63,
    64,
    0x7f,
    0x80,
    0xff,
    0x8000,
    0xffff,
    0xffff_ff80,
    0x1234_5678,
    0x0100_0001, // 2^24 + 1: not exact in f32
    0x7fff_ffc0, // f32 rounding tie
    0xffff_ff7f,
];

const I64_VALUES: &[u64] = &[
    0,
    0x8000_0000_0000_0000, // MIN
    0x7fff_ffff_ffff_ffff, // MAX
    0xffff_ffff_ffff_ffff, // -1
    1,
    64,
    65,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0x8000_0080_0000_0001, // u64 -> f32: needs the sticky bit to round up
    0xffff_ffff_ffff_fc00, // u64 -> f64: tie, rounds to 2^64
    2,
    3,
    7,
    31,
    32,
    33,
    63,
    127,
    0x80,
    0xff,
    0xffff,
    0x7fff_ffff,
    0x1_0000_0001,
    0x0020_0000_0000_0001, // 2^53 + 1
    0x0020_0000_0000_0003,
    0x1234_5678_9abc_def0,
    0xfedc_ba98_7654_3210,
    0x8000_0000_0000_0001,
    0x8000_0000_0000_0400, // u64 -> f64 tie to even (down)
    0x8000_0000_0000_0401,
    0x8000_0000_0000_0c00, // u64 -> f64 tie to even (up)
    0x7fff_ffff_ffff_fe00,
    0x7fff_ff80_0000_0000, // f32 tie
    0xffff_ffff_ffff_fffe,
    0xffff_ffff_8000_0000,
    0xffff_ff7f_ffff_ffff,
    0x0000_0000_ffff_ff7f,
];

const F32_VALUES: &[u64] = &[
    0x0000_0000, // +0
    0x8000_0000, // -0
    0x7fc0_0000, // canonical NaN
    0x7fc0_0001, // quiet NaN with payload
    0x7f80_0001, // signalling NaN
    0x7f80_0000, // +inf
    0xff80_0000, // -inf
    0x3f80_0000, // 1
    0xbf80_0000, // -1
    0x0000_0001, // smallest subnormal
    0x3fc0_0000, // 1.5
    0x4f00_0000, // 2^31
    0xffc0_0000, // negative canonical NaN
    0xc020_0000, // -2.5
    0x3f00_0000, // 0.5
    0xbf00_0000, // -0.5
    0xbfc0_0000, // -1.5
    0x4020_0000, // 2.5
    0x4060_0000, // 3.5
    0x3eff_ffff, // 0.49999997
    0xbeff_ffff,
    0x4aff_ffff, // 8388607.5
    0x4b00_0000, // 2^23
    0xcaff_ffff,
    0xffc0_0001,
    0x7fa0_0000, // signalling NaN
    0x7fff_ffff,
    0xff80_0001,
    0x8000_0001,
    0x007f_ffff, // largest subnormal
    0x807f_ffff,
    0x0080_0000, // smallest normal
    0x7f7f_ffff, // MAX
    0xff7f_ffff, // -MAX
    0x4eff_ffff, // largest below 2^31
    0xcf00_0000, // -2^31
    0xcf00_0001, // next below -2^31
    0x4f80_0000, // 2^32
    0x4f7f_ffff, // largest below 2^32
    0x5f00_0000, // 2^63 (= 9223372036854775807 as f32)
    0x5eff_ffff,
    0xdf00_0000, // -2^63
    0xdf00_0001,
    0x5f80_0000, // 2^64
    0x5f7f_ffff,
    0xbf66_6666, // -0.9
    0x4049_0fdb, // pi
    0x2edb_e6ff, // 1e-10
];

const F64_VALUES: &[u64] = &[
    0x0000_0000_0000_0000, // +0
    0x8000_0000_0000_0000, // -0
    0x7ff8_0000_0000_0000, // canonical NaN
    0x7ff8_0000_0000_0001, // quiet NaN with payload
    0x7ff0_0000_0000_0001, // signalling NaN
    0x7ff0_0000_0000_0000, // +inf
    0xfff0_0000_0000_0000, // -inf
    0x3ff0_0000_0000_0000, // 1
    0xbff0_0000_0000_0000, // -1
    0x0000_0000_0000_0001, // smallest subnormal
    0x3ff8_0000_0000_0000, // 1.5
    0x43e0_0000_0000_0000, // 2^63 (= 9223372036854775807 as f64)
    0xfff8_0000_0000_0000, // negative canonical NaN
    0x41df_ffff_ffe0_0000, // 2147483647.5
    0xc1e0_0000_001c_cccd, // -2147483648.9
    0x3fe0_0000_0000_0000, // 0.5
    0xbfe0_0000_0000_0000, // -0.5
    0xbff8_0000_0000_0000, // -1.5
    0x4004_0000_0000_0000, // 2.5
    0xc004_0000_0000_0000, // -2.5
    0x3fdf_ffff_ffff_ffff, // 0.49999999999999994
    0x432f_ffff_ffff_ffff, // 4503599627370495.5
    0x4330_0000_0000_0000, // 2^52
    0xc32f_ffff_ffff_ffff,
    0x7ff4_0000_0000_0000, // signalling NaN
    0xfff0_0000_0000_0001,
    0x7fff_ffff_ffff_ffff,
    0x7ff8_0000_2000_0000, // NaN whose payload survives demotion
    0x8000_0000_0000_0001,
    0x000f_ffff_ffff_ffff, // largest subnormal
    0x0010_0000_0000_0000, // smallest normal
    0x7fef_ffff_ffff_ffff, // MAX
    0xffef_ffff_ffff_ffff, // -MAX
    0x41df_ffff_ffc0_0000, // 2147483647
    0x41e0_0000_0000_0000, // 2^31
    0xc1e0_0000_0000_0000, // -2^31
    0xc1e0_0000_0020_0000, // -2^31 - 1
    0x41ef_ffff_ffe0_0000, // 2^32 - 1
    0x41ef_ffff_fffc_cccd, // 4294967295.9
    0x41f0_0000_0000_0000, // 2^32
    0xbfec_cccc_cccc_cccd, // -0.9
    0xbfef_ffeb_0742_3d48, // -0.99999
    0x43df_ffff_ffff_ffff, // largest below 2^63
    0xc3e0_0000_0000_0000, // -2^63
    0xc3e0_0000_0000_0001, // next below -2^63
    0x43f0_0000_0000_0000, // 2^64
    0x43ef_ffff_ffff_ffff, // largest below 2^64
    0x47ef_ffff_e000_0000, // f32::MAX
    0x47ef_ffff_f000_0000, // f32::MAX + half ulp: demotes to inf
    0x47ef_ffff_efff_ffff, // just below: demotes to f32::MAX
    0x36a0_0000_0000_0000, // smallest f32 subnormal
    0x3690_0000_0000_0000, // half of it: demotes to 0 (tie to even)
    0x3690_0000_0000_0001, // demotes to the smallest subnormal
    0x7e37_e43c_8800_759c, // 1e300
    0x01a5_6e1f_c2f8_f359, // 1e-300
];

/// What an operator must do.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Expect {
    /// Return exactly these (zero-extended) bits.
    Bits(u64),
    /// Return a NaN of the result type: canonical, or else arithmetic.
    Nan { canonical: bool },
    /// Trap with this code.
    Trap(TrapCode),
}

/// An operator (or a short sequence, to catch wrong rewrites across
/// operators) and its reference.
pub(super) struct OpTest {
    pub(super) ops: Vec<Operator<'static>>,
    pub(super) params: &'static [Ty],
    pub(super) result: Ty,
    /// Inputs as zero-extended bits (unused operand: 0).
    pub(super) reference: fn(u64, u64) -> Expect,
}

impl OpTest {
    pub(super) fn param_ty(&self, i: usize) -> Option<Ty> {
        self.params.get(i).copied()
    }

    fn param_mask(&self, i: usize) -> u64 {
        self.param_ty(i).map_or(0, Ty::mask)
    }

    /// The reference outcome for operands `a`, `b` (possibly dirty).
    pub(super) fn expect(&self, a: u64, b: u64) -> Expect {
        (self.reference)(a & self.param_mask(0), b & self.param_mask(1))
    }

    /// Every input (pair) to run.
    pub(super) fn cases(&self) -> Vec<(u64, u64)> {
        self.pairs(Ty::values)
    }

    /// The inputs (pairs) to also try as constants: all of them for unary
    /// operators, a subset for binary ones (one compile per case).
    pub(super) fn const_cases(&self) -> Vec<(u64, u64)> {
        if self.params.len() < 2 {
            self.cases()
        } else {
            self.pairs(Ty::const_values)
        }
    }

    fn pairs(&self, values: fn(Ty) -> &'static [u64]) -> Vec<(u64, u64)> {
        let Some(lhs) = self.param_ty(0).map(values) else {
            return vec![(0, 0)];
        };
        match self.param_ty(1) {
            None => lhs.iter().map(|&a| (a, 0)).collect(),
            Some(ty) => lhs
                .iter()
                .flat_map(|&a| values(ty).iter().map(move |&b| (a, b)))
                .collect(),
        }
    }
}

fn t(
    op: Operator<'static>,
    params: &'static [Ty],
    result: Ty,
    reference: fn(u64, u64) -> Expect,
) -> OpTest {
    OpTest {
        ops: vec![op],
        params,
        result,
        reference,
    }
}

const I32_1: &[Ty] = &[Ty::I32];
const I32_2: &[Ty] = &[Ty::I32, Ty::I32];
const I64_1: &[Ty] = &[Ty::I64];
const I64_2: &[Ty] = &[Ty::I64, Ty::I64];
const F32_1: &[Ty] = &[Ty::F32];
const F32_2: &[Ty] = &[Ty::F32, Ty::F32];
const F64_1: &[Ty] = &[Ty::F64];
const F64_2: &[Ty] = &[Ty::F64, Ty::F64];

fn bits32(v: u32) -> Expect {
    Expect::Bits(v.into())
}

fn bits64(v: u64) -> Expect {
    Expect::Bits(v)
}

fn boolean(v: bool) -> Expect {
    Expect::Bits(v.into())
}

fn s32(v: u64) -> i32 {
    v as u32 as i32
}

fn u32_(v: u64) -> u32 {
    v as u32
}

fn s64(v: u64) -> i64 {
    v as i64
}

const DIV_BY_ZERO: Expect = Expect::Trap(TrapCode::IntegerDivisionByZero);
const OVERFLOW: Expect = Expect::Trap(TrapCode::IntegerOverflow);
const BAD_CONVERSION: Expect = Expect::Trap(TrapCode::BadConversionToInteger);

/// i32 and i64 operators.
pub(super) fn integer_tests() -> Vec<OpTest> {
    use Operator as O;
    vec![
        t(O::I32Const { value: -2 }, &[], Ty::I32, |_, _| {
            bits32(0xffff_fffe)
        }),
        t(O::I64Const { value: i64::MIN }, &[], Ty::I64, |_, _| {
            bits64(1 << 63)
        }),
        t(O::I32Eqz, I32_1, Ty::I32, |a, _| boolean(u32_(a) == 0)),
        t(O::I32Eq, I32_2, Ty::I32, |a, b| boolean(u32_(a) == u32_(b))),
        t(O::I32Ne, I32_2, Ty::I32, |a, b| boolean(u32_(a) != u32_(b))),
        t(O::I32LtS, I32_2, Ty::I32, |a, b| boolean(s32(a) < s32(b))),
        t(O::I32LtU, I32_2, Ty::I32, |a, b| boolean(u32_(a) < u32_(b))),
        t(O::I32GtS, I32_2, Ty::I32, |a, b| boolean(s32(a) > s32(b))),
        t(O::I32GtU, I32_2, Ty::I32, |a, b| boolean(u32_(a) > u32_(b))),
        t(O::I32LeS, I32_2, Ty::I32, |a, b| boolean(s32(a) <= s32(b))),
        t(O::I32LeU, I32_2, Ty::I32, |a, b| {
            boolean(u32_(a) <= u32_(b))
        }),
        t(O::I32GeS, I32_2, Ty::I32, |a, b| boolean(s32(a) >= s32(b))),
        t(O::I32GeU, I32_2, Ty::I32, |a, b| {
            boolean(u32_(a) >= u32_(b))
        }),
        t(O::I32Clz, I32_1, Ty::I32, |a, _| {
            bits32(u32_(a).leading_zeros())
        }),
        t(O::I32Ctz, I32_1, Ty::I32, |a, _| {
            bits32(u32_(a).trailing_zeros())
        }),
        t(O::I32Popcnt, I32_1, Ty::I32, |a, _| {
            bits32(u32_(a).count_ones())
        }),
        t(O::I32Add, I32_2, Ty::I32, |a, b| {
            bits32(u32_(a).wrapping_add(u32_(b)))
        }),
        t(O::I32Sub, I32_2, Ty::I32, |a, b| {
            bits32(u32_(a).wrapping_sub(u32_(b)))
        }),
        t(O::I32Mul, I32_2, Ty::I32, |a, b| {
            bits32(u32_(a).wrapping_mul(u32_(b)))
        }),
        t(O::I32DivS, I32_2, Ty::I32, |a, b| match (s32(a), s32(b)) {
            (_, 0) => DIV_BY_ZERO,
            (i32::MIN, -1) => OVERFLOW,
            (a, b) => bits32((a / b) as u32),
        }),
        t(O::I32DivU, I32_2, Ty::I32, |a, b| {
            match (u32_(a), u32_(b)) {
                (_, 0) => DIV_BY_ZERO,
                (a, b) => bits32(a / b),
            }
        }),
        t(O::I32RemS, I32_2, Ty::I32, |a, b| match (s32(a), s32(b)) {
            (_, 0) => DIV_BY_ZERO,
            (a, b) => bits32(a.wrapping_rem(b) as u32),
        }),
        t(O::I32RemU, I32_2, Ty::I32, |a, b| {
            match (u32_(a), u32_(b)) {
                (_, 0) => DIV_BY_ZERO,
                (a, b) => bits32(a % b),
            }
        }),
        t(O::I32And, I32_2, Ty::I32, |a, b| bits32(u32_(a) & u32_(b))),
        t(O::I32Or, I32_2, Ty::I32, |a, b| bits32(u32_(a) | u32_(b))),
        t(O::I32Xor, I32_2, Ty::I32, |a, b| bits32(u32_(a) ^ u32_(b))),
        t(O::I32Shl, I32_2, Ty::I32, |a, b| {
            bits32(u32_(a) << (b % 32))
        }),
        t(O::I32ShrS, I32_2, Ty::I32, |a, b| {
            bits32((s32(a) >> (b % 32)) as u32)
        }),
        t(O::I32ShrU, I32_2, Ty::I32, |a, b| {
            bits32(u32_(a) >> (b % 32))
        }),
        t(O::I32Rotl, I32_2, Ty::I32, |a, b| {
            bits32(u32_(a).rotate_left(u32_(b) % 32))
        }),
        t(O::I32Rotr, I32_2, Ty::I32, |a, b| {
            bits32(u32_(a).rotate_right(u32_(b) % 32))
        }),
        t(O::I64Eqz, I64_1, Ty::I32, |a, _| boolean(a == 0)),
        t(O::I64Eq, I64_2, Ty::I32, |a, b| boolean(a == b)),
        t(O::I64Ne, I64_2, Ty::I32, |a, b| boolean(a != b)),
        t(O::I64LtS, I64_2, Ty::I32, |a, b| boolean(s64(a) < s64(b))),
        t(O::I64LtU, I64_2, Ty::I32, |a, b| boolean(a < b)),
        t(O::I64GtS, I64_2, Ty::I32, |a, b| boolean(s64(a) > s64(b))),
        t(O::I64GtU, I64_2, Ty::I32, |a, b| boolean(a > b)),
        t(O::I64LeS, I64_2, Ty::I32, |a, b| boolean(s64(a) <= s64(b))),
        t(O::I64LeU, I64_2, Ty::I32, |a, b| boolean(a <= b)),
        t(O::I64GeS, I64_2, Ty::I32, |a, b| boolean(s64(a) >= s64(b))),
        t(O::I64GeU, I64_2, Ty::I32, |a, b| boolean(a >= b)),
        t(O::I64Clz, I64_1, Ty::I64, |a, _| {
            bits64(a.leading_zeros().into())
        }),
        t(O::I64Ctz, I64_1, Ty::I64, |a, _| {
            bits64(a.trailing_zeros().into())
        }),
        t(O::I64Popcnt, I64_1, Ty::I64, |a, _| {
            bits64(a.count_ones().into())
        }),
        t(O::I64Add, I64_2, Ty::I64, |a, b| bits64(a.wrapping_add(b))),
        t(O::I64Sub, I64_2, Ty::I64, |a, b| bits64(a.wrapping_sub(b))),
        t(O::I64Mul, I64_2, Ty::I64, |a, b| bits64(a.wrapping_mul(b))),
        t(O::I64DivS, I64_2, Ty::I64, |a, b| match (s64(a), s64(b)) {
            (_, 0) => DIV_BY_ZERO,
            (i64::MIN, -1) => OVERFLOW,
            (a, b) => bits64((a / b) as u64),
        }),
        t(O::I64DivU, I64_2, Ty::I64, |a, b| match b {
            0 => DIV_BY_ZERO,
            b => bits64(a / b),
        }),
        t(O::I64RemS, I64_2, Ty::I64, |a, b| match (s64(a), s64(b)) {
            (_, 0) => DIV_BY_ZERO,
            (a, b) => bits64(a.wrapping_rem(b) as u64),
        }),
        t(O::I64RemU, I64_2, Ty::I64, |a, b| match b {
            0 => DIV_BY_ZERO,
            b => bits64(a % b),
        }),
        t(O::I64And, I64_2, Ty::I64, |a, b| bits64(a & b)),
        t(O::I64Or, I64_2, Ty::I64, |a, b| bits64(a | b)),
        t(O::I64Xor, I64_2, Ty::I64, |a, b| bits64(a ^ b)),
        t(O::I64Shl, I64_2, Ty::I64, |a, b| bits64(a << (b % 64))),
        t(O::I64ShrS, I64_2, Ty::I64, |a, b| {
            bits64((s64(a) >> (b % 64)) as u64)
        }),
        t(O::I64ShrU, I64_2, Ty::I64, |a, b| bits64(a >> (b % 64))),
        t(O::I64Rotl, I64_2, Ty::I64, |a, b| {
            bits64(a.rotate_left((b % 64) as u32))
        }),
        t(O::I64Rotr, I64_2, Ty::I64, |a, b| {
            bits64(a.rotate_right((b % 64) as u32))
        }),
    ]
}

/// A float type's bits-level view, for generic references.
trait Float: Copy + PartialOrd + std::fmt::Debug {
    const TY: Ty;
    fn from_bits(bits: u64) -> Self;
    fn bits(self) -> u64;
    fn is_nan(self) -> bool;
}

impl Float for f32 {
    const TY: Ty = Ty::F32;
    fn from_bits(bits: u64) -> Self {
        f32::from_bits(bits as u32)
    }
    fn bits(self) -> u64 {
        self.to_bits().into()
    }
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
}

impl Float for f64 {
    const TY: Ty = Ty::F64;
    fn from_bits(bits: u64) -> Self {
        f64::from_bits(bits)
    }
    fn bits(self) -> u64 {
        self.to_bits()
    }
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
}

/// The NaN a float operator on NaN-producing `inputs` (of type `ty`) must
/// return: canonical iff every NaN input is canonical.
fn nan_from(ty: Ty, inputs: &[u64]) -> Expect {
    Expect::Nan {
        canonical: inputs
            .iter()
            .filter(|&&x| ty.is_nan(x))
            .all(|&x| ty.is_canonical_nan(x)),
    }
}

/// A float result `r` of an arithmetic operator on `inputs` (of type `ty`).
fn float_result<R: Float>(r: R, ty: Ty, inputs: &[u64]) -> Expect {
    if r.is_nan() {
        nan_from(ty, inputs)
    } else {
        Expect::Bits(r.bits())
    }
}

fn funary<F: Float>(a: u64, f: impl Fn(F) -> F) -> Expect {
    float_result(f(F::from_bits(a)), F::TY, &[a])
}

fn fbinary<F: Float>(a: u64, b: u64, f: impl Fn(F, F) -> F) -> Expect {
    float_result(f(F::from_bits(a), F::from_bits(b)), F::TY, &[a, b])
}

fn fcompare<F: Float>(a: u64, b: u64, f: impl Fn(F, F) -> bool) -> Expect {
    boolean(f(F::from_bits(a), F::from_bits(b)))
}

/// wasm `min` (`max` when `is_max`): NaN if either input is NaN; equal
/// inputs (including `-0`/`+0`) combine by sign bit.
fn fminmax<F: Float>(a: u64, b: u64, is_max: bool) -> Expect {
    let (x, y) = (F::from_bits(a), F::from_bits(b));
    if x.is_nan() || y.is_nan() {
        nan_from(F::TY, &[a, b])
    } else if x == y {
        Expect::Bits(if is_max { a & b } else { a | b })
    } else if (x < y) != is_max {
        Expect::Bits(a)
    } else {
        Expect::Bits(b)
    }
}

/// f32 and f64 operators.
pub(super) fn float_tests() -> Vec<OpTest> {
    use Operator as O;
    vec![
        t(
            O::F32Const {
                value: wasmparser::Ieee32::from(f32::from_bits(0x7fa0_0001)),
            },
            &[],
            Ty::F32,
            |_, _| bits64(0x7fa0_0001),
        ),
        t(
            O::F64Const {
                value: wasmparser::Ieee64::from(f64::from_bits(0xfff4_0000_0000_0001)),
            },
            &[],
            Ty::F64,
            |_, _| bits64(0xfff4_0000_0000_0001),
        ),
        t(O::F32Abs, F32_1, Ty::F32, |a, _| bits64(a & !(1 << 31))),
        t(O::F32Neg, F32_1, Ty::F32, |a, _| bits64(a ^ (1 << 31))),
        t(O::F32Copysign, F32_2, Ty::F32, |a, b| {
            bits64((a & !(1 << 31)) | (b & (1 << 31)))
        }),
        t(O::F32Ceil, F32_1, Ty::F32, |a, _| {
            funary::<f32>(a, f32::ceil)
        }),
        t(O::F32Floor, F32_1, Ty::F32, |a, _| {
            funary::<f32>(a, f32::floor)
        }),
        t(O::F32Trunc, F32_1, Ty::F32, |a, _| {
            funary::<f32>(a, f32::trunc)
        }),
        t(O::F32Nearest, F32_1, Ty::F32, |a, _| {
            funary::<f32>(a, f32::round_ties_even)
        }),
        t(O::F32Sqrt, F32_1, Ty::F32, |a, _| {
            funary::<f32>(a, f32::sqrt)
        }),
        t(O::F32Add, F32_2, Ty::F32, |a, b| {
            fbinary::<f32>(a, b, |x, y| x + y)
        }),
        t(O::F32Sub, F32_2, Ty::F32, |a, b| {
            fbinary::<f32>(a, b, |x, y| x - y)
        }),
        t(O::F32Mul, F32_2, Ty::F32, |a, b| {
            fbinary::<f32>(a, b, |x, y| x * y)
        }),
        t(O::F32Div, F32_2, Ty::F32, |a, b| {
            fbinary::<f32>(a, b, |x, y| x / y)
        }),
        t(O::F32Min, F32_2, Ty::F32, |a, b| {
            fminmax::<f32>(a, b, false)
        }),
        t(O::F32Max, F32_2, Ty::F32, |a, b| fminmax::<f32>(a, b, true)),
        t(O::F32Eq, F32_2, Ty::I32, |a, b| {
            fcompare::<f32>(a, b, |x, y| x == y)
        }),
        t(O::F32Ne, F32_2, Ty::I32, |a, b| {
            fcompare::<f32>(a, b, |x, y| x != y)
        }),
        t(O::F32Lt, F32_2, Ty::I32, |a, b| {
            fcompare::<f32>(a, b, |x, y| x < y)
        }),
        t(O::F32Gt, F32_2, Ty::I32, |a, b| {
            fcompare::<f32>(a, b, |x, y| x > y)
        }),
        t(O::F32Le, F32_2, Ty::I32, |a, b| {
            fcompare::<f32>(a, b, |x, y| x <= y)
        }),
        t(O::F32Ge, F32_2, Ty::I32, |a, b| {
            fcompare::<f32>(a, b, |x, y| x >= y)
        }),
        t(O::F64Abs, F64_1, Ty::F64, |a, _| bits64(a & !(1 << 63))),
        t(O::F64Neg, F64_1, Ty::F64, |a, _| bits64(a ^ (1 << 63))),
        t(O::F64Copysign, F64_2, Ty::F64, |a, b| {
            bits64((a & !(1 << 63)) | (b & (1 << 63)))
        }),
        t(O::F64Ceil, F64_1, Ty::F64, |a, _| {
            funary::<f64>(a, f64::ceil)
        }),
        t(O::F64Floor, F64_1, Ty::F64, |a, _| {
            funary::<f64>(a, f64::floor)
        }),
        t(O::F64Trunc, F64_1, Ty::F64, |a, _| {
            funary::<f64>(a, f64::trunc)
        }),
        t(O::F64Nearest, F64_1, Ty::F64, |a, _| {
            funary::<f64>(a, f64::round_ties_even)
        }),
        t(O::F64Sqrt, F64_1, Ty::F64, |a, _| {
            funary::<f64>(a, f64::sqrt)
        }),
        t(O::F64Add, F64_2, Ty::F64, |a, b| {
            fbinary::<f64>(a, b, |x, y| x + y)
        }),
        t(O::F64Sub, F64_2, Ty::F64, |a, b| {
            fbinary::<f64>(a, b, |x, y| x - y)
        }),
        t(O::F64Mul, F64_2, Ty::F64, |a, b| {
            fbinary::<f64>(a, b, |x, y| x * y)
        }),
        t(O::F64Div, F64_2, Ty::F64, |a, b| {
            fbinary::<f64>(a, b, |x, y| x / y)
        }),
        t(O::F64Min, F64_2, Ty::F64, |a, b| {
            fminmax::<f64>(a, b, false)
        }),
        t(O::F64Max, F64_2, Ty::F64, |a, b| fminmax::<f64>(a, b, true)),
        t(O::F64Eq, F64_2, Ty::I32, |a, b| {
            fcompare::<f64>(a, b, |x, y| x == y)
        }),
        t(O::F64Ne, F64_2, Ty::I32, |a, b| {
            fcompare::<f64>(a, b, |x, y| x != y)
        }),
        t(O::F64Lt, F64_2, Ty::I32, |a, b| {
            fcompare::<f64>(a, b, |x, y| x < y)
        }),
        t(O::F64Gt, F64_2, Ty::I32, |a, b| {
            fcompare::<f64>(a, b, |x, y| x > y)
        }),
        t(O::F64Le, F64_2, Ty::I32, |a, b| {
            fcompare::<f64>(a, b, |x, y| x <= y)
        }),
        t(O::F64Ge, F64_2, Ty::I32, |a, b| {
            fcompare::<f64>(a, b, |x, y| x >= y)
        }),
    ]
}

/// Trapping float -> int: the truncated value if it lies in `[lo, hi)`.
fn trunc_in_range(x: f64, lo: f64, hi: f64) -> Result<f64, Expect> {
    if x.is_nan() {
        return Err(BAD_CONVERSION);
    }
    let t = x.trunc();
    if t >= lo && t < hi {
        Ok(t)
    } else {
        Err(OVERFLOW)
    }
}

const TWO_31: f64 = 2147483648.0;
const TWO_32: f64 = 4294967296.0;
const TWO_63: f64 = 9223372036854775808.0;
const TWO_64: f64 = 18446744073709551616.0;

fn f32_of(a: u64) -> f32 {
    f32::from_bits(a as u32)
}

fn f64_of(a: u64) -> f64 {
    f64::from_bits(a)
}

fn trunc_i32_s(x: f64) -> Expect {
    trunc_in_range(x, -TWO_31, TWO_31).map_or_else(|e| e, |t| bits32(t as i32 as u32))
}

fn trunc_i32_u(x: f64) -> Expect {
    trunc_in_range(x, 0.0, TWO_32).map_or_else(|e| e, |t| bits32(t as u32))
}

fn trunc_i64_s(x: f64) -> Expect {
    trunc_in_range(x, -TWO_63, TWO_63).map_or_else(|e| e, |t| bits64(t as i64 as u64))
}

fn trunc_i64_u(x: f64) -> Expect {
    trunc_in_range(x, 0.0, TWO_64).map_or_else(|e| e, |t| bits64(t as u64))
}

/// Conversions, extensions and reinterpretations. Rust's `as` casts are
/// exactly wasm's saturating truncations and correctly rounded conversions.
pub(super) fn conversion_tests() -> Vec<OpTest> {
    use Operator as O;
    vec![
        t(O::I32WrapI64, I64_1, Ty::I32, |a, _| bits32(a as u32)),
        t(O::I64ExtendI32S, I32_1, Ty::I64, |a, _| {
            bits64(s32(a) as i64 as u64)
        }),
        t(O::I64ExtendI32U, I32_1, Ty::I64, |a, _| {
            bits64(u32_(a).into())
        }),
        t(O::I32Extend8S, I32_1, Ty::I32, |a, _| {
            bits32(a as i8 as i32 as u32)
        }),
        t(O::I32Extend16S, I32_1, Ty::I32, |a, _| {
            bits32(a as i16 as i32 as u32)
        }),
        t(O::I64Extend8S, I64_1, Ty::I64, |a, _| {
            bits64(a as i8 as i64 as u64)
        }),
        t(O::I64Extend16S, I64_1, Ty::I64, |a, _| {
            bits64(a as i16 as i64 as u64)
        }),
        t(O::I64Extend32S, I64_1, Ty::I64, |a, _| {
            bits64(a as i32 as i64 as u64)
        }),
        t(O::I32TruncF32S, F32_1, Ty::I32, |a, _| {
            trunc_i32_s(f32_of(a).into())
        }),
        t(O::I32TruncF32U, F32_1, Ty::I32, |a, _| {
            trunc_i32_u(f32_of(a).into())
        }),
        t(O::I32TruncF64S, F64_1, Ty::I32, |a, _| {
            trunc_i32_s(f64_of(a))
        }),
        t(O::I32TruncF64U, F64_1, Ty::I32, |a, _| {
            trunc_i32_u(f64_of(a))
        }),
        t(O::I64TruncF32S, F32_1, Ty::I64, |a, _| {
            trunc_i64_s(f32_of(a).into())
        }),
        t(O::I64TruncF32U, F32_1, Ty::I64, |a, _| {
            trunc_i64_u(f32_of(a).into())
        }),
        t(O::I64TruncF64S, F64_1, Ty::I64, |a, _| {
            trunc_i64_s(f64_of(a))
        }),
        t(O::I64TruncF64U, F64_1, Ty::I64, |a, _| {
            trunc_i64_u(f64_of(a))
        }),
        t(O::I32TruncSatF32S, F32_1, Ty::I32, |a, _| {
            bits32(f32_of(a) as i32 as u32)
        }),
        t(O::I32TruncSatF32U, F32_1, Ty::I32, |a, _| {
            bits32(f32_of(a) as u32)
        }),
        t(O::I32TruncSatF64S, F64_1, Ty::I32, |a, _| {
            bits32(f64_of(a) as i32 as u32)
        }),
        t(O::I32TruncSatF64U, F64_1, Ty::I32, |a, _| {
            bits32(f64_of(a) as u32)
        }),
        t(O::I64TruncSatF32S, F32_1, Ty::I64, |a, _| {
            bits64(f32_of(a) as i64 as u64)
        }),
        t(O::I64TruncSatF32U, F32_1, Ty::I64, |a, _| {
            bits64(f32_of(a) as u64)
        }),
        t(O::I64TruncSatF64S, F64_1, Ty::I64, |a, _| {
            bits64(f64_of(a) as i64 as u64)
        }),
        t(O::I64TruncSatF64U, F64_1, Ty::I64, |a, _| {
            bits64(f64_of(a) as u64)
        }),
        t(O::F32ConvertI32S, I32_1, Ty::F32, |a, _| {
            bits32((s32(a) as f32).to_bits())
        }),
        t(O::F32ConvertI32U, I32_1, Ty::F32, |a, _| {
            bits32((u32_(a) as f32).to_bits())
        }),
        t(O::F32ConvertI64S, I64_1, Ty::F32, |a, _| {
            bits32((s64(a) as f32).to_bits())
        }),
        t(O::F32ConvertI64U, I64_1, Ty::F32, |a, _| {
            bits32((a as f32).to_bits())
        }),
        t(O::F64ConvertI32S, I32_1, Ty::F64, |a, _| {
            bits64((s32(a) as f64).to_bits())
        }),
        t(O::F64ConvertI32U, I32_1, Ty::F64, |a, _| {
            bits64((u32_(a) as f64).to_bits())
        }),
        t(O::F64ConvertI64S, I64_1, Ty::F64, |a, _| {
            bits64((s64(a) as f64).to_bits())
        }),
        t(O::F64ConvertI64U, I64_1, Ty::F64, |a, _| {
            bits64((a as f64).to_bits())
        }),
        t(O::F32DemoteF64, F64_1, Ty::F32, |a, _| {
            float_result(f64_of(a) as f32, Ty::F64, &[a])
        }),
        t(O::F64PromoteF32, F32_1, Ty::F64, |a, _| {
            float_result(f64::from(f32_of(a)), Ty::F32, &[a])
        }),
        t(O::I32ReinterpretF32, F32_1, Ty::I32, |a, _| bits64(a)),
        t(O::I64ReinterpretF64, F64_1, Ty::I64, |a, _| bits64(a)),
        t(O::F32ReinterpretI32, I32_1, Ty::F32, |a, _| bits64(a)),
        t(O::F64ReinterpretI64, I64_1, Ty::F64, |a, _| bits64(a)),
    ]
}
