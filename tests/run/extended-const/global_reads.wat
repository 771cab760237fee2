;; Constant expressions reading earlier immutable globals (defined ones too,
;; as wasm 3.0 allows), alone and inside extended-const arithmetic: global
;; initializers, a data segment offset, an element segment offset and item;
;; a table initializer (tables precede globals, so it cannot read them)
;; uses ref.func. Evaluated at instantiation, in order.
;; kiln-test: wasmtime-flags = "-W extended-const,function-references"
(module
  (memory (export "memory") 1)
  (global $base i32 (i32.const 40))
  (global $copy i32 (global.get $base))
  (global $sum i32 (i32.add (global.get $base) (i32.mul (global.get $copy) (i32.const 2))))
  (global $big i64 (i64.const 1000000000000))
  (global $big2 i64 (i64.sub (i64.mul (global.get $big) (i64.const 3)) (i64.const 1)))
  (global $f funcref (ref.func $seven))
  (data (i32.add (global.get $base) (i32.const 60)) "ok")
  (table $t 8 funcref)
  (elem (table $t) (i32.sub (global.get $base) (i32.const 38)) funcref (global.get $f))
  (table $u 2 funcref (ref.func $seven))
  (type $v2i (func (result i32)))
  (func $seven (result i32) (i32.const 7))
  (func (export "copy") (result i32) (global.get $copy))
  (func (export "sum") (result i32) (global.get $sum))
  (func (export "big2") (result i64) (global.get $big2))
  (func (export "data") (result i32) (i32.load16_u (i32.const 100)))
  (func (export "elem") (result i32) (call_indirect $t (type $v2i) (i32.const 2)))
  (func (export "table_init") (result i32) (call_indirect $u (type $v2i) (i32.const 1))))
;; kiln-test: invoke = "copy"
;; kiln-test: expect = "40"
;; kiln-test: invoke = "sum"
;; kiln-test: expect = "120"
;; kiln-test: invoke = "big2"
;; kiln-test: expect = "2999999999999"
;; kiln-test: invoke = "data"
;; kiln-test: expect = "27503"
;; kiln-test: invoke = "elem"
;; kiln-test: expect = "7"
;; kiln-test: invoke = "table_init"
;; kiln-test: expect = "7"
