;; A WASI function imported with the wrong component type but the host's
;; core signature (`get-stdout` returning u32 instead of
;; own<output-stream>: both flatten to i32). Wasmtime refuses it when
;; linking, even though it is never called ("instance export `get-stdout`
;; has the wrong type ... expected `own` or `borrow`, found `u32`").
;;! skip = "Kiln checks lowered WASI imports by core signature only (compiler/src/component/emit/resolve.rs), so it compiles and runs this; the component-level check (runtime-lib/src/component/typecheck.rs, not wired) would refuse it"
;;! compile-error = "wasi:cli/stdout@0.2.0#get-stdout"
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
