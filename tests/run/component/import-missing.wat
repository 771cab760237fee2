;; A component importing an interface Kiln's WASI host lacks
;; (`wasi:foo/bar@0.2.0`): a one-line compile error naming the function.
;; (Wasmtime fails at run time: "component imports instance
;; `wasi:foo/bar@0.2.0`, but a matching implementation was not found in the
;; linker".)
;; kiln-test: compile-error = "unsupported import: wasi:foo/bar@0.2.0#baz is not provided by Kiln's WASI host"
(component
  (import "wasi:foo/bar@0.2.0" (instance $bar
    (export "baz" (func (result u32)))))
  (core func $baz (canon lower (func $bar "baz")))
  (core module $m
    (import "" "baz" (func (result i32)))
    (func (export "run") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m (with "" (instance (export "baz" (func $baz))))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $r)))
