;; Backtraces of fused adapters moving `char`s, as Wasmtime 49 prints them:
;; a trap in the callee through the adapter, and the adapter's own "invalid
;; `char`" traps, for a parameter (a surrogate, and 0x110000) and for a
;; result, each reported in the adapter's frame.
;; kiln-test: invoke = "go(65,1)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go(66,1)"
;; kiln-test: expect = "67"
;; kiln-test: invoke = "go(55296,1)"
;; kiln-test: trap = "invalid `char` bit pattern"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go(1114112,0)"
;; kiln-test: trap = "invalid `char` bit pattern"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go(66,55230)"
;; kiln-test: trap = "invalid `char` bit pattern"
;; kiln-test: stderr-like-wasmtime
(component
  (component $lib
    (core module $m
      (func (export "up") (param i32 i32) (result i32)
        (if (i32.eq (local.get 0) (i32.const 0x41)) (then unreachable))
        (i32.add (local.get 0) (local.get 1))))
    (core instance $i (instantiate $m))
    (func (export "up") (param "c" char) (param "n" u32) (result char) (canon lift (core func $i "up"))))
  (instance $lib (instantiate $lib))
  (core func $up (canon lower (func $lib "up")))
  (core module $main
    (import "" "up" (func $up (param i32 i32) (result i32)))
    (func (export "go") (param i32 i32) (result i32) (call $up (local.get 0) (local.get 1))))
  (core instance $main (instantiate $main (with "" (instance (export "up" (func $up))))))
  (func (export "go") (param "c" u32) (param "n" u32) (result u32) (canon lift (core func $main "go"))))
