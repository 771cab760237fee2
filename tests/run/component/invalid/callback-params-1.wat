;; A `callback` taking one parameter: wasmparser 0.243 allowed `[i32]` as
;; well as `[i32 i32 i32]`; Wasmtime 49 requires exactly the three.
;; kiln-test: compile-error = "invalid wasm at offset 0x6b: canonical option `callback` uses a core function with an incorrect signature"
;; kiln-test: wasmtime-refuses = "canonical option `callback` uses a core function with an incorrect signature"
(component
  (core module $m
    (func (export "run") (result i32) (i32.const 0))
    (func (export "cb") (param i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "run") async (result u32)
    (canon lift (core func $i "run") async (callback (core func $i "cb")))))
