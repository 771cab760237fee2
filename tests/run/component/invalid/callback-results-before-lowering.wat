;; A callback returning two values on a lift whose core function does not
;; match its type: Wasmtime 49 refuses the callback before it lowers the
;; type (wasmparser 0.243 only lowers it).
;; kiln-test: compile-error = "invalid wasm at offset 0x74: canonical option `callback` uses a core function with an incorrect signature"
;; kiln-test: wasmtime-refuses = "canonical option `callback` uses a core function with an incorrect signature"
(component
  (core module $m
    (func (export "run") (param i64) (result i32) (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32 i32) (i32.const 0) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "run") async (param "x" u32) (result u32)
    (canon lift (core func $i "run") async (callback (core func $i "cb")))))
