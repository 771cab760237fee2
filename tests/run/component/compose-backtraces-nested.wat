;; Backtraces through fused adapters across nested components, as Wasmtime
;; 49 prints them: the root calls `mid` of one child, which calls `deep` of
;; another (two adapter frames), the root calls `deep` directly (a third
;; adapter), and an adapter within one instance traps "cannot enter
;; component instance" in its own frame.
;; kiln-test: invoke = "through-two(3)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "through-two(4)"
;; kiln-test: expect = "9"
;; kiln-test: invoke = "direct(3)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "self()"
;; kiln-test: trap = "cannot enter component instance"
;; kiln-test: stderr-like-wasmtime
(component
  (component $inner
    (core module $m
      (func (export "deep") (param i64) (result i64)
        (if (i64.eq (local.get 0) (i64.const 3)) (then unreachable))
        (i64.mul (local.get 0) (i64.const 2))))
    (core instance $i (instantiate $m))
    (func (export "deep") (param "x" u64) (result u64) (canon lift (core func $i "deep"))))
  (component $middle
    (import "deep" (func $deep (param "x" u64) (result u64)))
    (core func $deep (canon lower (func $deep)))
    (core module $m
      (import "" "deep" (func $deep (param i64) (result i64)))
      (func (export "mid") (param i64) (result i64)
        (i64.add (call $deep (local.get 0)) (i64.const 1))))
    (core instance $i (instantiate $m (with "" (instance (export "deep" (func $deep))))))
    (func (export "mid") (param "x" u64) (result u64) (canon lift (core func $i "mid"))))
  (instance $inner (instantiate $inner))
  (instance $middle (instantiate $middle (with "deep" (func $inner "deep"))))
  (core func $mid (canon lower (func $middle "mid")))
  (core func $deep (canon lower (func $inner "deep")))
  (core module $seven (func (export "seven") (result i32) (i32.const 7)))
  (core instance $seven (instantiate $seven))
  (func $seven (result u32) (canon lift (core func $seven "seven")))
  (core func $seven-lowered (canon lower (func $seven)))
  (core module $main
    (import "" "mid" (func $mid (param i64) (result i64)))
    (import "" "deep" (func $deep (param i64) (result i64)))
    (import "" "seven" (func $seven (result i32)))
    (func (export "through-two") (param i64) (result i64) (call $mid (local.get 0)))
    (func (export "direct") (param i64) (result i64) (call $deep (local.get 0)))
    (func (export "self") (result i32) (call $seven)))
  (core instance $main (instantiate $main (with "" (instance
    (export "mid" (func $mid)) (export "deep" (func $deep)) (export "seven" (func $seven-lowered))))))
  (func (export "through-two") (param "x" u64) (result u64) (canon lift (core func $main "through-two")))
  (func (export "direct") (param "x" u64) (result u64) (canon lift (core func $main "direct")))
  (func (export "self") (result u32) (canon lift (core func $main "self"))))
