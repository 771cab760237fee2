;; `realloc` without `memory` on `future.read` of a future without a
;; value, which needs neither.
;; kiln-test: compile-error = "invalid wasm at offset 0x5e: canonical option `realloc` requires `memory` to also be specified"
;; kiln-test: wasmtime-refuses = "canonical option `realloc` requires `memory` to also be specified"
(component
  (type $f (future))
  (core module $m
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (core func $read (canon future.read $f async (realloc (core func $i "realloc")))))
