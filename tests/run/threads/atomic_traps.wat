;; Atomic accesses trap on a misaligned effective address (index + offset)
;; before the bounds check, and out of bounds like ordinary accesses.
;;! wasmtime-flags = "-W threads,shared-memory"
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
;;! invoke = "load 2"
;;! trap = "unaligned atomic"
;;! invoke = "load 65532"
;;! expect = "0"
;;! invoke = "load 65536"
;;! trap = "out of bounds memory access"
;;! invoke = "load 65538"
;;! trap = "unaligned atomic"
;;! invoke = "load_off2 1"
;;! expect = "0"
;;! invoke = "load_off2 0"
;;! trap = "unaligned atomic"
;;! invoke = "load_off2 65535"
;;! trap = "out of bounds memory access"
;;! invoke = "store64 4"
;;! trap = "unaligned atomic"
;;! invoke = "store64 65528"
;;! expect = ""
;;! invoke = "store64 65536"
;;! trap = "out of bounds memory access"
;;! invoke = "rmw8 65535"
;;! expect = "0"
;;! invoke = "rmw8 65536"
;;! trap = "out of bounds memory access"
;;! invoke = "cas 6"
;;! trap = "unaligned atomic"
;;! invoke = "cas -4"
;;! trap = "out of bounds memory access"
;;! invoke = "notify 65532"
;;! expect = "0"
;;! invoke = "notify 65534"
;;! trap = "unaligned atomic"
;;! invoke = "notify 65536"
;;! trap = "out of bounds memory access"
;;! invoke = "wait64 65528"
;;! expect = "1"
;;! invoke = "wait64 65536"
;;! trap = "out of bounds memory access"
;;! invoke = "wait64 4"
;;! trap = "unaligned atomic"
