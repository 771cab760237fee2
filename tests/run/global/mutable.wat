;; Mutable globals of every numeric type keep their values across calls; an
;; exported mutable global is just a global here. (Initializing a global
;; from a non-imported global needs the GC proposal: see
;; `unsupported/global_init_from_global.wat`.)
(module
  (global $a (mut i32) (i32.const -5))
  (global $b (mut i64) (i64.const 0x7fffffffffffffff))
  (global $c (mut f32) (f32.const 1.5))
  (global $d (mut f64) (f64.const -0.25))
  (global $k i32 (i32.const 40))
  (global $e (export "counter") (mut i32) (i32.const 0))
  (func $bump (result i32)
    (global.set $e (i32.add (global.get $e) (i32.const 1)))
    (global.get $e))
  (func (export "bump_thrice") (result i32)
    (drop (call $bump)) (drop (call $bump)) (call $bump))
  (func (export "update_all") (result f64)
    (global.set $a (i32.mul (global.get $a) (i32.const 3)))
    (global.set $b (i64.add (global.get $b) (i64.const 1)))
    (global.set $c (f32.mul (global.get $c) (f32.const 2)))
    (global.set $d (f64.sub (global.get $d) (f64.const 1)))
    (f64.add
      (f64.add (f64.convert_i32_s (global.get $a)) (f64.convert_i64_s (global.get $b)))
      (f64.add (f64.promote_f32 (global.get $c)) (global.get $d))))
  (func (export "derived") (result i32) (i32.add (global.get $k) (i32.const 2)))
)
;; kiln-test: invoke = "bump_thrice"
;; kiln-test: expect = "3"
;; -15 + (-2^63) + 3 + -1.25
;; kiln-test: invoke = "update_all"
;; kiln-test: expect = "-9223372036854776000"
;; kiln-test: invoke = "derived"
;; kiln-test: expect = "42"
