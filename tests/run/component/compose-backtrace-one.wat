;; The simplest composition: one adapter, the callee traps. The adapter's
;; frame is Kiln's own, `kiln-adapter![adapter]f` (Wasmtime 49 shows
;; function 5 of its adapter module); every other line is Wasmtime's.
;; kiln-test: invoke = "go()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
(component
  (component $callee
    (core module $m
      (func (export "f") (param i32) (result i32) unreachable))
    (core instance $i (instantiate $m))
    (func (export "f") (param "x" u32) (result u32) (canon lift (core func $i "f"))))
  (instance $c (instantiate $callee))
  (core func $f (canon lower (func $c "f")))
  (core module $main
    (import "" "f" (func $f (param i32) (result i32)))
    (func (export "go") (result i32) (call $f (i32.const 1))))
  (core instance $main (instantiate $main (with "" (instance (export "f" (func $f))))))
  (func (export "go") (result u32) (canon lift (core func $main "go"))))
