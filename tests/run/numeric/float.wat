;; f32/f64 arithmetic, rounding, min/max with signed zeros and NaN, and the
;; bit-exact sign operations (abs/neg/copysign never change NaN payloads).
;; Results print as Rust's `Display` does in `wasmtime run --invoke`:
;; `-0`, `NaN`, `inf`, no exponent.
(module
  (func (export "f32_add") (param f32 f32) (result f32) (f32.add (local.get 0) (local.get 1)))
  (func (export "f64_add") (param f64 f64) (result f64) (f64.add (local.get 0) (local.get 1)))
  (func (export "f32_div") (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1)))
  (func (export "f64_mul") (param f64 f64) (result f64) (f64.mul (local.get 0) (local.get 1)))
  (func (export "f32_min") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
  (func (export "f32_max") (param f32 f32) (result f32) (f32.max (local.get 0) (local.get 1)))
  (func (export "f64_min") (param f64 f64) (result f64) (f64.min (local.get 0) (local.get 1)))
  (func (export "f64_max") (param f64 f64) (result f64) (f64.max (local.get 0) (local.get 1)))
  (func (export "f32_min_nan") (result f32) (f32.min (f32.const nan) (f32.const 1)))
  (func (export "f64_max_nan") (result f64) (f64.max (f64.const -1) (f64.const nan)))
  (func (export "f32_nearest") (param f32) (result f32) (f32.nearest (local.get 0)))
  (func (export "f64_nearest") (param f64) (result f64) (f64.nearest (local.get 0)))
  (func (export "f64_trunc") (param f64) (result f64) (f64.trunc (local.get 0)))
  (func (export "f32_ceil") (param f32) (result f32) (f32.ceil (local.get 0)))
  (func (export "f64_floor") (param f64) (result f64) (f64.floor (local.get 0)))
  (func (export "f64_sqrt") (param f64) (result f64) (f64.sqrt (local.get 0)))
  (func (export "f32_sqrt_neg") (result f32) (f32.sqrt (f32.const -1)))
  (func (export "f32_copysign") (param f32 f32) (result f32) (f32.copysign (local.get 0) (local.get 1)))
  (func (export "f64_copysign") (param f64 f64) (result f64) (f64.copysign (local.get 0) (local.get 1)))
  ;; Sign operations on raw bits.
  (func (export "f32_abs_bits") (param i32) (result i32)
    (i32.reinterpret_f32 (f32.abs (f32.reinterpret_i32 (local.get 0)))))
  (func (export "f32_neg_bits") (param i32) (result i32)
    (i32.reinterpret_f32 (f32.neg (f32.reinterpret_i32 (local.get 0)))))
  (func (export "f64_neg_bits") (param i64) (result i64)
    (i64.reinterpret_f64 (f64.neg (f64.reinterpret_i64 (local.get 0)))))
  (func (export "f64_copysign_bits") (param i64 i64) (result i64)
    (i64.reinterpret_f64
      (f64.copysign (f64.reinterpret_i64 (local.get 0)) (f64.reinterpret_i64 (local.get 1)))))
  ;; Comparisons with NaN are all false except ne.
  (func (export "nan_cmp") (result i32)
    (i32.add (i32.add (i32.add
      (f32.eq (f32.const nan) (f32.const nan))
      (i32.shl (f32.ne (f32.const nan) (f32.const nan)) (i32.const 1)))
      (i32.shl (f64.lt (f64.const nan) (f64.const 0)) (i32.const 2)))
      (i32.shl (f64.ge (f64.const nan) (f64.const 0)) (i32.const 3))))
  (func (export "f32_zero_eq") (result i32) (f32.eq (f32.const -0) (f32.const 0)))
  (func (export "f32_const") (result f32) (f32.const 0x1.fffffep+127))
  (func (export "f64_const") (result f64) (f64.const -0x1p-1074))
  (func (export "fma_like") (param f64 f64 f64) (result f64)
    (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
)
;; kiln-test: invoke = "f32_add 1.5 2.25"
;; kiln-test: expect = "3.75"
;; kiln-test: invoke = "f64_add 0.1 0.2"
;; kiln-test: expect = "0.30000000000000004"
;; kiln-test: invoke = "f32_div 1 0"
;; kiln-test: expect = "inf"
;; kiln-test: invoke = "f32_div -1 0"
;; kiln-test: expect = "-inf"
;; kiln-test: invoke = "f32_div 0 0"
;; kiln-test: expect = "NaN"
;; kiln-test: invoke = "f64_mul 1e300 1e300"
;; kiln-test: expect = "inf"
;; kiln-test: invoke = "f32_min -0 0"
;; kiln-test: expect = "-0"
;; kiln-test: invoke = "f32_min 0 -0"
;; kiln-test: expect = "-0"
;; kiln-test: invoke = "f32_max -0 0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "f64_min -0 0"
;; kiln-test: expect = "-0"
;; kiln-test: invoke = "f64_max 0 -0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "f64_max 3 -7"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "f32_min_nan"
;; kiln-test: expect = "NaN"
;; kiln-test: invoke = "f64_max_nan"
;; kiln-test: expect = "NaN"
;; kiln-test: invoke = "f32_nearest 2.5"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "f32_nearest 3.5"
;; kiln-test: expect = "4"
;; kiln-test: invoke = "f64_nearest -0.5"
;; kiln-test: expect = "-0"
;; kiln-test: invoke = "f64_nearest 4503599627370497"
;; kiln-test: expect = "4503599627370497"
;; kiln-test: invoke = "f64_trunc -1.7"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "f32_ceil -0.5"
;; kiln-test: expect = "-0"
;; kiln-test: invoke = "f64_floor -0.5"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "f64_sqrt 2"
;; kiln-test: expect = "1.4142135623730951"
;; kiln-test: invoke = "f32_sqrt_neg"
;; kiln-test: expect = "NaN"
;; kiln-test: invoke = "f32_copysign 1.5 -0"
;; kiln-test: expect = "-1.5"
;; kiln-test: invoke = "f64_copysign -2 3"
;; kiln-test: expect = "2"
;; 0xffc00000 (negative quiet NaN) -> 0x7fc00000
;; kiln-test: invoke = "f32_abs_bits -4194304"
;; kiln-test: expect = "2143289344"
;; 0x7fc00001 -> 0xffc00001
;; kiln-test: invoke = "f32_neg_bits 2143289345"
;; kiln-test: expect = "-4194303"
;; 0x7ff4000000000000 (signalling NaN) -> 0xfff4000000000000, payload kept
;; kiln-test: invoke = "f64_neg_bits 9219994337134247936"
;; kiln-test: expect = "-3377699720527872"
;; copysign(0x7ff8000000000001, -0.0 bits 0x8000000000000000) -> 0xfff8000000000001
;; kiln-test: invoke = "f64_copysign_bits 9221120237041090561 -9223372036854775808"
;; kiln-test: expect = "-2251799813685247"
;; kiln-test: invoke = "nan_cmp"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "f32_zero_eq"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "f32_const"
;; kiln-test: expect = "340282350000000000000000000000000000000"
;; kiln-test: invoke = "f64_const"
;; kiln-test: expect = "-0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000005"
;; No fusing: 0.1 * 10 rounds to 1 exactly, then 1 - 1 = 0.
;; kiln-test: invoke = "fma_like 0.1 10 -1"
;; kiln-test: expect = "0"
