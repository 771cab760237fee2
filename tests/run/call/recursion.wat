;; Mutual recursion, tail position calls and return_call-free deep chains.
(module
  (func $even (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1))
      (else (call $odd (i32.sub (local.get 0) (i32.const 1))))))
  (func $odd (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (call $even (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "is_even") (param i32) (result i32) (call $even (local.get 0)))
  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "fib") (param i32) (result i32) (call $fib (local.get 0)))
  ;; Arguments of every type survive calls (and callee-saved registers).
  (func $mix (param i32 i64 f32 f64) (result f64)
    (f64.add (f64.add (f64.convert_i32_s (local.get 0)) (f64.convert_i64_s (local.get 1)))
             (f64.add (f64.promote_f32 (local.get 2)) (local.get 3))))
  (func (export "mix") (result f64)
    (local $x i32) (local $y i64) (local $z f64)
    (local.set $x (i32.const -3))
    (local.set $y (i64.const 10000000000))
    (local.set $z (call $mix (local.get $x) (local.get $y) (f32.const 0.5) (f64.const 0.25)))
    (f64.add (local.get $z) (f64.convert_i32_s (local.get $x))))
)
;; kiln-test: invoke = "is_even 10"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "is_even 7777"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "fib 25"
;; kiln-test: expect = "75025"
;; -3 + 1e10 + 0.5 + 0.25 - 3 = 9999999994.75
;; kiln-test: invoke = "mix"
;; kiln-test: expect = "9999999994.75"
