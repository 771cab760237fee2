;; The `async` option on a `canon lower` of a function type that is not
;; async: invalid, as Wasmtime 49's validator says (wasmparser 0.243 does
;; not check it; `compiler/src/component/rules/` does, in the same words).
;; kiln-test: compile-error = "the `async` canonical option requires an async function type"
;; kiln-test: wasmtime-refuses = "the `async` canonical option requires an async function type"
(component
  (import "f" (func $f (param "x" u32) (result u32)))
  (core module $mm (memory (export "m") 1))
  (core instance $mi (instantiate $mm))
  (alias core export $mi "m" (core memory $m))
  (core func $fa (canon lower (func $f) async (memory $m)))
)
