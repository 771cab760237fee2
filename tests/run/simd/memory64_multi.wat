;; SIMD accesses to a second memory, a memory64 one: the bounds check covers
;; the access size of each kind (16, 8, 4, 2 bytes), up to the last byte.
;; kiln-test: wasmtime-flags = "-W memory64,multi-memory"
(module
  (memory $a 1)
  (memory $b i64 1)
  (data (memory $b) (i64.const 65520) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
  (func (export "ld64") (param i64) (result v128) (v128.load $b (local.get 0)))
  (func (export "lane64") (param i64) (result v128) (v128.load32_lane $b 2 (local.get 0) (v128.const i64x2 0 0)))
  (func (export "st") (param i64) (result i64) (v128.store64_lane $b 1 (local.get 0) (v128.const i64x2 1 2)) (i64.load $b (local.get 0)))
  (func (export "splat_a") (param i32) (result v128) (v128.load16_splat $a (local.get 0))))
;; kiln-test: invoke = "ld64 65520"
;; kiln-test: expect = "21345817372864405881847059188222722561"
;; kiln-test: invoke = "ld64 65521"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "ld64 -1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "lane64 65532"
;; kiln-test: expect = "4969960397374173670474252288"
;; kiln-test: invoke = "lane64 65533"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "st 65528"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "st 65529"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "splat_a 65534"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "splat_a 65535"
;; kiln-test: trap = "out of bounds memory access"
