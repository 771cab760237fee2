;; An `async` lowering of a function returning a string, with `memory` but
;; no `realloc` to allocate the string in: wasmparser 0.243 asks `realloc`
;; only of sync lowerings; Wasmtime 49 refuses both.
;; kiln-test: compile-error = "invalid wasm at offset 0x106: canonical option `realloc` is required"
;; kiln-test: wasmtime-refuses = "canonical option `realloc` is required"
(component
  (component $inner
    (core module $m
      (memory (export "mem") 1)
      (func (export "f") (result i32) (i32.const 0))
      (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
    (core instance $i (instantiate $m))
    (func (export "f") async (result string)
      (canon lift (core func $i "f") async (callback (core func $i "cb"))
        (memory (core memory $i "mem")))))
  (instance $in (instantiate $inner))
  (core module $mm (memory (export "mem") 1))
  (core instance $mi (instantiate $mm))
  (core func $low (canon lower (func $in "f") async (memory (core memory $mi "mem"))))
  (core module $use (import "" "f" (func (param i32) (result i32))))
  (core instance (instantiate $use (with "" (instance (export "f" (func $low)))))))
