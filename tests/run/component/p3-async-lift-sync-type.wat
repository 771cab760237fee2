;; The `async` option on a `canon lift` to a function type that is not
;; async: invalid, as for a lowering (`p3-async-lower-sync-type.wat`).
;; kiln-test: compile-error = "the `async` canonical option requires an async function type"
;; kiln-test: wasmtime-refuses = "the `async` canonical option requires an async function type"
(component
  (core module $m
    (func (export "f") (result i32) (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "f") (canon lift (core func $i "f") async (callback (core func $i "cb"))))
)
