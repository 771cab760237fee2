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
;;! invoke = "load 65532"
;;! expect = "67305985"
;;! invoke = "load 65533"
;;! trap = "out of bounds memory access"
;;! invoke = "load -1"
;;! trap = "out of bounds memory access"
;;! invoke = "load_off 0"
;;! expect = "67305985"
;;! invoke = "load_off 1"
;;! trap = "out of bounds memory access"
;;! invoke = "load_huge_off 0"
;;! trap = "out of bounds memory access"
;;! invoke = "load_huge_off 1"
;;! trap = "out of bounds memory access"
;;! invoke = "load_wrap -8"
;;! trap = "out of bounds memory access"
;;! invoke = "load_4g"
;;! trap = "out of bounds memory access"
;;! invoke = "roundtrip 65428 5"
;;! expect = "5"
;;! invoke = "roundtrip 65429 5"
;;! trap = "out of bounds memory access"
;;! invoke = "narrow 65532"
;;! expect = "4294967292"
;;! invoke = "narrow 65533"
;;! trap = "out of bounds memory access"
;;! invoke = "floats 65528 1.5"
;;! expect = "1.5"
;;! invoke = "floats 65529 1.5"
;;! trap = "out of bounds memory access"
;;! invoke = "size"
;;! expect = "1"
