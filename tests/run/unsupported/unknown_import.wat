;; Imports other than WASI preview 1 are rejected at compile time.
(module
  (import "env" "host_fn" (func (param i32)))
  (func (export "_start")))
;; kiln-test: compile-error = "unknown import"
