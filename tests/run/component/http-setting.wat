;; `-S http` is accepted, as by Wasmtime, for a component without wasi:http
;; imports: it builds and runs (Kiln's `-S http` grants nothing yet).
;; kiln-test: flags = "-S http"
;; kiln-test: exit = 1
(component
  (core module $m
    (func (export "run") (result i32) (i32.const 1)))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $r)))
