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

// The compile-time choice of a command's `run` (`run_export`).

fn pick(names: &[&str]) -> Option<usize> {
    let choice = run_export::choose_run(names.iter().copied());
    match choice.kind {
        kiln_abi::component::program::RUN_P2 => Some(choice.export),
        kiln_abi::component::program::RUN_NONE => None,
        other => panic!("unexpected run kind {other}"),
    }
}

#[test]
fn exact_name_wins() {
    let names = [
        "wasi:cli/run@0.2.14#run",
        "wasi:cli/run@0.2.12#run",
        "wasi:cli/run@0.2.13#run",
    ];
    assert_eq!(pick(&names), Some(1));
}

#[test]
fn greatest_release_on_the_track() {
    let names = [
        "wasi:cli/run@0.2.1#run",
        "wasi:cli/run@0.2.0-rc-2023-12-05#run",
        "wasi:cli/run@0.2.13+abc#run",
        "wasi:cli/run@0.2.99-pre#run",
        "wasi:cli/run@0.2.5#run",
    ];
    assert_eq!(pick(&names), Some(2));
}

#[test]
fn pre_releases_other_tracks_and_other_functions_do_not_match() {
    assert_eq!(pick(&["wasi:cli/run@0.2.0-rc-2023-12-05#run"]), None);
    assert_eq!(
        pick(&["wasi:cli/run@0.1.0#run", "wasi:cli/run@1.2.0#run"]),
        None
    );
    assert_eq!(
        pick(&["wasi:cli/run@0.2.0#go", "wasi:cli/runner@0.2.0#run"]),
        None
    );
    assert_eq!(pick(&["run", "wasi:cli/run@0.2#run"]), None);
    assert_eq!(pick(&["wasi:cli/run@0.2.0#run"]), Some(0));
}

#[test]
fn build_metadata_orders() {
    let names = [
        "wasi:cli/run@0.2.3+b#run",
        "wasi:cli/run@0.2.3+a#run",
        "wasi:cli/run@0.2.3#run",
    ];
    assert_eq!(pick(&names), Some(0));
}

#[test]
fn a_wasi_0_3_run_wins_over_0_2() {
    let names = [
        "wasi:cli/run@0.2.6#run",
        "wasi:cli/run@0.3.0-rc-2025-09-16#run",
        "wasi:cli/run@0.3.0#run",
    ];
    let choice = run_export::choose_run(names.iter().copied());
    assert_eq!(choice.kind, kiln_abi::component::program::RUN_P3);
    assert_eq!(choice.export, 1);
}

/// Two components, the root lowering what the child lifted: `f` takes one
/// parameter of type `param`, `core` the core parameters it flattens to.
fn composed_wat(param: &str, core: &str) -> String {
    format!(
        r#"(component
  (component $lib
    (core module $m
      (memory (export "memory") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 64))
      (func (export "f") (param {core})))
    (core instance $i (instantiate $m))
    (func (export "f") (param "x" {param})
      (canon lift (core func $i "f") (memory (core memory $i "memory"))
        (realloc (core func $i "realloc")))))
  (instance $lib (instantiate $lib))
  (core module $mm
    (memory (export "memory") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 64)))
  (core instance $mm (instantiate $mm))
  (core func $f (canon lower (func $lib "f") (memory (core memory $mm "memory"))
    (realloc (core func $mm "realloc"))))
  (core module $main (import "" "f" (func (param {core}))))
  (core instance (instantiate $main (with "" (instance (export "f" (func $f))))))
)"#
    )
}

/// The module name in `bytes`' name section.
fn module_name(bytes: &[u8]) -> Option<String> {
    wasmparser::Parser::new(0)
        .parse_all(bytes)
        .find_map(|payload| match payload {
            Ok(wasmparser::Payload::CustomSection(c)) => match c.as_known() {
                wasmparser::KnownCustom::Name(names) => names.into_iter().find_map(|n| match n {
                    Ok(wasmparser::Name::Module { name, .. }) => Some(name.to_string()),
                    _ => None,
                }),
                _ => None,
            },
            _ => None,
        })
}

#[test]
fn composed_calls_get_one_named_adapter_module_each() {
    // Values through memory, and more strings than Wasmtime's adapters
    // move inline (Kiln's always do).
    for (param, core) in [
        ("(list (tuple string u8))", "i32 i32"),
        (
            "(tuple string string string string string string string string string string string string string string string string string string string string string string string string string string)",
            "i32",
        ),
    ] {
        let wasm = wat::parse_str(composed_wat(param, core)).expect("parses");
        let plan = plan(&wasm, &Config::default()).expect("plans");
        let generated: Vec<&Vec<u8>> = plan
            .modules
            .iter()
            .filter_map(|(_, m)| m.generated.as_ref())
            .collect();
        assert_eq!(generated.len(), 1, "{param}: one adapter module");
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(generated[0])
            .expect("a valid module");
        assert_eq!(
            module_name(generated[0]).as_deref(),
            Some(adapter::MODULE_NAME),
            "{param}"
        );
    }
}

/// Built-ins' option records have no function type (`u32::MAX`): the
/// object writer must not make an entity index of it (in builds with debug
/// assertions, `FuncTypeIndex::from_u32` panicked on it; the component-
/// validate fuzzer, built so, found it).
#[test]
fn component_builtin_options_without_function_type_compile() {
    let wasm = wat::parse_str(
        r#"(component
          (core func $ret (canon task.return (result u32)))
          (core func $ws (canon waitable-set.new))
          (core module $m
            (import "" "ret" (func $ret (param i32)))
            (import "" "ws" (func (result i32)))
            (func (export "go") (result i32) (call $ret (i32.const 1)) (i32.const 0))
            (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
          (core instance $i (instantiate $m
            (with "" (instance (export "ret" (func $ret)) (export "ws" (func $ws))))))
          (func (export "go") async (result u32)
            (canon lift (core func $i "go") async (callback (core func $i "cb")))))"#,
    )
    .expect("wat");
    crate::compile_component(&wasm, &Config::default()).expect("compiles");
}
