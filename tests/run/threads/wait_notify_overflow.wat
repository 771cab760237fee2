;; memory.atomic.notify/wait32/wait64 whose effective address (index +
;; offset) overflows the memory's index type trap "out of bounds memory
;; access" before the alignment check, as in Wasmtime (it adds the offset
;; with an overflow check first); an effective address that fits is checked
;; for alignment, then bounds. Expectations checked with Wasmtime 49.
;; kiln-test: wasmtime-flags = "-W threads,shared-memory,memory64,multi-memory"
(module
  (memory 4 4 shared)
  (memory $m64 i64 1 1 shared)
  (func (export "notify_over") (param i32) (result i32)
    (memory.atomic.notify offset=65536 (local.get 0) (i32.const 1)))
  (func (export "notify_off1") (param i32) (result i32)
    (memory.atomic.notify offset=1 (local.get 0) (i32.const 1)))
  (func (export "wait32_over") (param i32) (result i32)
    (memory.atomic.wait32 offset=4294967295 (local.get 0) (i32.const 0) (i64.const 0)))
  (func (export "wait64_over") (param i32) (result i32)
    (memory.atomic.wait64 offset=65541 (local.get 0) (i64.const 0) (i64.const 0)))
  (func (export "notify64_over") (param i64) (result i32)
    (memory.atomic.notify $m64 offset=16 (local.get 0) (i32.const 1))))
;; Overflowing and misaligned: out of bounds, not unaligned.
;; kiln-test: invoke = "notify_over -63"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "notify_over -64"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "wait32_over 2"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "wait32_over 1"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "wait64_over -5"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "wait64_over -4"
;; kiln-test: trap = "out of bounds memory access"
;; A memory64 index wrapping past 2^64.
;; kiln-test: invoke = "notify64_over -9"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "notify64_over -15"
;; kiln-test: trap = "out of bounds memory access"
;; No overflow: misaligned first, then the bounds check.
;; kiln-test: invoke = "notify_off1 -63"
;; kiln-test: trap = "unaligned atomic"
;; kiln-test: invoke = "notify_off1 -65541"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "notify_off1 3"
;; kiln-test: expect = "0"
