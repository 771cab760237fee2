;; memory64 bulk operators take i64 addresses and lengths (memory.init: i64
;; destination, i32 segment offset and length); memory.copy between a 32-bit
;; and a 64-bit memory takes each address in its memory's type and an i32
;; length. Every range is checked without wrapping.
(module
  (memory $m64 i64 1)
  (memory $m32 1)
  (data $d "kiln")
  (func (export "fill") (param i64 i64) (result i32)
    (memory.fill $m64 (local.get 0) (i32.const 0x55) (local.get 1))
    (i32.load8_u $m64 (i64.const 65535)))
  (func (export "init") (param i64 i32) (result i32)
    (memory.init $m64 $d (local.get 0) (i32.const 0) (local.get 1))
    (i32.load8_u $m64 (i64.const 65532)))
  (func (export "copy64") (param i64 i64 i64) (result i32)
    (i64.store $m64 (i64.const 0) (i64.const 0x0807060504030201))
    (memory.copy $m64 $m64 (local.get 0) (local.get 1) (local.get 2))
    (i32.load8_u $m64 (i64.const 65535)))
  (func (export "copy_32_to_64") (param i64 i32 i32) (result i32)
    (i32.store8 $m32 (i32.const 65535) (i32.const 7))
    (memory.copy $m64 $m32 (local.get 0) (local.get 1) (local.get 2))
    (i32.load8_u $m64 (i64.const 65535)))
  (func (export "copy_64_to_32") (param i32 i64 i32) (result i32)
    (i64.store $m64 (i64.const 0) (i64.const 0x0807060504030201))
    (memory.copy $m32 $m64 (local.get 0) (local.get 1) (local.get 2))
    (i32.load8_u $m32 (i32.const 65535)))
)
;; kiln-test: invoke = "fill 65535 1"
;; kiln-test: expect = "85"
;; kiln-test: invoke = "fill 65536 0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "fill 65535 2"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "fill -1 2"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "fill 1 -1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "init 65532 4"
;; kiln-test: expect = "107"
;; kiln-test: invoke = "init 65533 4"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "init -1 1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "copy64 65535 7 1"
;; kiln-test: expect = "8"
;; kiln-test: invoke = "copy64 65535 7 2"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "copy64 1 0 -1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "copy_32_to_64 65535 65535 1"
;; kiln-test: expect = "7"
;; kiln-test: invoke = "copy_32_to_64 65535 65535 2"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "copy_32_to_64 0x10000000000 0 0"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "copy_64_to_32 65535 7 1"
;; kiln-test: expect = "8"
;; kiln-test: invoke = "copy_64_to_32 0 -1 1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "copy_64_to_32 65536 0x10000 0"
;; kiln-test: expect = "0"
