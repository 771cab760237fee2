;; `realloc` without `memory` on a `canon lower` (of a function another
;; instance lifts, whose type needs neither).
;; kiln-test: compile-error = "invalid wasm at offset 0x7f: canonical option `realloc` requires `memory` to also be specified"
;; kiln-test: wasmtime-refuses = "canonical option `realloc` requires `memory` to also be specified"
(component
  (core module $m
    (func (export "f") (result i32) (i32.const 7))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func $f (result u32) (canon lift (core func $i "f")))
  (core func $low (canon lower (func $f) (realloc (core func $i "realloc"))))
  (core module $use
    (import "" "f" (func (result i32)))
    (func (export "run") (result i32) (i32.const 0)))
  (core instance $u (instantiate $use (with "" (instance (export "f" (func $low))))))
  (func (export "run") (result u32) (canon lift (core func $u "run"))))
