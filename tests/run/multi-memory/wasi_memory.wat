;; WASI host calls use the memory exported as `memory`, here the second one;
;; the first memory is exported under another name and untouched by WASI.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory $scratch (export "scratch") 1)
  (memory $io (export "memory") 1)
  ;; iovec at 0 in $io: buf = 16, len = 3; the text at 16.
  (data (memory $io) (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (memory $io) (i32.const 16) "io\n")
  ;; Decoy at the same addresses in $scratch.
  (data (memory $scratch) (i32.const 0) "\10\00\00\00\07\00\00\00")
  (data (memory $scratch) (i32.const 16) "WRONG!\n")
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    ;; nwritten went to $io at 8.
    (if (i32.ne (i32.load $io (i32.const 8)) (i32.const 3)) (then unreachable))
    (if (i32.ne (i32.load $scratch (i32.const 8)) (i32.const 0)) (then unreachable))))
;; kiln-test: stdout = "io\n"
