;; A `realloc` of the wrong signature followed by `memory` twice: wasmparser
;; 0.243 stops at `realloc`; Wasmtime 49 checks its signature after reading
;; every option, and refuses the repeated one.
;; kiln-test: compile-error = "invalid wasm at offset 0x90: canonical option `memory` is specified more than once"
;; kiln-test: wasmtime-refuses = "canonical option `memory` is specified more than once"
(component
  (core module $m
    (memory (export "mem") 1)
    (func (export "run") (result i32) (i32.const 0))
    (func (export "realloc") (param i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "run") (result u32)
    (canon lift (core func $i "run") (realloc (core func $i "realloc"))
      (memory (core memory $i "mem")) (memory (core memory $i "mem")))))
