;; Backtraces of a fused adapter moving enums, as Wasmtime 49 prints them:
;; a trap in the callee through the adapter, and the adapter's "invalid
;; variant discriminant" trap on a result and on a parameter, in the
;; adapter's frame.
;; kiln-test: invoke = "go(1,1)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go(0,1)"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "go(0,5)"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go(3,0)"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
(component
  (component $lib
    (type $color (enum "red" "green" "blue"))
    (export $color' "color" (type $color))
    (core module $m
      (func (export "next") (param i32 i32) (result i32)
        (if (i32.eq (local.get 0) (i32.const 1)) (then unreachable))
        (i32.add (local.get 0) (local.get 1))))
    (core instance $i (instantiate $m))
    (func (export "next") (param "c" $color') (param "n" u32) (result $color') (canon lift (core func $i "next"))))
  (instance $lib (instantiate $lib))
  (core func $next (canon lower (func $lib "next")))
  (core module $main
    (import "" "next" (func $next (param i32 i32) (result i32)))
    (func (export "go") (param i32 i32) (result i32) (call $next (local.get 0) (local.get 1))))
  (core instance $main (instantiate $main (with "" (instance (export "next" (func $next))))))
  (func (export "go") (param "c" u32) (param "n" u32) (result u32) (canon lift (core func $main "go"))))
