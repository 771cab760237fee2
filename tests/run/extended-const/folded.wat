;; Extended constant expressions without global reads: i32/i64 add, sub and
;; mul (wrapping) in global initializers, data and element segment offsets.
;; kiln-test: wasmtime-flags = "-W extended-const"
(module
  (memory (export "memory") 1)
  (global $g32 i32 (i32.sub (i32.mul (i32.const 6) (i32.const 7)) (i32.const 2)))
  (global $g64 i64 (i64.mul (i64.const 0x7fffffffffffffff) (i64.const 3)))
  (global $wrap i32 (i32.add (i32.const 0x7fffffff) (i32.const 1)))
  (data (i32.add (i32.const 100) (i32.mul (i32.const 2) (i32.const 4))) "hi")
  (table 8 funcref)
  (elem (i32.sub (i32.const 10) (i32.const 7)) func $five)
  (type $v2i (func (result i32)))
  (func $five (result i32) (i32.const 5))
  (func (export "g32") (result i32) (global.get $g32))
  (func (export "g64") (result i64) (global.get $g64))
  (func (export "wrap") (result i32) (global.get $wrap))
  (func (export "data") (result i32) (i32.load16_u (i32.const 108)))
  (func (export "elem") (result i32) (call_indirect (type $v2i) (i32.const 3))))
;; kiln-test: invoke = "g32"
;; kiln-test: expect = "40"
;; kiln-test: invoke = "g64"
;; kiln-test: expect = "9223372036854775805"
;; kiln-test: invoke = "wrap"
;; kiln-test: expect = "-2147483648"
;; kiln-test: invoke = "data"
;; kiln-test: expect = "26984"
;; kiln-test: invoke = "elem"
;; kiln-test: expect = "5"
