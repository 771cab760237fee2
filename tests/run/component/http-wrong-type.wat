;; With `-S http`, a wasi:http import resolves against Kiln's host like any
;; WASI 0.2 import: one of another type is refused, naming both signatures.
;; (Wasmtime 49 refuses it too, at instantiation: the type does not match.)
;; kiln-test: flags = "-S http"
;; kiln-test: compile-error = "wasi:http/outgoing-handler@0.2.0#handle has core signature () -> (i32) in this component, but Kiln's WASI host provides (i32, i32, i32, i32) -> ()"
(component
  (import "wasi:http/outgoing-handler@0.2.0" (instance $h
    (export "handle" (func (result u32)))))
  (core func $handle (canon lower (func $h "handle")))
  (core module $m
    (import "" "handle" (func (result i32)))
    (func (export "run") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m (with "" (instance (export "handle" (func $handle))))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $r)))
