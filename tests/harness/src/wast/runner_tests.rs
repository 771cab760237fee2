//! The runner on small scripts of our own: every directive kind passes when
//! it should and fails when it should (so a green spec run means something).

use super::{ScriptOutcome, run_script};
use wasmparser::WasmFeatures;

fn run(script: &str) -> ScriptOutcome {
    run_script("test.wast", script, WasmFeatures::WASM2)
}

/// The lines of the failed directives.
fn failed_lines(o: &ScriptOutcome) -> Vec<usize> {
    o.failures.iter().map(|f| f.line).collect()
}

#[test]
fn passing_directives_pass() {
    let o = run(r#"
(module $m
  (global (export "g") (mut i32) (i32.const 7))
  (memory 1)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0)))
  (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func $rec (export "rec") (call $rec))
  (func (export "id") (param externref) (result externref) (local.get 0))
  (func (export "f") (result funcref) (ref.func $rec))
  (func (export "v") (result v128) (v128.const i32x4 1 2 3 -1)))
(register "m" $m)
(module binary "\00asm" "\01\00\00\00")
(module quote "(func (export \"q\") (result i32) (i32.const 5))")
(assert_return (invoke "q") (i32.const 5))
(assert_return (invoke $m "add" (i32.const 2) (i32.const 3)) (i32.const 5))
(assert_return (invoke $m "nan") (f32.const nan:canonical))
(assert_return (invoke $m "nan") (f32.const nan:arithmetic))
(assert_return (get $m "g") (i32.const 7))
(assert_return (invoke $m "id" (ref.extern 0)) (ref.extern 0))
(assert_return (invoke $m "id" (ref.null extern)) (ref.null extern))
(assert_return (invoke $m "f") (ref.func))
(assert_return (invoke $m "v") (v128.const i32x4 1 2 3 -1))
(assert_trap (invoke $m "div" (i32.const 0)) "integer divide by zero")
(assert_trap (invoke $m "load" (i32.const 65536)) "out of bounds memory access")
(assert_exhaustion (invoke $m "rec") "call stack exhausted")
(invoke $m "add" (i32.const 1) (i32.const 1))
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_malformed (module binary "\00asm\01") "unexpected end")
(assert_malformed (module quote "(func (i32.const))") "unexpected token")
(assert_unlinkable (module (import "m" "nope" (func))) "unknown import")
(assert_unlinkable (module (import "m" "add" (func (param i64)))) "incompatible import type")
(module (import "spectest" "print_i32" (func (param i32))) (import "spectest" "global_i32" (global i32))
  (import "spectest" "memory" (memory 1)) (import "spectest" "table" (table 10 funcref))
  (import "m" "g" (global (mut i32))))
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(module definition $d (func (export "k") (result i32) (i32.const 9)))
(module instance $i $d)
(assert_return (invoke $i "k") (i32.const 9))
"#);
    assert!(o.failures.is_empty(), "{:#?}", o.failures);
    assert_eq!(o.passed, 27);
}

#[test]
fn failing_directives_fail() {
    let o = run(r#"
(module
  (func (export "one") (result i32) (i32.const 1))
  (func (export "nan") (result f32) (f32.const nan:0x200000))
  (func (export "trap") unreachable))
(assert_return (invoke "one") (i32.const 2))
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_return (invoke "one") (i64.const 1))
(assert_trap (invoke "one") "unreachable")
(assert_trap (invoke "trap") "integer overflow")
(assert_return (invoke "trap"))
(assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch")
(assert_malformed (module binary "\00asm\01\00\00\00") "whatever")
(assert_unlinkable (module (func)) "unknown import")
(invoke "missing")
(module (import "nowhere" "f" (func)))
(assert_return (invoke "one") (i32.const 1))
"#);
    assert_eq!(
        failed_lines(&o),
        (6..=16).collect::<Vec<_>>(),
        "{:#?}",
        o.failures
    );
    assert_eq!(o.passed, 2);
}

#[test]
fn restricted_features_make_modules_invalid() {
    // Multi-memory is not in WebAssembly 2.0: invalid there, not unsupported.
    let o = run(r#"(assert_invalid (module (memory 1) (memory 1)) "multiple memories")"#);
    assert!(o.failures.is_empty(), "{:#?}", o.failures);
    let o = run_script(
        "test.wast",
        r#"(module (memory 1) (memory 1))"#,
        WasmFeatures::WASM2.union(WasmFeatures::MULTI_MEMORY),
    );
    assert!(o.failures.is_empty(), "{:#?}", o.failures);
}

#[test]
fn parse_errors_fail_the_script() {
    let o = run("(module (func)");
    assert_eq!(o.passed, 0);
    assert_eq!(o.failures.len(), 1);
}

#[test]
fn threads_share_a_module_and_join() {
    let o = run_script(
        "test.wast",
        r#"
(module $Mem (memory (export "shared") 1 1 shared))
(thread $T1 (shared (module $Mem))
  (register "mem" $Mem)
  (module
    (memory (import "mem" "shared") 1 1 shared)
    (func (export "run") (i32.atomic.store (i32.const 0) (i32.const 42))))
  (invoke "run"))
(thread $T2 (shared (module $Mem))
  (assert_return (invoke "nothing-here") (i32.const 0)))
(wait $T1)
(wait $T2)
(register "mem" $Mem)
(module
  (memory (import "mem" "shared") 1 1 shared)
  (func (export "get") (result i32) (i32.atomic.load (i32.const 0))))
(assert_return (invoke "get") (i32.const 42))
"#,
        WasmFeatures::WASM2.union(WasmFeatures::THREADS),
    );
    // T2's directive fails (no instance in the thread): failures of a
    // thread count like the script's own.
    assert_eq!(failed_lines(&o), vec![10], "{:#?}", o.failures);
    assert_eq!(o.passed, 11);
}
