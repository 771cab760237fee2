;; A WASI function imported with the wrong type, whose core signature
;; differs from the host's (`get-stdout` returning a string: a return
;; pointer instead of an i32 handle): a one-line compile error naming it.
;; (Wasmtime: "instance export `get-stdout` has the wrong type" at run
;; time.)
;; kiln-test: compile-error = "wasi:cli/stdout@0.2.0#get-stdout"
(component
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (export "get-stdout" (func (result string)))))
  (core module $mem
    (memory (export "memory") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 64)))
  (core instance $mem (instantiate $mem))
  (core func $g (canon lower (func $stdout "get-stdout") (memory (core memory $mem "memory"))
    (realloc (core func $mem "realloc"))))
  (core module $m
    (import "" "g" (func (param i32)))
    (func (export "run") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m (with "" (instance (export "g" (func $g))))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $r)))
