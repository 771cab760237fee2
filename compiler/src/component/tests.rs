//! Unit tests of the component front-end. The golden plans (real Rust
//! components, nested components, resources, options, every rejection) are
//! in `tests/all/component_plans.rs`; these check what a dump does not
//! show.

use super::plan::{CoreDef, RuntimeInstanceIndex, Trampoline, TrampolineIndex};
use super::*;
use kiln_abi::component::{AbiContext, FlattenOpts, FuncSig};

fn plan_wat(wat: &str) -> Result<ComponentPlan, CompileError> {
    let wasm = wat::parse_str(wat).expect("test wat parses");
    plan(&wasm, &Config::default())
}

const STREAMS: &str = r#"
(component
  (import "wasi:io/streams@0.2.6" (instance $streams
    (export "output-stream" (type $os (sub resource)))
    (export "[method]output-stream.write"
      (func (param "self" (borrow $os)) (param "contents" (list u8))
            (result (result (error u32)))))
  ))
  (core module $mm (memory (export "memory") 1))
  (core instance $m (instantiate $mm))
  (core func $write (canon lower (func $streams "[method]output-stream.write")
    (memory (core memory $m "memory"))))
  (core module $user (import "" "write" (func (param i32 i32 i32 i32))))
  (core instance (instantiate $user (with "" (instance (export "write" (func $write))))))
)
"#;

#[test]
fn component_empty() {
    let p = plan_wat("(component)").expect("plan");
    assert_eq!(p.component_instances, 1);
    assert!(p.modules.is_empty() && p.instances.is_empty() && p.exports.is_empty());
}

#[test]
fn component_rejects_core_module() {
    let wasm = wat::parse_str("(module)").expect("wat");
    let e = plan(&wasm, &Config::default()).expect_err("a core module");
    assert!(e.to_string().contains("core module"), "{e}");
}

#[test]
fn component_cli_path_still_rejects_components() {
    // Until the runtime side exists, `kiln build` must keep refusing.
    let wasm = wat::parse_str("(component)").expect("wat");
    let e = crate::compile_module(&wasm, &Config::default()).expect_err("a component");
    assert!(
        e.to_string()
            .contains("unsupported feature: component model"),
        "{e}"
    );
}

#[test]
fn component_invalid_core_module_is_invalid() {
    let e = plan_wat("(component (core module (func (result i32) i64.const 0)))")
        .expect_err("type mismatch");
    assert!(matches!(e, CompileError::Invalid { .. }), "{e}");
}

#[test]
fn component_core_modules_use_kilns_core_features() {
    // SIMD and tail calls are in `SUPPORTED_FEATURES`, so a component's
    // modules may use them.
    plan_wat(
        "(component (core module
            (func (param v128) (result v128) local.get 0)
            (func (param v128) (result v128) local.get 0 return_call 0)))",
    )
    .expect("valid");
}

#[test]
fn component_lowered_type_flattens_with_the_shared_abi() {
    let p = plan_wat(STREAMS).expect("plan");
    let Some(Trampoline::LowerImport { ty, options, .. }) = p.trampolines.values().next() else {
        panic!("expected a lowered import: {p:?}");
    };
    let ty = &p.func_types[*ty];
    let params: Vec<_> = ty.params.iter().map(|(_, t)| *t).collect();
    let results: Vec<_> = ty.result.into_iter().collect();
    let table = p.types.table();
    let sig = table.flatten_functype(
        FuncSig {
            params: &params,
            results: &results,
        },
        FlattenOpts::default(),
        AbiContext::Lower,
    );
    // borrow handle, list (ptr, len), then a return pointer for the
    // result<_, u32> (2 flat values > MAX_FLAT_RESULTS).
    assert_eq!(sig.params.len(), 4);
    assert!(sig.results_in_memory && sig.results.is_empty());
    assert_eq!(
        options
            .memory
            .as_ref()
            .map(|m| (m.instance.as_u32(), m.name.as_str())),
        Some((0, "memory"))
    );
    let second = RuntimeInstanceIndex::from_u32(1);
    assert_eq!(
        p.instances[second].imports,
        vec![CoreDef::Trampoline(TrampolineIndex::from_u32(0))]
    );
}

#[test]
fn component_types_are_interned() {
    // Two lowerings of one function share a function type and its value
    // types.
    let wat = STREAMS.replace(
        "(core module $user",
        "(core func (canon lower (func $streams \"[method]output-stream.write\")
            (memory (core memory $m \"memory\"))))
         (core module $user",
    );
    let p = plan_wat(&wat).expect("plan");
    assert_eq!(p.trampolines.len(), 2);
    assert_eq!(p.func_types.len(), 1);
    let types = p.types.table().len();
    assert!(
        types <= 5,
        "{types} types for borrow, u8, list, u32, result"
    );
}
