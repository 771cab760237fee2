;; Custom page sizes with multi-memory and memory64: memories with 1-byte
;; and 64 KiB pages side by side, 32- and 64-bit; each reports its size in
;; its own pages and checks its own bounds; an unbounded 32-bit memory with
;; 1-byte pages stops at 2^32 - 2 bytes.
(module
  (memory $small 0 (pagesize 1))
  (memory $big 1 (pagesize 65536))
  (memory $wide i64 5 (pagesize 1))
  (data (memory $wide) (i64.const 1) "abcd")
  (func (export "sizes") (result i64)
    ;; small, big, wide: 1000000 * small + 1000 * big + wide
    (i64.add
      (i64.add
        (i64.mul (i64.extend_i32_u (memory.size $small)) (i64.const 1000000))
        (i64.mul (i64.extend_i32_u (memory.size $big)) (i64.const 1000)))
      (memory.size $wide)))
  (func (export "grow_small") (param i32) (result i32) (memory.grow $small (local.get 0)))
  (func (export "grow_small_twice") (param i32 i32) (result i32)
    (drop (memory.grow $small (local.get 0)))
    (memory.grow $small (local.get 1)))
  (func (export "load_wide") (param i64) (result i32) (i32.load $wide (local.get 0)))
  (func (export "grow_wide_load") (param i64 i64) (result i32)
    (drop (memory.grow $wide (local.get 0)))
    (i32.load8_u $wide (local.get 1)))
  (func (export "load_big") (param i32) (result i32) (i32.load8_u $big (local.get 0)))
)
;; kiln-test: wasmtime-flags = "-W custom-page-sizes"
;; kiln-test: invoke = "sizes"
;; kiln-test: expect = "1005"
;; kiln-test: invoke = "grow_small 100"
;; kiln-test: expect = "0"
;; The largest size is 2^32 - 2 bytes (as in Wasmtime: memory.size never
;; returns -1, memory.grow's failure value).
;; kiln-test: invoke = "grow_small -2"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "grow_small -1"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "grow_small_twice -3 1"
;; kiln-test: expect = "-3"
;; kiln-test: invoke = "grow_small_twice -2 1"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "load_wide 1"
;; kiln-test: expect = "1684234849"
;; kiln-test: invoke = "load_wide 2"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "grow_wide_load 1 5"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "grow_wide_load 1 6"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load_big 65535"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "load_big 65536"
;; kiln-test: trap = "out of bounds memory access"
