;; A module whose start function (the `start` section, run at instantiation)
;; traps: no `_start` output, trap reported.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "no\n")
  (func $init (unreachable))
  (start $init)
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
;; kiln-test: stdout = ""
;; kiln-test: trap = "unreachable"
