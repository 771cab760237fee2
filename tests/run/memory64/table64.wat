;; table64 (part of memory64): tables with i64 indices. table.get/set/size/
;; grow/fill/copy/init and call_indirect take and return i64 (table.init:
;; i32 segment offset and length; table.copy between a 32-bit and a 64-bit
;; table: each index in its table's type, an i32 length); indices are never
;; truncated to 32 bits.
(module
  (type $i2i (func (param i32) (result i32)))
  (table $t i64 2 10 funcref)
  (table $u 3 funcref)
  (elem (table $t) (i64.const 0) func $double $triple)
  (elem $p func $triple $double)
  (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
  (func (export "call") (param i64 i32) (result i32)
    (call_indirect $t (type $i2i) (local.get 1) (local.get 0)))
  (func (export "size") (result i64) (table.size $t))
  (func (export "grow") (param i64) (result i64)
    (table.grow $t (ref.func $double) (local.get 0)))
  (func (export "grow_call") (param i64 i64 i32) (result i32)
    (drop (table.grow $t (ref.func $triple) (local.get 0)))
    (call_indirect $t (type $i2i) (local.get 2) (local.get 1)))
  (func (export "get_is_null") (param i64) (result i32)
    (ref.is_null (table.get $t (local.get 0))))
  (func (export "set_call") (param i64 i64) (result i32)
    (table.set $t (local.get 0) (table.get $t (local.get 1)))
    (call_indirect $t (type $i2i) (i32.const 5) (local.get 0)))
  (func (export "fill_call") (param i64 i64 i64) (result i32)
    (table.fill $t (local.get 0) (ref.func $triple) (local.get 1))
    (call_indirect $t (type $i2i) (i32.const 5) (local.get 2)))
  (func (export "copy_call") (param i64 i64 i64) (result i32)
    (table.copy $t $t (local.get 0) (local.get 1) (local.get 2))
    (call_indirect $t (type $i2i) (i32.const 5) (local.get 0)))
  (func (export "copy_32_to_64") (param i64 i32 i32) (result i32)
    (table.copy $t $u (local.get 0) (local.get 1) (local.get 2))
    (ref.is_null (table.get $t (i64.const 0))))
  (func (export "copy_64_to_32") (param i32 i64 i32) (result i32)
    (table.copy $u $t (local.get 0) (local.get 1) (local.get 2))
    (call_indirect $u (type $i2i) (i32.const 5) (i32.const 0)))
  (func (export "init_call") (param i64 i32 i32) (result i32)
    (table.init $t $p (local.get 0) (local.get 1) (local.get 2))
    (call_indirect $t (type $i2i) (i32.const 5) (i64.const 0)))
)
;; kiln-test: invoke = "call 0 7"
;; kiln-test: expect = "14"
;; kiln-test: invoke = "call 1 7"
;; kiln-test: expect = "21"
;; kiln-test: invoke = "call 2 7"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "call 0x100000000 7"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "size"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "grow 3"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "grow 9"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "grow -1"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "grow_call 1 2 4"
;; kiln-test: expect = "12"
;; kiln-test: invoke = "grow_call 1 3 4"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "get_is_null 1"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "get_is_null 2"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "get_is_null 0x100000000"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "set_call 1 0"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "set_call 2 0"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "fill_call 0 2 1"
;; kiln-test: expect = "15"
;; kiln-test: invoke = "fill_call 1 2 0"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "fill_call 2 0 0"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "copy_call 1 0 1"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "copy_call 0 1 2"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "copy_32_to_64 0 0 2"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "copy_32_to_64 1 2 2"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "copy_64_to_32 0 1 1"
;; kiln-test: expect = "15"
;; kiln-test: invoke = "copy_64_to_32 2 0 2"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "init_call 0 0 2"
;; kiln-test: expect = "15"
;; kiln-test: invoke = "init_call 1 1 2"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "init_call 0x100000000 0 0"
;; kiln-test: trap = "out of bounds table access"
