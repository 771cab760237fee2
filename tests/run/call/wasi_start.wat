;; `_start` calling WASI functions directly: fd_write to stdout, then
;; proc_exit with a status.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi from kiln\n")
  (func (export "_start")
    ;; iovec at 0: { buf = 16, len = 13 }
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 13))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $proc_exit (i32.const 3))
    unreachable))

;; kiln-test: stdout = "hi from kiln\n"
;; kiln-test: exit = 3
