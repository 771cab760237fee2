;; An `async` lowering of a sync function type, then an item wasmparser
;; 0.243 refuses for its own reason in the same canonical section:
;; Wasmtime 49 checks item by item, so the lowering is its error.
;; kiln-test: compile-error = "the `async` canonical option requires an async function type"
;; kiln-test: wasmtime-refuses = "the `async` canonical option requires an async function type"
(component
  (import "f" (func $f))
  (type $s (stream u8))
  (core func (canon lower (func $f) async))
  (core func (canon future.drop-writable $s)))
