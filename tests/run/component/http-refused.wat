;; A component importing wasi:http (as every componentize-js program does),
;; built with Wasmtime's `-S http`: Kiln has no wasi:http host yet (issue
;; 13), so a one-line compile error names the family and the setting.
;; (Wasmtime 49 runs it: `-S http` links its wasi:http host.)
;; kiln-test: flags = "-S http"
;; kiln-test: compile-error = "wasi:http/outgoing-handler@0.2.0#handle is not provided by Kiln's WASI host: wasi:http (Wasmtime's `-S http`) is not implemented yet"
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
