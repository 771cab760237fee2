;; memory.atomic.wait32/wait64 and notify on one thread: not-equal (1),
;; timed out (2, with 0 and a short timeout), notify with no waiters (0).
;; On an unshared memory wait traps and notify returns 0.
;; kiln-test: wasmtime-flags = "-W threads,shared-memory"
(module
  (memory 1 1 shared)
  (data (i32.const 8) "\05\00\00\00\00\00\00\00")
  (func (export "wait32") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait64") (param i32 i64 i64) (result i32)
    (memory.atomic.wait64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i32 i32) (result i32)
    (memory.atomic.notify (local.get 0) (local.get 1))))
;; kiln-test: invoke = "wait32 8 4 -1"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "wait32 8 5 0"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "wait32 8 5 1000000"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "wait64 8 5 100"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "wait64 8 6 -1"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "notify 8 10"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "notify 8 -1"
;; kiln-test: expect = "0"
