;; `-S http` for a core module is an error, in Wasmtime 49's words:
;; wasi:http exists only for components.
;; kiln-test: flags = "-S http"
;; kiln-test: compile-error = "Cannot enable wasi-http for core wasm modules"
(module
  (memory (export "memory") 1)
  (func (export "_start")))
