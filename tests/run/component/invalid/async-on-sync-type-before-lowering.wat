;; The `async` option on a lift of a sync function type whose string
;; parameter also lacks `realloc`: Wasmtime 49 refuses the option before it
;; lowers the type (wasmparser 0.243 only lowers it).
;; kiln-test: compile-error = "invalid wasm at offset 0x85: the `async` canonical option requires an async function type"
;; kiln-test: wasmtime-refuses = "the `async` canonical option requires an async function type"
(component
  (core module $m
    (memory (export "mem") 1)
    (func (export "run") (param i32 i32) (result i32) (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "run") (param "s" string)
    (canon lift (core func $i "run") async (callback (core func $i "cb"))
      (memory (core memory $i "mem")))))
