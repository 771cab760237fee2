;; Differential fuzzing against wasmi 2.0.0 (finding in the reference, not
;; Kiln): wasm-smith guards divisors as `select(1, x, x == 0)`, and wasmi
;; 2.0.0 picked the wrong operand (7 / select(1, 3, 0) gave 7, and with
;; x = 0 it trapped dividing by zero). Kiln and wasmtime pick x when the
;; condition is 0; the fuzz oracle now uses wasmi 1.1. This pins Kiln's
;; side of the pattern.
(module
  (func (export "div") (param i32) (result i32)
    i32.const 7
    i32.const 1 local.get 0 local.get 0 i32.eqz select
    i32.div_u)
  (func (export "rem") (param i32) (result i32)
    i32.const 7
    i32.const 1 local.get 0 local.get 0 i32.eqz select
    i32.rem_u))
;; kiln-test: invoke = "div 3"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "div 0"
;; kiln-test: expect = "7"
;; kiln-test: invoke = "rem 3"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "rem 0"
;; kiln-test: expect = "0"
