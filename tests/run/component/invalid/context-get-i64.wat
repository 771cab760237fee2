;; `context.get i64`: refused in Wasmtime 49's words at the built-in
;; (wasmparser 0.243 cannot read the type).
;; kiln-test: compile-error = "invalid wasm at offset 0xb: 64-bit `context.get` requires the component model 64-bit feature"
;; kiln-test: wasmtime-refuses = "64-bit `context.get` requires the component model 64-bit feature"
(component
  (core func $get (canon context.get i64 0)))
