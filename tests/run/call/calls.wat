;; Direct calls: recursion, multi-value results, many arguments, and
;; stack exhaustion.
(module
  (func $fac (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
  (func (export "fac") (param i64) (result i64) (call $fac (local.get 0)))

  (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
  (func (export "swap_sub") (param i32 i32) (result i32)
    (call $swap (local.get 0) (local.get 1))
    (i32.sub))

  (func $many (param i32 i64 f32 f64 i32 i64 f32 f64 i32 i64 f32 f64 i32 i64 f32 f64)
    (result i64 f64 i32 i32 i32 i32 i32 i32)
    (i64.add (local.get 1) (local.get 13))
    (f64.add (local.get 3) (local.get 15))
    (local.get 0) (local.get 4) (local.get 8) (local.get 12)
    (i32.trunc_f32_s (local.get 14)) (i32.const 9))
  (func (export "many") (result i64)
    (local i64 f64)
    (call $many
      (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4)
      (i32.const 5) (i64.const 6) (f32.const 7) (f64.const 8)
      (i32.const 9) (i64.const 10) (f32.const 11) (f64.const 12)
      (i32.const 13) (i64.const 14) (f32.const 15) (f64.const 16))
    ;; 1 + 5 + 9 + 13 + 15 + 9 = 52 from the i32s.
    (i32.add) (i32.add) (i32.add) (i32.add) (i32.add)
    (i64.extend_i32_u)
    (local.set 0)
    (drop) ;; the f64 (4 + 16)
    ;; 16 + 52
    (i64.add (local.get 0)))

  (func $deep (param i32) (result i32)
    (i32.add (call $deep (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "overflow") (result i32) (call $deep (i32.const 0))))

;; kiln-test: invoke = "fac 10"
;; kiln-test: expect = "3628800"
;; kiln-test: invoke = "fac 20"
;; kiln-test: expect = "2432902008176640000"
;; kiln-test: invoke = "swap_sub 10 3"
;; kiln-test: expect = "-7"
;; kiln-test: invoke = "many"
;; kiln-test: expect = "68"
;; kiln-test: invoke = "overflow"
;; kiln-test: trap = "call stack exhausted"
