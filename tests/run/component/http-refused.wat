;; A component importing wasi:http (as every componentize-js program does)
;; needs Wasmtime's `-S http`: without it Kiln refuses it at build time in
;; the words of Wasmtime's linker error, naming the setting.
;; kiln-test: compile-error = "component imports instance `wasi:http/outgoing-handler@0.2.0`, but a matching implementation was not found in the linker (wasi:http needs `-S http`)"
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
