;; Backtraces through fused adapters too large for one function: past
;; its fuel (a cost per type layer: 40 per string), Wasmtime 49 moves each
;; further value of an adapter into a helper function of the adapter
;; module, shared by the adapters that need the same one and defined after
;; the first of them, and Kiln's model lays them out alike. `f` takes 26
;; strings and a list of string pairs, `g` returns 26 strings; both callees
;; trap, so the adapters' frames are their calls of the callees.
;; kiln-test: invoke = "go-f()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go-g()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
(component
  (component $lib
    (core module $m
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x1000))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (local.get $p))
      (func (export "f") (param i32) unreachable)
      (func (export "g") (param i32) (result i32) unreachable))
    (core instance $i (instantiate $m))
    (func (export "f") (param "x" (tuple string string string string string string string string string string string string string string string string string string string string string string string string string string)) (param "y" (list (tuple string string)))
      (canon lift (core func $i "f") (memory (core memory $i "memory"))
        (realloc (core func $i "realloc"))))
    (func (export "g") (param "n" u32) (result (tuple string string string string string string string string string string string string string string string string string string string string string string string string string string))
      (canon lift (core func $i "g") (memory (core memory $i "memory"))
        (realloc (core func $i "realloc")))))
  (instance $lib (instantiate $lib))
  (core module $mm
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 0x2000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    ;; "hi" at 16; `f`'s parameters at 512: 26 times "hi", then a list of
    ;; one pair at 1024 (both "hi").
    (data (i32.const 16) "hi")
    (data (i32.const 512) "\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00\00\04\00\00\01\00\00\00")
    (data (i32.const 1024) "\10\00\00\00\02\00\00\00\10\00\00\00\02\00\00\00"))
  (core instance $mm (instantiate $mm))
  (core func $f (canon lower (func $lib "f") (memory (core memory $mm "memory"))
    (realloc (core func $mm "realloc"))))
  (core func $g (canon lower (func $lib "g") (memory (core memory $mm "memory"))
    (realloc (core func $mm "realloc"))))
  (core module $main
    (import "" "f" (func $f (param i32)))
    (import "" "g" (func $g (param i32 i32)))
    (func (export "go-f") (result i32) (call $f (i32.const 512)) (i32.const 0))
    (func (export "go-g") (result i32) (call $g (i32.const 7) (i32.const 2048)) (i32.const 0)))
  (core instance $main (instantiate $main (with "" (instance
    (export "f" (func $f)) (export "g" (func $g))))))
  (func (export "go-f") (result u32) (canon lift (core func $main "go-f")))
  (func (export "go-g") (result u32) (canon lift (core func $main "go-g"))))
