;; Custom page sizes: a 32-bit memory with 1-byte pages. memory.size and
;; memory.grow count bytes; the bounds are exact to the byte (page
;; protection cannot enforce them, so they are checked explicitly); growth
;; stops at the declared maximum.
(module
  (memory $m 3 10 (pagesize 1))
  (data (i32.const 0) "xyz")
  (func (export "size") (result i32) (memory.size))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load16") (param i32) (result i32) (i32.load16_u (local.get 0)))
  (func (export "load_off") (param i32) (result i32) (i32.load8_u offset=2 (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "grow_store_load") (param i32 i32) (result i32)
    (drop (memory.grow (local.get 0)))
    (i32.store8 (local.get 1) (i32.const 7))
    (i32.add (i32.mul (memory.size) (i32.const 100)) (i32.load8_u (local.get 1))))
  (func (export "fill") (param i32 i32) (result i32)
    (memory.fill (local.get 0) (i32.const 0x41) (local.get 1))
    (i32.load8_u (i32.const 2)))
  (func (export "copy") (param i32 i32 i32) (result i32)
    (memory.copy (local.get 0) (local.get 1) (local.get 2))
    (i32.load8_u (i32.const 2)))
)
;; kiln-test: wasmtime-flags = "-W custom-page-sizes"
;; kiln-test: invoke = "size"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "load8 2"
;; kiln-test: expect = "122"
;; kiln-test: invoke = "load8 3"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load16 1"
;; kiln-test: expect = "31353"
;; kiln-test: invoke = "load16 2"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load_off 0"
;; kiln-test: expect = "122"
;; kiln-test: invoke = "load_off 1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load8 -1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "grow 7"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "grow 8"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "grow_store_load 7 9"
;; kiln-test: expect = "1007"
;; kiln-test: invoke = "grow_store_load 6 9"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "grow_store_load 1 3"
;; kiln-test: expect = "407"
;; kiln-test: invoke = "fill 2 1"
;; kiln-test: expect = "65"
;; kiln-test: invoke = "fill 2 2"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "copy 2 0 1"
;; kiln-test: expect = "120"
;; kiln-test: invoke = "copy 1 0 3"
;; kiln-test: trap = "out of bounds memory access"
