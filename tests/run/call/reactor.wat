;; A module without `_start` (a reactor) runs `_initialize` and nothing
;; else, like `wasmtime run`: exit 0, no output.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func (export "_initialize"))
  (func (export "never_called") (call $exit (i32.const 9))))
;; kiln-test: exit = 0
;; kiln-test: stdout = ""
