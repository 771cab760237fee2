;; A 64-bit memory as the canonical ABI memory: refused in Wasmtime 49's
;; words (wasmparser 0.243: "canonical ABI memory is not a 32-bit linear
;; memory").
;; kiln-test: compile-error = "invalid wasm at offset 0x65: 64-bit memories require the `cm64` feature to be enabled"
;; kiln-test: wasmtime-refuses = "64-bit memories require the `cm64` feature to be enabled"
(component
  (core module $m
    (memory (export "mem") i64 1)
    (func (export "f") (param i32 i32)))
  (core instance $i (instantiate $m))
  (func (export "f") (param "s" string)
    (canon lift (core func $i "f") (memory (core memory $i "mem")))))
