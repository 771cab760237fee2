;; memory64 growth: memory.size/grow take and return i64; growth to the
;; declared maximum works and the new last byte is accessible while the next
;; one traps; growth beyond the maximum, or by a delta no memory can have,
;; returns -1 and changes nothing.
(module
  (memory $m i64 1 4)
  (memory $u i64 0)
  (func (export "grow") (param i64) (result i64) (memory.grow $m (local.get 0)))
  (func (export "grow_and_size") (param i64) (result i64)
    (i64.add
      (i64.mul (memory.grow $m (local.get 0)) (i64.const 100))
      (memory.size $m)))
  (func (export "grow_store_load") (param i64 i64) (result i32)
    (drop (memory.grow $m (local.get 0)))
    (i32.store8 $m (local.get 1) (i32.const 9))
    (i32.load8_u $m (local.get 1)))
  (func (export "grow_u") (param i64) (result i64)
    (i64.add
      (i64.mul (memory.grow $u (local.get 0)) (i64.const 100))
      (memory.size $u)))
  (func (export "grow_u_load") (param i64 i64) (result i32)
    (drop (memory.grow $u (local.get 0)))
    (i32.load8_u $u (local.get 1)))
)
;; kiln-test: invoke = "grow 0"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "grow_and_size 3"
;; kiln-test: expect = "104"
;; kiln-test: invoke = "grow_and_size 4"
;; kiln-test: expect = "-99"
;; kiln-test: invoke = "grow -1"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "grow 0x1000000000000"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "grow_store_load 3 262143"
;; kiln-test: expect = "9"
;; kiln-test: invoke = "grow_store_load 3 262144"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "grow_store_load 2 196608"
;; kiln-test: trap = "out of bounds memory access"
;; An unbounded memory64 grows past 4 GiB (address space only).
;; kiln-test: invoke = "grow_u 0x10001"
;; kiln-test: expect = "65537"
;; kiln-test: invoke = "grow_u_load 0x10001 0x100000000"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "grow_u_load 0x10001 0x100010000"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "grow_u -1"
;; kiln-test: expect = "-100"
