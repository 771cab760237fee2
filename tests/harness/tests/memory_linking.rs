//! Linking of multi-memory, memory64, table64 and custom-page-size entities
//! between instances, as wast scripts of our own run by the spec harness: an
//! imported memory64 or table64 is the owner's (growth on either side is seen
//! by both, and the importer's explicit bounds checks use the live length),
//! and imports whose index type or page size differ are unlinkable.

use kiln_test_harness::wast::run_script;
use wasmparser::WasmFeatures as F;

fn run(name: &str, text: &str) {
    let features = F::WASM2
        .union(F::MULTI_MEMORY)
        .union(F::MEMORY64)
        .union(F::CUSTOM_PAGE_SIZES);
    let outcome = run_script(name, text, features);
    assert!(
        outcome.failures.is_empty(),
        "{name}: {} passed, failures: {:#?}",
        outcome.passed,
        outcome.failures
    );
    assert!(outcome.passed > 0, "{name}: nothing ran");
}

#[test]
fn imported_memory64_and_small_pages_share_the_owner_length() {
    run(
        "memory64_import.wast",
        r#"
(module $owner
  (memory (export "m64") i64 1 10)
  (memory (export "bytes") 4 (pagesize 1))
  (func (export "grow64") (param i64) (result i64) (memory.grow (local.get 0)))
  (func (export "load64") (param i64) (result i32) (i32.load8_u (local.get 0))))
(register "owner" $owner)
(module $user
  (memory $a (import "owner" "m64") i64 1)
  (memory $b (import "owner" "bytes") 2 (pagesize 1))
  (func (export "store") (param i64 i32) (i32.store8 $a (local.get 0) (local.get 1)))
  (func (export "size") (result i64) (memory.size $a))
  (func (export "grow") (param i64) (result i64) (memory.grow $a (local.get 0)))
  (func (export "load_b") (param i32) (result i32) (i32.load8_u $b (local.get 0)))
  (func (export "grow_b") (param i32) (result i32) (memory.grow $b (local.get 0))))
(assert_trap (invoke $user "store" (i64.const 65536) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke $owner "grow64" (i64.const 1)) (i64.const 1))
(assert_return (invoke $user "size") (i64.const 2))
(assert_return (invoke $user "store" (i64.const 131071) (i32.const 5)))
(assert_return (invoke $owner "load64" (i64.const 131071)) (i32.const 5))
(assert_return (invoke $user "grow" (i64.const 8)) (i64.const 2))
(assert_return (invoke $user "grow" (i64.const 1)) (i64.const -1))
(assert_return (invoke $user "load_b" (i32.const 3)) (i32.const 0))
(assert_trap (invoke $user "load_b" (i32.const 4)) "out of bounds memory access")
(assert_return (invoke $user "grow_b" (i32.const 1)) (i32.const 4))
(assert_return (invoke $user "load_b" (i32.const 4)) (i32.const 0))
(assert_trap (invoke $user "load_b" (i32.const 5)) "out of bounds memory access")
(assert_unlinkable
  (module (memory (import "owner" "m64") 1))
  "incompatible import type")
(assert_unlinkable
  (module (memory (import "owner" "bytes") i64 2 (pagesize 1)))
  "incompatible import type")
(assert_unlinkable
  (module (memory (import "owner" "bytes") 0))
  "incompatible import type")
"#,
    );
}

#[test]
fn imported_table64_is_the_owner_table() {
    run(
        "table64_import.wast",
        r#"
(module $owner
  (type $i2i (func (param i32) (result i32)))
  (table $t (export "t64") i64 2 funcref)
  (table (export "t32") 1 funcref)
  (elem (table $t) (i64.const 0) func $double)
  (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "size") (result i64) (table.size $t))
  (func (export "call") (param i64 i32) (result i32)
    (call_indirect $t (type $i2i) (local.get 1) (local.get 0))))
(register "owner" $owner)
(module $user
  (type $i2i (func (param i32) (result i32)))
  (table $t (import "owner" "t64") i64 1 funcref)
  (elem (table $t) (i64.const 1) func $triple)
  (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func (export "grow") (param i64) (result i64) (table.grow $t (ref.func $triple) (local.get 0)))
  (func (export "call") (param i64 i32) (result i32)
    (call_indirect $t (type $i2i) (local.get 1) (local.get 0))))
(assert_return (invoke $owner "call" (i64.const 1) (i32.const 5)) (i32.const 15))
(assert_return (invoke $user "call" (i64.const 0) (i32.const 5)) (i32.const 10))
(assert_return (invoke $user "grow" (i64.const 2)) (i64.const 2))
(assert_return (invoke $owner "size") (i64.const 4))
(assert_return (invoke $owner "call" (i64.const 3) (i32.const 2)) (i32.const 6))
(assert_trap (invoke $user "call" (i64.const 0x100000000) (i32.const 1)) "undefined element")
(assert_unlinkable
  (module (table (import "owner" "t64") 1 funcref))
  "incompatible import type")
(assert_unlinkable
  (module (table (import "owner" "t32") i64 1 funcref))
  "incompatible import type")
"#,
    );
}
