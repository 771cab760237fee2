;; Float loads, stores, locals, globals, parameters, results and select keep
;; NaN payloads bit for bit (a signalling NaN must not be quietened), as
;; must reinterpretations.
(module
  (memory 1)
  (global $g (mut f32) (f32.const 0))
  (global $h (mut f64) (f64.const 0))
  (func $id32 (param f32) (result f32) (local.get 0))
  (func $id64 (param f64) (result f64) (local.get 0))
  (func (export "f32_roundtrip") (param $bits i32) (result i32)
    (local $x f32)
    (i32.store (i32.const 0) (local.get $bits))
    (local.set $x (f32.load (i32.const 0)))
    (global.set $g (call $id32 (local.get $x)))
    (f32.store (i32.const 8) (select (global.get $g) (f32.const 1) (i32.const 1)))
    (i32.load (i32.const 8)))
  (func (export "f64_roundtrip") (param $bits i64) (result i64)
    (local $x f64)
    (i64.store (i32.const 16) (local.get $bits))
    (local.set $x (f64.load (i32.const 16)))
    (global.set $h (call $id64 (local.get $x)))
    (f64.store (i32.const 24) (select (global.get $h) (f64.const 1) (i32.const 1)))
    (i64.load (i32.const 24)))
  (func (export "f32_const_bits") (result i32)
    (i32.reinterpret_f32 (f32.const nan:0x200001)))
  (func (export "f64_const_bits") (result i64)
    (i64.reinterpret_f64 (f64.const -nan:0x4000000000001)))
)
;; 0x7fa00001: signalling NaN
;; kiln-test: invoke = "f32_roundtrip 2141192193"
;; kiln-test: expect = "2141192193"
;; 0xff800001: negative signalling NaN
;; kiln-test: invoke = "f32_roundtrip -8388607"
;; kiln-test: expect = "-8388607"
;; 0x7ff0000000000001
;; kiln-test: invoke = "f64_roundtrip 9218868437227405313"
;; kiln-test: expect = "9218868437227405313"
;; kiln-test: invoke = "f32_const_bits"
;; kiln-test: expect = "2141192193"
;; 0xfff4000000000001
;; kiln-test: invoke = "f64_const_bits"
;; kiln-test: expect = "-3377699720527871"
