;; A `callback` that returns nothing: Wasmtime refuses it at load (Kiln
;; used to run it and trap "async-lifted export failed to produce a result").
;; kiln-test: compile-error = "invalid wasm at offset 0x6a: canonical option `callback` uses a core function with an incorrect signature"
;; kiln-test: wasmtime-refuses = "canonical option `callback` uses a core function with an incorrect signature"
(component
  (core module $m
    (func (export "run") (result i32) (i32.const 0))
    (func (export "cb") (param i32 i32 i32)))
  (core instance $i (instantiate $m))
  (func (export "run") async (result u32)
    (canon lift (core func $i "run") async (callback (core func $i "cb")))))
