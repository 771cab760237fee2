//! Test-only helpers of the function translator: translate every defined
//! function of a WAT module, run the Cranelift verifier on each and compile
//! it for x86_64, so tests catch both malformed CLIF and CLIF the backend
//! cannot lower.

use crate::CompileError;
use crate::func::ModuleEnv;
use crate::func::translator::FuncTranslator;
use crate::key::{DeclaredFuncs, FuncKey};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir;
use cranelift_codegen::isa::{self, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_module::FuncId;
use kiln_abi::vmctx::VMOffsets;

/// x86_64 with the flags Kiln builds with (see `crate::isa`), plus
/// `enable_multi_ret_implicit_sret` so multi-value returns compile.
pub(crate) fn test_isa(opt_level: &str) -> OwnedTargetIsa {
    let mut flags = settings::builder();
    for (name, value) in [
        ("opt_level", opt_level),
        ("enable_verifier", "true"),
        ("preserve_frame_pointers", "true"),
        ("is_pic", "true"),
        ("unwind_info", "false"),
        ("enable_probestack", "false"),
        ("enable_multi_ret_implicit_sret", "true"),
    ] {
        flags.set(name, value).expect("known cranelift flag");
    }
    let triple: target_lexicon::Triple = "x86_64-unknown-linux-gnu".parse().expect("triple");
    isa::lookup(triple)
        .expect("x86_64 backend")
        .finish(settings::Flags::new(flags))
        .expect("isa")
}

/// Every key phase 2 may ask for, with made-up ids.
pub(crate) fn declare_all(info: &crate::module::ModuleInfo) -> DeclaredFuncs {
    let mut ids = DeclaredFuncs::default();
    let mut next = 0u32;
    let mut add = |key| {
        ids.insert(key, FuncId::from_u32(next));
        next += 1;
    };
    for i in info.funcs.keys() {
        add(FuncKey::Wasm(i));
    }
    for i in 0..kiln_abi::libcalls::LIBCALLS.len() {
        add(FuncKey::Libcall(i));
    }
    for i in 0..kiln_abi::wasi_p1::WASI_P1_FUNCS.len() {
        add(FuncKey::WasiP1(i));
    }
    ids
}

/// Translates all defined functions of `wat`; on success every function
/// passed the verifier and compiled at `-O0` and `-O`.
pub(crate) fn translate_wat(wat: &str) -> Result<Vec<ir::Function>, CompileError> {
    translate_wat_with(wat, |_| {})
}

/// [`translate_wat`] after `tweak` adjusted the module (e.g. to pretend an
/// entity is imported, which phase 1 only allows for WASI functions).
pub(crate) fn translate_wat_with(
    wat: &str,
    tweak: impl FnOnce(&mut crate::module::ModuleInfo),
) -> Result<Vec<ir::Function>, CompileError> {
    translate_wat_checked(wat, tweak, crate::Checks::default())
}

/// [`translate_wat_with`] emitting the run-time limit checks `checks`.
pub(crate) fn translate_wat_checked(
    wat: &str,
    tweak: impl FnOnce(&mut crate::module::ModuleInfo),
    checks: crate::Checks,
) -> Result<Vec<ir::Function>, CompileError> {
    let wasm = wat::parse_str(wat).expect("test WAT parses");
    let mut info = crate::module::translate_module(&wasm, &crate::Config::default())?;
    tweak(&mut info);
    let isa = test_isa("none");
    let ids = declare_all(&info);
    let env = ModuleEnv {
        info: &info,
        wasm: &wasm,
        offsets: VMOffsets::new(8, info.vm_counts()),
        isa: &*isa,
        ids: &ids,
        checks,
    };
    let mut translator = FuncTranslator::new();
    let mut out = Vec::new();
    for i in info.bodies.keys() {
        let func = translator.translate(&env, info.func_index(i))?;
        check(&func, &isa);
        check(&func, &test_isa("speed"));
        out.push(func);
    }
    Ok(out)
}

/// Runs the verifier and the backend on `func`, panicking with the CLIF.
fn check(func: &ir::Function, isa: &OwnedTargetIsa) {
    if let Err(e) = cranelift_codegen::verifier::verify_function(func, &**isa) {
        panic!("verifier errors:\n{e}\n{}", func.display());
    }
    let mut ctx = cranelift_codegen::Context::for_function(func.clone());
    if let Err(e) = ctx.compile(&**isa, &mut ControlPlane::default()) {
        panic!("compile error: {e:?}\n{}", func.display());
    }
}

/// The CLIF text of the defined functions of `wat`.
pub(crate) fn clif_of(wat: &str) -> String {
    clif_with(wat, |_| {})
}

/// [`clif_of`] with a tweak of the module (see [`translate_wat_with`]).
pub(crate) fn clif_with(wat: &str, tweak: impl FnOnce(&mut crate::module::ModuleInfo)) -> String {
    let funcs = translate_wat_with(wat, tweak).expect("translates");
    funcs
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `Unsupported` feature name of translating `wat`.
pub(crate) fn unsupported_feature(wat: &str) -> String {
    match translate_wat(wat) {
        Err(CompileError::Unsupported { feature, .. }) => feature,
        Err(e) => panic!("expected Unsupported, got {e}"),
        Ok(_) => panic!("expected Unsupported, got success"),
    }
}
