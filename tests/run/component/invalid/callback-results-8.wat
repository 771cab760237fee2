;; A `callback` that returns eight values: Kiln used to compile it, and the
;; runtime's one-result buffer overflowed on the native stack (SIGSEGV).
;; kiln-test: compile-error = "invalid wasm at offset 0x82: canonical option `callback` uses a core function with an incorrect signature"
;; kiln-test: wasmtime-refuses = "canonical option `callback` uses a core function with an incorrect signature"
(component
  (core module $m
    (func (export "run") (result i32) (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32 i32 i32 i32 i32 i32 i32 i32) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "run") async (result u32)
    (canon lift (core func $i "run") async (callback (core func $i "cb")))))
