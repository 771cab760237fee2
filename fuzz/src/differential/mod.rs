//! Target `differential`: wasm-smith modules run by Kiln and by the `wasmi`
//! interpreter (the reference) must behave the same, export by export.
//!
//! Input: fuzzer bytes. They drive a wasm-smith configuration restricted to
//! [`features`] (Kiln's `SUPPORTED_FEATURES`, intersected with what wasmi
//! implements, minus relaxed SIMD), the module, the fuel of
//! `ensure_termination` and every call's arguments.
//!
//! Steps:
//! 1. generate; make every module terminate (a fuel global, decremented at
//!    each function entry and loop head, traps with `unreachable` at 0);
//! 2. wasmi: instantiate (a module wasmi refuses is skipped, not a finding);
//! 3. Kiln: `compile_module` with `ImportPolicy::Linked` must succeed, the
//!    object is loaded in-process and instantiated through
//!    `kiln_runtime_embed` ([`kiln_side`]);
//! 4. instantiation must succeed in both or trap in both with the same
//!    trap code;
//! 5. every exported function is called, in export order, with the same
//!    arguments drawn from the input: results must be bit-identical (NaNs
//!    are canonicalized by wasm-smith; references compare by nullness),
//!    or both must trap with the same code;
//! 6. afterwards every exported global, memory (size and a hash of its
//!    bytes) and table (size and which entries are null) must agree.
//!
//! Not findings (the case ends early, nothing compared after): stack
//! exhaustion on either side (the two engines' stack limits differ by
//! design), wasmi refusing or running out of resources.
//!
//! Any mismatch panics with a description naming the export and both
//! outcomes.

pub mod kiln_side;
pub mod stats;
pub mod value;
pub mod wasmi_side;

use crate::smith;
use arbitrary::{Result, Unstructured};
use kiln_abi::trap::TrapCode;
use kiln_compiler::module::SUPPORTED_FEATURES;
use value::{Outcome, Value};
use wasmparser::{ValType as WasmValType, WasmFeatures};

/// What the reference interpreter (wasmi 1.1) implements.
pub const WASMI_FEATURES: WasmFeatures = WasmFeatures::WASM2
    .union(WasmFeatures::RELAXED_SIMD)
    .union(WasmFeatures::MULTI_MEMORY)
    .union(WasmFeatures::MEMORY64)
    .union(WasmFeatures::TAIL_CALL)
    .union(WasmFeatures::EXTENDED_CONST)
    .union(WasmFeatures::CUSTOM_PAGE_SIZES)
    .union(WasmFeatures::WIDE_ARITHMETIC);

/// The proposals the differential target generates: what Kiln compiles,
/// wasmi runs and wasm-smith emits. Relaxed SIMD is left out: its results
/// are implementation-defined, and Kiln's documented choice need not be
/// wasmi's.
pub fn features() -> WasmFeatures {
    SUPPORTED_FEATURES
        .intersection(WASMI_FEATURES)
        .intersection(smith::SMITH_FEATURES)
        .difference(WasmFeatures::RELAXED_SIMD)
}

/// The result of one case that did not panic.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Everything compared equal.
    Same {
        /// Exported functions called.
        calls: usize,
        /// Of those, calls that trapped (in both engines, with the same
        /// code).
        traps: usize,
    },
    /// Skipped before comparing (input too short, wasmi refused the module,
    /// stack exhaustion or a resource limit): the reason.
    Skipped(String),
}

/// Runs one fuzz case; panics on a mismatch.
pub fn run(data: &[u8]) -> Verdict {
    let mut u = Unstructured::new(data);
    let verdict = match generate(&mut u) {
        Ok(wasm) => {
            crate::dump_module(&wasm);
            run_wasm(&wasm, &mut u)
        }
        Err(e) => Verdict::Skipped(format!("generation: {e}")),
    };
    stats::record(&verdict);
    verdict
}

/// A terminating wasm-smith module from the input.
pub fn generate(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let config = smith::config_for(features(), smith::Limits::default(), u)?;
    let mut module = wasm_smith::Module::new(config, u)?;
    let fuel = u.int_in_range(1_000..=100_000)?;
    // Only fails for modules with non-generated (arbitrary) bodies, which
    // this configuration never makes.
    if module.ensure_termination(fuel).is_err() {
        return Err(arbitrary::Error::IncorrectFormat);
    }
    Ok(module.to_bytes())
}

/// Compares the two engines on `wasm`, calls' arguments drawn from `u`.
pub fn run_wasm(wasm: &[u8], u: &mut Unstructured<'_>) -> Verdict {
    let mut reference = match wasmi_side::WasmiInstance::new(wasm, features()) {
        Ok(r) => r,
        Err(wasmi_side::NewError::Refused(e)) => return Verdict::Skipped(e),
        Err(wasmi_side::NewError::Instantiate(outcome)) => {
            return compare_failed_instantiation(wasm, outcome);
        }
    };
    let kiln = match kiln_side::KilnInstance::new(wasm) {
        Ok(k) => k,
        Err(kiln_side::NewError::Instantiate(outcome)) => {
            mismatch(wasm, "instantiation", &Outcome::Values(vec![]), &outcome)
        }
        Err(kiln_side::NewError::Compile(e)) => panic!(
            "Kiln refused a module wasmi runs (features {:?}): {e}",
            features()
        ),
    };
    compare_exports_list(wasm, &reference, &kiln);
    let (mut calls, mut traps) = (0, 0);
    for (name, params) in reference.funcs() {
        let args: Vec<Value> = params.iter().map(|ty| arbitrary_value(*ty, u)).collect();
        let want = reference.call(&name, &args);
        let got = kiln.call(&name, &args);
        calls += 1;
        if want.is_nondeterministic() || got.is_nondeterministic() {
            return Verdict::Skipped(format!(
                "`{name}`: wasmi {want:?}, Kiln {got:?} (stack or resource limit)"
            ));
        }
        if want != got {
            mismatch(wasm, &format!("call `{name}`{args:?}"), &want, &got);
        }
        traps += usize::from(matches!(want, Outcome::Trap(_)));
    }
    compare_state(wasm, &reference, &kiln);
    Verdict::Same { calls, traps }
}

/// wasmi failed to instantiate: Kiln must fail the same way.
fn compare_failed_instantiation(wasm: &[u8], want: Outcome) -> Verdict {
    if want.is_nondeterministic() {
        return Verdict::Skipped(format!("instantiation: wasmi {want:?}"));
    }
    match kiln_side::KilnInstance::new(wasm) {
        Ok(_) => mismatch(wasm, "instantiation", &want, &Outcome::Values(vec![])),
        Err(kiln_side::NewError::Instantiate(got)) => {
            if got.is_nondeterministic() {
                return Verdict::Skipped(format!("instantiation: Kiln {got:?}"));
            }
            if got != want {
                mismatch(wasm, "instantiation", &want, &got);
            }
            Verdict::Same { calls: 0, traps: 0 }
        }
        Err(kiln_side::NewError::Compile(e)) => panic!("Kiln refused a module wasmi accepts: {e}"),
    }
}

/// Both instances export the same names with the same kinds.
fn compare_exports_list(
    wasm: &[u8],
    reference: &wasmi_side::WasmiInstance,
    kiln: &kiln_side::KilnInstance,
) {
    // NB: wasmi lists exports by name, Kiln in module order.
    let mut want = reference.export_kinds();
    let mut got = kiln.export_kinds();
    want.sort();
    got.sort();
    if want != got {
        panic!(
            "export lists differ:\n  wasmi: {want:?}\n  Kiln:  {got:?}\n{}",
            describe(wasm)
        );
    }
}

/// Exported globals, memories and tables agree after the calls.
fn compare_state(
    wasm: &[u8],
    reference: &wasmi_side::WasmiInstance,
    kiln: &kiln_side::KilnInstance,
) {
    for (name, kind) in reference.export_kinds() {
        let (want, got) = match kind {
            value::ExportKind::Func | value::ExportKind::Tag => continue,
            value::ExportKind::Global => (reference.global(&name), kiln.global(&name)),
            value::ExportKind::Memory => (reference.memory(&name), kiln.memory(&name)),
            value::ExportKind::Table => (reference.table(&name), kiln.table(&name)),
        };
        if want != got {
            panic!(
                "state of export `{name}` ({kind:?}) differs after the calls:\n  wasmi: {want:?}\n  \
                 Kiln:  {got:?}\n{}",
                describe(wasm)
            );
        }
    }
}

/// An argument of type `ty`: arbitrary bits, with the interesting edge
/// values (0, -1, MIN, MAX, NaN, infinities) more likely than chance.
fn arbitrary_value(ty: WasmValType, u: &mut Unstructured<'_>) -> Value {
    let pick = u.int_in_range(0u8..=7).unwrap_or(0);
    let bits: u128 = match pick {
        0 => 0,
        1 => u128::MAX,
        2 => 1,
        _ => u.arbitrary().unwrap_or(0),
    };
    match ty {
        WasmValType::I32 => Value::I32(match pick {
            3 => i32::MIN,
            4 => i32::MAX,
            _ => bits as i32,
        }),
        WasmValType::I64 => Value::I64(match pick {
            3 => i64::MIN,
            4 => i64::MAX,
            _ => bits as i64,
        }),
        WasmValType::F32 => Value::F32(match pick {
            3 => f32::NAN.to_bits(),
            4 => f32::INFINITY.to_bits(),
            _ => bits as u32,
        }),
        WasmValType::F64 => Value::F64(match pick {
            3 => f64::NAN.to_bits(),
            4 => f64::NEG_INFINITY.to_bits(),
            _ => bits as u64,
        }),
        WasmValType::V128 => Value::V128(bits),
        // Only null references can be made without a host.
        WasmValType::Ref(_) => Value::Ref { null: true },
    }
}

/// Panics with a description of a mismatch.
fn mismatch(wasm: &[u8], what: &str, want: &Outcome, got: &Outcome) -> ! {
    panic!(
        "differential mismatch in {what}:\n  wasmi (reference): {want:?}\n  Kiln:              {got:?}\n{}",
        describe(wasm)
    )
}

/// The module, for the panic message: its size and, when small, its text.
fn describe(wasm: &[u8]) -> String {
    crate::describe_module(wasm)
}

/// Maps a wasmi trap code to Kiln's (`None`: no wasm equivalent, e.g.
/// fuel or host resource limits).
pub fn map_wasmi_trap(code: wasmi::TrapCode) -> Option<TrapCode> {
    use wasmi::TrapCode as W;
    Some(match code {
        W::UnreachableCodeReached => TrapCode::UnreachableCodeReached,
        W::MemoryOutOfBounds => TrapCode::MemoryOutOfBounds,
        W::TableOutOfBounds => TrapCode::TableOutOfBounds,
        W::IndirectCallToNull => TrapCode::IndirectCallToNull,
        W::IntegerDivisionByZero => TrapCode::IntegerDivisionByZero,
        W::IntegerOverflow => TrapCode::IntegerOverflow,
        W::BadConversionToInteger => TrapCode::BadConversionToInteger,
        W::StackOverflow => TrapCode::StackOverflow,
        W::BadSignature => TrapCode::BadSignature,
        W::OutOfFuel | W::GrowthOperationLimited => return None,
    })
}
