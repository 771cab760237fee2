;; Backtraces through fused adapters that move many values: past its fuel
;; (a cost per type layer: 40 per string), Wasmtime 49 moves each further
;; value of an adapter into a helper function of its adapter module, whose
;; frame a trap there shows above the adapter's; Kiln's adapters move
;; every value inline, one frame (both set aside alike,
;; `tests/all/adapter_frames.rs`). `f` takes 26 strings and a list of
;; string pairs, `g` returns 26 strings; both callees trap below the
;; adapters' frames. A string out of bounds moved by a helper in Wasmtime
;; (`bad-f(24)`, `bad-f(25)`) or inline before them (`bad-f(0)`,
;; `bad-f(23)`), and a string of the list that is not UTF-8 (`bad-list`).
;; kiln-test: invoke = "go-f()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go-g()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-f(0)"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-f(23)"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-f(24)"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-f(25)"
;; kiln-test: trap = "string content out-of-bounds"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "bad-list()"
;; kiln-test: exit = 1
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
    (import "" "memory" (memory 1))
    ;; Parameter k's string at an address out of bounds.
    (func (export "bad-f") (param $k i32) (result i32)
      (i32.store (i32.add (i32.const 512) (i32.shl (local.get $k) (i32.const 3))) (i32.const 65535))
      (call $f (i32.const 512)) (i32.const 0))
    ;; The list's pair's second string not UTF-8.
    (func (export "bad-list") (result i32)
      (i32.store16 (i32.const 40) (i32.const 0xffff))
      (i32.store (i32.const 1032) (i32.const 40))
      (call $f (i32.const 512)) (i32.const 0))
    (func (export "go-f") (result i32) (call $f (i32.const 512)) (i32.const 0))
    (func (export "go-g") (result i32) (call $g (i32.const 7) (i32.const 2048)) (i32.const 0)))
  (core instance $main (instantiate $main (with "" (instance
    (export "f" (func $f)) (export "g" (func $g))
    (export "memory" (memory $mm "memory"))))))
  (func (export "bad-f") (param "k" u32) (result u32) (canon lift (core func $main "bad-f")))
  (func (export "bad-list") (result u32) (canon lift (core func $main "bad-list")))
  (func (export "go-f") (result u32) (canon lift (core func $main "go-f")))
  (func (export "go-g") (result u32) (canon lift (core func $main "go-g"))))
