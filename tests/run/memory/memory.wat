;; Loads and stores of every width, sign extension, static offsets,
;; memory.size/grow, bulk memory, and out-of-bounds traps.
(module
  (memory 1 3)
  (data (i32.const 0) "\ff\fe\01\02hello")
  (data $d "\ff\fe\01\02hello")

  (func (export "load8_s") (result i32) (i32.load8_s (i32.const 0)))
  (func (export "load8_u") (result i32) (i32.load8_u (i32.const 0)))
  (func (export "load16_s") (result i32) (i32.load16_s (i32.const 0)))
  (func (export "load16_u") (result i32) (i32.load16_u (i32.const 0)))
  (func (export "load32") (result i32) (i32.load (i32.const 0)))
  (func (export "i64_load32_s") (result i64) (i64.load32_s (i32.const 0)))
  (func (export "i64_load32_u") (result i64) (i64.load32_u (i32.const 0)))
  (func (export "offset") (result i32) (i32.load8_u offset=4 (i32.const 0)))

  (func (export "store_narrow") (result i64)
    (i64.store (i32.const 100) (i64.const -1))
    (i64.store8 (i32.const 100) (i64.const 0x1234))
    (i64.store16 offset=2 (i32.const 100) (i64.const 0x5678))
    (i64.load (i32.const 100)))

  (func (export "float_roundtrip") (result f64)
    (f32.store (i32.const 200) (f32.const 1.5))
    (f64.store (i32.const 208) (f64.const 2.25))
    (f64.add (f64.promote_f32 (f32.load (i32.const 200))) (f64.load (i32.const 208))))

  (func (export "unaligned") (result i32)
    (i32.store (i32.const 301) (i32.const 0x01020304))
    (i32.load (i32.const 301)))

  (func (export "grow") (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.add (i32.mul (memory.grow (i32.const 1)) (i32.const 100)) (memory.size)))
  (func (export "grow_fail") (result i32) (memory.grow (i32.const 5)))
  (func (export "size") (result i32) (memory.size))

  (func (export "fill_copy") (result i32)
    (memory.fill (i32.const 1000) (i32.const 7) (i32.const 4))
    (memory.copy (i32.const 1001) (i32.const 1000) (i32.const 4))
    (i32.load (i32.const 1001)))

  (func (export "init") (result i32)
    (memory.init $d (i32.const 2000) (i32.const 4) (i32.const 5))
    (i32.load8_u (i32.const 2004)))
  (func (export "init_after_drop")
    (data.drop $d)
    (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1)))

  (func (export "oob_load") (result i32) (i32.load (i32.const 65534)))
  (func (export "oob_offset") (result i32) (i32.load offset=4294967295 (i32.const 1)))
  (func (export "oob_store") (i32.store8 (i32.const -1) (i32.const 0)))
  (func (export "oob_fill") (memory.fill (i32.const 65535) (i32.const 0) (i32.const 2))))

;; kiln-test: invoke = "load8_s"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "load8_u"
;; kiln-test: expect = "255"
;; kiln-test: invoke = "load16_s"
;; kiln-test: expect = "-257"
;; kiln-test: invoke = "load16_u"
;; kiln-test: expect = "65279"
;; kiln-test: invoke = "load32"
;; kiln-test: expect = "33685247"
;; kiln-test: invoke = "i64_load32_s"
;; kiln-test: expect = "33685247"
;; kiln-test: invoke = "i64_load32_u"
;; kiln-test: expect = "33685247"
;; kiln-test: invoke = "offset"
;; kiln-test: expect = "104"
;; kiln-test: invoke = "store_narrow"
;; kiln-test: expect = "-2844197068"
;; kiln-test: invoke = "float_roundtrip"
;; kiln-test: expect = "3.75"
;; kiln-test: invoke = "unaligned"
;; kiln-test: expect = "16909060"
;; kiln-test: invoke = "grow"
;; kiln-test: expect = "203"
;; kiln-test: invoke = "grow_fail"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "size"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "fill_copy"
;; kiln-test: expect = "117901063"
;; kiln-test: invoke = "init"
;; kiln-test: expect = "111"
;; kiln-test: invoke = "init_after_drop"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "oob_load"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "oob_offset"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "oob_store"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "oob_fill"
;; kiln-test: trap = "out of bounds memory access"
