;; memory.atomic.wait32/wait64 and notify on one thread: not-equal (1),
;; timed out (2, with 0 and a short timeout), notify with no waiters (0).
;; On an unshared memory wait traps and notify returns 0.
;;! wasmtime-flags = "-W threads,shared-memory"
(module
  (memory 1 1 shared)
  (data (i32.const 8) "\05\00\00\00\00\00\00\00")
  (func (export "wait32") (param i32 i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "wait64") (param i32 i64 i64) (result i32)
    (memory.atomic.wait64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "notify") (param i32 i32) (result i32)
    (memory.atomic.notify (local.get 0) (local.get 1))))
;;! invoke = "wait32 8 4 -1"
;;! expect = "1"
;;! invoke = "wait32 8 5 0"
;;! expect = "2"
;;! invoke = "wait32 8 5 1000000"
;;! expect = "2"
;;! invoke = "wait64 8 5 100"
;;! expect = "2"
;;! invoke = "wait64 8 6 -1"
;;! expect = "1"
;;! invoke = "notify 8 10"
;;! expect = "0"
;;! invoke = "notify 8 -1"
;;! expect = "0"
