;; The result of an `async` lowering goes to its return pointer, which
;; Wasmtime 49's `[async-return]` function checks (alignment, bounds)
;; before it stores: a trap there shows that frame alone. Kiln's results'
;; half does the same, even for a lone `u32` (the runtime once stored
;; such a result itself, unaligned pointers included).
;; kiln-test: invoke = "ok()"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "unaligned()"
;; kiln-test: trap = "unaligned pointer"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "oob()"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: stderr-like-wasmtime
(component
  (component $lib
    (core module $m
      (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))
    (core instance $i (instantiate $m))
    (func (export "f") async (param "x" u32) (result u32)
      (canon lift (core func $i "f"))))
  (instance $lib (instantiate $lib))
  (core module $mm (memory (export "memory") 1))
  (core instance $mm (instantiate $mm))
  (core func $f (canon lower (func $lib "f") async (memory (core memory $mm "memory"))))
  (core module $main
    (import "" "f" (func $f (param i32 i32) (result i32)))
    (import "" "memory" (memory 1))
    (func (export "ok") (result i32) (drop (call $f (i32.const 4) (i32.const 16))) (i32.load (i32.const 16)))
    (func (export "unaligned") (result i32) (call $f (i32.const 4) (i32.const 17)))
    (func (export "oob") (result i32) (call $f (i32.const 4) (i32.const 65536))))
  (core instance $main (instantiate $main (with "" (instance
    (export "f" (func $f)) (export "memory" (memory $mm "memory"))))))
  (func (export "ok") async (result u32) (canon lift (core func $main "ok")))
  (func (export "unaligned") async (result u32) (canon lift (core func $main "unaligned")))
  (func (export "oob") async (result u32) (canon lift (core func $main "oob"))))
