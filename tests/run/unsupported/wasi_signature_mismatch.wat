;; A WASI function imported with the wrong signature is rejected at compile
;; time (wasmtime rejects it at instantiation).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))
  (func (export "_start")))
;; kiln-test: compile-error = "fd_write"
