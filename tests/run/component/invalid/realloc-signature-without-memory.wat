;; `realloc` of the wrong signature and no `memory`: wasmparser 0.243 checks
;; the signature first; Wasmtime 49 checks for `memory` first, and names it.
;; kiln-test: compile-error = "invalid wasm at offset 0x75: canonical option `realloc` requires `memory` to also be specified"
;; kiln-test: wasmtime-refuses = "canonical option `realloc` requires `memory` to also be specified"
(component
  (core module $m
    (func (export "run") (result i32) (i32.const 0))
    (func (export "realloc") (param i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "run") (result u32)
    (canon lift (core func $i "run") (realloc (core func $i "realloc")))))
