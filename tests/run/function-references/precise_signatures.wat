;; Signature checks see precise reference types: a function taking a
;; non-null (ref $t) is not a function taking funcref or (ref null $t), so
;; call_indirect through those types traps instead of letting the callee
;; call_ref a reference it assumed typed and non-null. Structurally equal
;; types still match.
;; kiln-test: wasmtime-flags = "-W function-references"
(module
  (type $t (func (result i32)))
  (type $takes_t (func (param (ref $t)) (result i32)))
  (type $takes_t_again (func (param (ref $t)) (result i32)))
  (type $takes_null_t (func (param (ref null $t)) (result i32)))
  (type $takes_func (func (param funcref) (result i32)))
  (func $one (type $t) (i32.const 1))
  (func $use (type $takes_t) (i32.add (call_ref $t (local.get 0)) (i32.const 10)))
  (table 1 funcref)
  (elem (i32.const 0) func $use)
  (elem declare func $one)
  (func (export "exact") (result i32)
    (call_indirect (type $takes_t) (ref.func $one) (i32.const 0)))
  (func (export "equal") (result i32)
    (call_indirect (type $takes_t_again) (ref.func $one) (i32.const 0)))
  (func (export "nullable") (result i32)
    (call_indirect (type $takes_null_t) (ref.null $t) (i32.const 0)))
  (func (export "untyped") (result i32)
    (call_indirect (type $takes_func) (ref.func $one) (i32.const 0))))
;; kiln-test: invoke = "exact"
;; kiln-test: expect = "11"
;; kiln-test: invoke = "equal"
;; kiln-test: expect = "11"
;; kiln-test: invoke = "nullable"
;; kiln-test: trap = "indirect call type mismatch"
;; kiln-test: invoke = "untyped"
;; kiln-test: trap = "indirect call type mismatch"
