;; `context.set f32`: refused in Wasmtime 49's words at the built-in.
;; kiln-test: compile-error = "invalid wasm at offset 0xb: `context.set` only supports `i32` or `i64`"
;; kiln-test: wasmtime-refuses = "`context.set` only supports `i32` or `i64`"
(component
  (core func $set (canon context.set f32 0)))
