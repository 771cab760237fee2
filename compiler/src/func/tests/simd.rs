//! Tests of the SIMD translation: every `v128` and relaxed SIMD operator
//! translates, passes the verifier and lowers on the x86-64-v2 baseline
//! (SSE4.2, no AVX: the ISA Kiln really builds for, not the bare test ISA),
//! at `-O0` and `-O`. Run-time semantics are tested by `tests/run/simd` and
//! the spec suite.

use super::util::declare_all;
use crate::func::ModuleEnv;
use crate::func::translator::FuncTranslator;
use crate::{Config, OptLevel};
use cranelift_codegen::control::ControlPlane;
use kiln_abi::vmctx::VMOffsets;

const UNARY: &[&str] = &[
    "v128.not",
    "i8x16.abs",
    "i8x16.neg",
    "i8x16.popcnt",
    "i16x8.abs",
    "i16x8.neg",
    "i32x4.abs",
    "i32x4.neg",
    "i64x2.abs",
    "i64x2.neg",
    "i16x8.extend_low_i8x16_s",
    "i16x8.extend_high_i8x16_s",
    "i16x8.extend_low_i8x16_u",
    "i16x8.extend_high_i8x16_u",
    "i32x4.extend_low_i16x8_s",
    "i32x4.extend_high_i16x8_s",
    "i32x4.extend_low_i16x8_u",
    "i32x4.extend_high_i16x8_u",
    "i64x2.extend_low_i32x4_s",
    "i64x2.extend_high_i32x4_s",
    "i64x2.extend_low_i32x4_u",
    "i64x2.extend_high_i32x4_u",
    "i16x8.extadd_pairwise_i8x16_s",
    "i16x8.extadd_pairwise_i8x16_u",
    "i32x4.extadd_pairwise_i16x8_s",
    "i32x4.extadd_pairwise_i16x8_u",
    "f32x4.ceil",
    "f32x4.floor",
    "f32x4.trunc",
    "f32x4.nearest",
    "f32x4.abs",
    "f32x4.neg",
    "f32x4.sqrt",
    "f64x2.ceil",
    "f64x2.floor",
    "f64x2.trunc",
    "f64x2.nearest",
    "f64x2.abs",
    "f64x2.neg",
    "f64x2.sqrt",
    "i32x4.trunc_sat_f32x4_s",
    "i32x4.trunc_sat_f32x4_u",
    "f32x4.convert_i32x4_s",
    "f32x4.convert_i32x4_u",
    "i32x4.trunc_sat_f64x2_s_zero",
    "i32x4.trunc_sat_f64x2_u_zero",
    "f64x2.convert_low_i32x4_s",
    "f64x2.convert_low_i32x4_u",
    "f32x4.demote_f64x2_zero",
    "f64x2.promote_low_f32x4",
    "i32x4.relaxed_trunc_f32x4_s",
    "i32x4.relaxed_trunc_f32x4_u",
    "i32x4.relaxed_trunc_f64x2_s_zero",
    "i32x4.relaxed_trunc_f64x2_u_zero",
];

const BINARY: &[&str] = &[
    "i8x16.swizzle",
    "i8x16.relaxed_swizzle",
    "v128.and",
    "v128.andnot",
    "v128.or",
    "v128.xor",
    "i8x16.eq",
    "i8x16.ne",
    "i8x16.lt_s",
    "i8x16.lt_u",
    "i8x16.gt_s",
    "i8x16.gt_u",
    "i8x16.le_s",
    "i8x16.le_u",
    "i8x16.ge_s",
    "i8x16.ge_u",
    "i16x8.eq",
    "i16x8.ne",
    "i16x8.lt_s",
    "i16x8.lt_u",
    "i16x8.gt_s",
    "i16x8.gt_u",
    "i16x8.le_s",
    "i16x8.le_u",
    "i16x8.ge_s",
    "i16x8.ge_u",
    "i32x4.eq",
    "i32x4.ne",
    "i32x4.lt_s",
    "i32x4.lt_u",
    "i32x4.gt_s",
    "i32x4.gt_u",
    "i32x4.le_s",
    "i32x4.le_u",
    "i32x4.ge_s",
    "i32x4.ge_u",
    "i64x2.eq",
    "i64x2.ne",
    "i64x2.lt_s",
    "i64x2.gt_s",
    "i64x2.le_s",
    "i64x2.ge_s",
    "f32x4.eq",
    "f32x4.ne",
    "f32x4.lt",
    "f32x4.gt",
    "f32x4.le",
    "f32x4.ge",
    "f64x2.eq",
    "f64x2.ne",
    "f64x2.lt",
    "f64x2.gt",
    "f64x2.le",
    "f64x2.ge",
    "i8x16.narrow_i16x8_s",
    "i8x16.narrow_i16x8_u",
    "i16x8.narrow_i32x4_s",
    "i16x8.narrow_i32x4_u",
    "i8x16.add",
    "i8x16.add_sat_s",
    "i8x16.add_sat_u",
    "i8x16.sub",
    "i8x16.sub_sat_s",
    "i8x16.sub_sat_u",
    "i8x16.min_s",
    "i8x16.min_u",
    "i8x16.max_s",
    "i8x16.max_u",
    "i8x16.avgr_u",
    "i16x8.add",
    "i16x8.add_sat_s",
    "i16x8.add_sat_u",
    "i16x8.sub",
    "i16x8.sub_sat_s",
    "i16x8.sub_sat_u",
    "i16x8.mul",
    "i16x8.min_s",
    "i16x8.min_u",
    "i16x8.max_s",
    "i16x8.max_u",
    "i16x8.avgr_u",
    "i16x8.q15mulr_sat_s",
    "i16x8.extmul_low_i8x16_s",
    "i16x8.extmul_high_i8x16_s",
    "i16x8.extmul_low_i8x16_u",
    "i16x8.extmul_high_i8x16_u",
    "i32x4.add",
    "i32x4.sub",
    "i32x4.mul",
    "i32x4.min_s",
    "i32x4.min_u",
    "i32x4.max_s",
    "i32x4.max_u",
    "i32x4.dot_i16x8_s",
    "i32x4.extmul_low_i16x8_s",
    "i32x4.extmul_high_i16x8_s",
    "i32x4.extmul_low_i16x8_u",
    "i32x4.extmul_high_i16x8_u",
    "i64x2.add",
    "i64x2.sub",
    "i64x2.mul",
    "i64x2.extmul_low_i32x4_s",
    "i64x2.extmul_high_i32x4_s",
    "i64x2.extmul_low_i32x4_u",
    "i64x2.extmul_high_i32x4_u",
    "f32x4.add",
    "f32x4.sub",
    "f32x4.mul",
    "f32x4.div",
    "f32x4.min",
    "f32x4.max",
    "f32x4.pmin",
    "f32x4.pmax",
    "f64x2.add",
    "f64x2.sub",
    "f64x2.mul",
    "f64x2.div",
    "f64x2.min",
    "f64x2.max",
    "f64x2.pmin",
    "f64x2.pmax",
    "f32x4.relaxed_min",
    "f32x4.relaxed_max",
    "f64x2.relaxed_min",
    "f64x2.relaxed_max",
    "i16x8.relaxed_q15mulr_s",
    "i16x8.relaxed_dot_i8x16_i7x16_s",
    "i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31",
];

const TERNARY: &[&str] = &[
    "v128.bitselect",
    "f32x4.relaxed_madd",
    "f32x4.relaxed_nmadd",
    "f64x2.relaxed_madd",
    "f64x2.relaxed_nmadd",
    "i8x16.relaxed_laneselect",
    "i16x8.relaxed_laneselect",
    "i32x4.relaxed_laneselect",
    "i64x2.relaxed_laneselect",
    "i32x4.relaxed_dot_i8x16_i7x16_add_s",
];

const SHIFT: &[&str] = &[
    "i8x16.shl",
    "i8x16.shr_s",
    "i8x16.shr_u",
    "i16x8.shl",
    "i16x8.shr_s",
    "i16x8.shr_u",
    "i32x4.shl",
    "i32x4.shr_s",
    "i32x4.shr_u",
    "i64x2.shl",
    "i64x2.shr_s",
    "i64x2.shr_u",
];

const TEST: &[&str] = &[
    "v128.any_true",
    "i8x16.all_true",
    "i8x16.bitmask",
    "i16x8.all_true",
    "i16x8.bitmask",
    "i32x4.all_true",
    "i32x4.bitmask",
    "i64x2.all_true",
    "i64x2.bitmask",
];

/// (operator, scalar type) for splat / extract / replace.
const LANES: &[(&str, &str, &str)] = &[
    ("i8x16", "i32", "_s"),
    ("i8x16", "i32", "_u"),
    ("i16x8", "i32", "_s"),
    ("i16x8", "i32", "_u"),
    ("i32x4", "i32", ""),
    ("i64x2", "i64", ""),
    ("f32x4", "f32", ""),
    ("f64x2", "f64", ""),
];

const LOADS: &[&str] = &[
    "v128.load",
    "v128.load8x8_s",
    "v128.load8x8_u",
    "v128.load16x4_s",
    "v128.load16x4_u",
    "v128.load32x2_s",
    "v128.load32x2_u",
    "v128.load8_splat",
    "v128.load16_splat",
    "v128.load32_splat",
    "v128.load64_splat",
    "v128.load32_zero",
    "v128.load64_zero",
];

/// A module with one function per operator of the lists above.
fn every_operator_module() -> String {
    let mut m = String::from("(module (memory 1) (global $g (mut v128) (v128.const i64x2 1 2))\n");
    let p = "(local.get 0)";
    for op in UNARY {
        m += &format!("(func (param v128) (result v128) ({op} {p}))\n");
    }
    for op in BINARY {
        m += &format!("(func (param v128 v128) (result v128) ({op} {p} (local.get 1)))\n");
    }
    for op in TERNARY {
        m += &format!(
            "(func (param v128 v128 v128) (result v128) ({op} {p} (local.get 1) (local.get 2)))\n"
        );
    }
    for op in SHIFT {
        m += &format!("(func (param v128 i32) (result v128) ({op} {p} (local.get 1)))\n");
    }
    for op in TEST {
        m += &format!("(func (param v128) (result i32) ({op} {p}))\n");
    }
    for (shape, scalar, sign) in LANES {
        m += &format!(
            "(func (param v128 {scalar}) (result {scalar} v128)
               ({shape}.extract_lane{sign} 1 {p})
               ({shape}.replace_lane 1 {p} (local.get 1)))
             (func (param {scalar}) (result v128) ({shape}.splat {p}))\n"
        );
    }
    for op in LOADS {
        m += &format!("(func (param i32) (result v128) ({op} offset=3 {p}))\n");
    }
    for bits in [8, 16, 32, 64] {
        m += &format!(
            "(func (param i32 v128) (result v128)
               (v128.store{bits}_lane 1 (local.get 0) (local.get 1))
               (v128.load{bits}_lane 1 (local.get 0) (local.get 1)))\n"
        );
    }
    m += "(func (param i32 v128 i32) (result v128) (local v128)
            (v128.store (local.get 0) (select (local.get 1) (local.get 3) (local.get 2)))
            (global.set $g (v128.const f32x4 1 2 3 4))
            (if (result v128) (local.get 2)
              (then (global.get $g)) (else (local.get 3))))\n";
    m += ")";
    m
}

#[test]
fn every_operator_lowers_on_the_baseline() {
    let wasm = wat::parse_str(every_operator_module()).expect("test WAT parses");
    let info = crate::module::translate_module(&wasm, &Config::default()).expect("valid");
    let ids = declare_all(&info);
    for opt in [OptLevel::None, OptLevel::Speed] {
        let config = Config {
            target: Some("x86_64-unknown-linux-gnu".into()),
            opt_level: opt,
            verify: true,
            ..Config::default()
        };
        let isa = crate::isa::build_isa(&config).expect("baseline isa");
        let env = ModuleEnv {
            info: &info,
            wasm: &wasm,
            offsets: VMOffsets::new(8, info.vm_counts()),
            isa: &*isa,
            ids: &ids,
            checks: crate::Checks::default(),
        };
        let mut translator = FuncTranslator::new();
        for i in info.bodies.keys() {
            let i = info.func_index(i);
            let func = translator.translate(&env, i).expect("translates");
            let mut ctx = cranelift_codegen::Context::for_function(func.clone());
            if let Err(e) = ctx.compile(&*isa, &mut ControlPlane::default()) {
                panic!("function {}: {e:?}\n{}", i.as_u32(), func.display());
            }
        }
    }
}

#[test]
fn fma_without_the_instruction_calls_the_runtime() {
    let clif = super::util::clif_of(
        r#"(module (func (param v128 v128 v128) (result v128)
             (f64x2.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))"#,
    );
    assert_eq!(clif.matches("call fn").count(), 2, "{clif}");
}

#[test]
fn shapes_come_from_operator_names() {
    use crate::func::simd::shape_of;
    use cranelift_codegen::ir::types::{F64X2, I8X16, I64X2};
    use wasmparser::Operator;
    assert_eq!(shape_of(&Operator::I8x16AddSatU), Some(I8X16));
    assert_eq!(shape_of(&Operator::I64x2ExtMulHighI32x4U), Some(I64X2));
    assert_eq!(shape_of(&Operator::F64x2PMin), Some(F64X2));
    assert_eq!(shape_of(&Operator::V128AnyTrue), None);
    assert_eq!(shape_of(&Operator::I32Add), None);
}
