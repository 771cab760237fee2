;; A WASI function imported with the wrong component type but the host's
;; core signature (`get-stdout` returning u32 instead of
;; own<output-stream>: both flatten to i32). Wasmtime refuses it when
;; linking, even though it is never called ("instance export `get-stdout`
;; has the wrong type ... expected `own` or `borrow`, found `u32`"); Kiln
;; refuses it at compile time by the type fingerprints of kiln_abi::wasi_p2.
;; kiln-test: compile-error = "wasi:cli/stdout@0.2.0#get-stdout has type func() -> u32 in this component"
(component
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (export "get-stdout" (func (result u32)))))
  (core func $g (canon lower (func $stdout "get-stdout")))
  (core module $m
    (import "" "g" (func (result i32)))
    (func (export "run") (result i32) (i32.const 0)))
  (core instance $i (instantiate $m (with "" (instance (export "g" (func $g))))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $r (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $r)))
