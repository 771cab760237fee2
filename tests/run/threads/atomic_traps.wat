;; Atomic accesses trap on a misaligned effective address (index + offset)
;; before the bounds check, and out of bounds like ordinary accesses.
;; kiln-test: wasmtime-flags = "-W threads,shared-memory"
(module
  (memory 1 1 shared)
  (func (export "load") (param i32) (result i32) (i32.atomic.load (local.get 0)))
  (func (export "load_off2") (param i32) (result i32) (i32.atomic.load16_u offset=1 (local.get 0)))
  (func (export "store64") (param i32) (i64.atomic.store (local.get 0) (i64.const 1)))
  (func (export "rmw8") (param i32) (result i32) (i32.atomic.rmw8.add_u (local.get 0) (i32.const 1)))
  (func (export "cas") (param i32) (result i64)
    (i64.atomic.rmw32.cmpxchg_u (local.get 0) (i64.const 0) (i64.const 1)))
  (func (export "notify") (param i32) (result i32) (memory.atomic.notify (local.get 0) (i32.const 1)))
  (func (export "wait64") (param i32) (result i32)
    (memory.atomic.wait64 (local.get 0) (i64.const 1) (i64.const 0))))
;; kiln-test: invoke = "load 2"
;; kiln-test: trap = "unaligned atomic"
;; kiln-test: invoke = "load 65532"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "load 65536"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load 65538"
;; kiln-test: trap = "unaligned atomic"
;; kiln-test: invoke = "load_off2 1"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "load_off2 0"
;; kiln-test: trap = "unaligned atomic"
;; kiln-test: invoke = "load_off2 65535"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "store64 4"
;; kiln-test: trap = "unaligned atomic"
;; kiln-test: invoke = "store64 65528"
;; kiln-test: expect = ""
;; kiln-test: invoke = "store64 65536"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "rmw8 65535"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "rmw8 65536"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "cas 6"
;; kiln-test: trap = "unaligned atomic"
;; kiln-test: invoke = "cas -4"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "notify 65532"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "notify 65534"
;; kiln-test: trap = "unaligned atomic"
;; kiln-test: invoke = "notify 65536"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "wait64 65528"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "wait64 65536"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "wait64 4"
;; kiln-test: trap = "unaligned atomic"
