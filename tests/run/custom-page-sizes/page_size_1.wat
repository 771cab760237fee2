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
;;! wasmtime-flags = "-W custom-page-sizes"
;;! invoke = "size"
;;! expect = "3"
;;! invoke = "load8 2"
;;! expect = "122"
;;! invoke = "load8 3"
;;! trap = "out of bounds memory access"
;;! invoke = "load16 1"
;;! expect = "31353"
;;! invoke = "load16 2"
;;! trap = "out of bounds memory access"
;;! invoke = "load_off 0"
;;! expect = "122"
;;! invoke = "load_off 1"
;;! trap = "out of bounds memory access"
;;! invoke = "load8 -1"
;;! trap = "out of bounds memory access"
;;! invoke = "grow 7"
;;! expect = "3"
;;! invoke = "grow 8"
;;! expect = "-1"
;;! invoke = "grow_store_load 7 9"
;;! expect = "1007"
;;! invoke = "grow_store_load 6 9"
;;! trap = "out of bounds memory access"
;;! invoke = "grow_store_load 1 3"
;;! expect = "407"
;;! invoke = "fill 2 1"
;;! expect = "65"
;;! invoke = "fill 2 2"
;;! trap = "out of bounds memory access"
;;! invoke = "copy 2 0 1"
;;! expect = "120"
;;! invoke = "copy 1 0 3"
;;! trap = "out of bounds memory access"
