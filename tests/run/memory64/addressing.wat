;; memory64: i64 addresses and 64-bit static offsets, bounds-checked
;; explicitly at the exact byte; address + offset overflowing 2^64 traps
;; instead of wrapping, and no address is ever truncated to 32 bits.
(module
  (memory i64 1)
  (data (i64.const 65532) "\01\02\03\04")
  (func (export "load") (param i64) (result i32) (i32.load (local.get 0)))
  (func (export "load_off") (param i64) (result i32) (i32.load offset=65532 (local.get 0)))
  (func (export "load_huge_off") (param i64) (result i32)
    (i32.load8_u offset=0xffffffffffffffff (local.get 0)))
  (func (export "load_wrap") (param i64) (result i64) (i64.load offset=8 (local.get 0)))
  (func (export "load_4g") (result i32) (i32.load (i64.const 0x100000000)))
  (func (export "roundtrip") (param i64 i64) (result i64)
    (i64.store offset=100 (local.get 0) (local.get 1))
    (i64.load offset=100 (local.get 0)))
  (func (export "narrow") (param i64) (result i64)
    (i64.store32 (local.get 0) (i64.const -2))
    (i64.add (i64.load16_s (local.get 0)) (i64.load32_u (local.get 0))))
  (func (export "floats") (param i64 f32) (result f64)
    (f32.store offset=4 (local.get 0) (local.get 1))
    (f64.promote_f32 (f32.load offset=4 (local.get 0))))
  (func (export "size") (result i64) (memory.size))
)
;; kiln-test: invoke = "load 65532"
;; kiln-test: expect = "67305985"
;; kiln-test: invoke = "load 65533"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load -1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load_off 0"
;; kiln-test: expect = "67305985"
;; kiln-test: invoke = "load_off 1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load_huge_off 0"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load_huge_off 1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load_wrap -8"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load_4g"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "roundtrip 65428 5"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "roundtrip 65429 5"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "narrow 65532"
;; kiln-test: expect = "4294967292"
;; kiln-test: invoke = "narrow 65533"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "floats 65528 1.5"
;; kiln-test: expect = "1.5"
;; kiln-test: invoke = "floats 65529 1.5"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "size"
;; kiln-test: expect = "1"
