;; Atomics are valid on an unshared memory and behave the same, but
;; memory.atomic.wait traps there (nobody could notify) and notify wakes
;; nobody.
;; kiln-test: wasmtime-flags = "-W threads"
(module
  (memory 1)
  (func (export "rmw") (param i32) (result i32)
    (drop (i32.atomic.rmw.add (local.get 0) (i32.const 40)))
    (i32.atomic.rmw.add (local.get 0) (i32.const 2))
    (i32.add (i32.atomic.load (local.get 0))))
  (func (export "notify") (param i32) (result i32)
    (memory.atomic.notify (local.get 0) (i32.const 3)))
  (func (export "wait") (param i32) (result i32)
    (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const 0)))
  (func (export "wait_misaligned") (result i32)
    (memory.atomic.wait32 (i32.const 2) (i32.const 0) (i64.const 0))))
;; kiln-test: invoke = "rmw 4"
;; kiln-test: expect = "82"
;; kiln-test: invoke = "notify 4"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "notify 5"
;; kiln-test: trap = "unaligned atomic"
;; kiln-test: invoke = "wait 0"
;; kiln-test: trap = "atomic wait on non-shared memory"
;; kiln-test: invoke = "wait 65536"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "wait_misaligned"
;; kiln-test: trap = "unaligned atomic"
