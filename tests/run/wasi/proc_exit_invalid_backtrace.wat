;; proc_exit with a status >= 126 is a host error: like wasmtime, exit 1 with
;; the error chain, a wasm backtrace whose frame 0 is the function that made
;; the import call, and the bare message (regression: frame 0 was missing and
;; the message carried a `wasi_snapshot_preview1::proc_exit:` prefix).
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    1: error while executing at wasm backtrace:\n    0:     0x5e - <unknown>!do_exit\n    1:     0x66 - <unknown>!<wasm function 2>\n    2: exit with invalid exit status outside of [0..126)\n"
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func $do_exit (param i32) (call $proc_exit (local.get 0)))
  (func (export "_start") (call $do_exit (i32.const 200))))
