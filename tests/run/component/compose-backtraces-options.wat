;; Backtraces through fused adapters whose options name memories,
;; `realloc`s, an encoding and a `post-return` although only flat values
;; move: the adapters import them all, and the frames are Wasmtime 49's
;; (the adapters' own aside).
;; kiln-test: invoke = "go(0)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go2(0)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "go2(3)"
;; kiln-test: expect = "3"
(component
  (component $lib
    (core module $m
      (memory (export "memory") 1)
      (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 64))
      (func (export "f") (param i32) (result i32)
        (if (i32.eqz (local.get 0)) (then unreachable)) (local.get 0))
      (func (export "post") (param i32)))
    (core instance $i (instantiate $m))
    (func (export "f") (param "x" u32) (result u32)
      (canon lift (core func $i "f") (memory (core memory $i "memory"))
        (realloc (core func $i "realloc")) string-encoding=utf16 (post-return (core func $i "post"))))
    (func (export "g") (param "x" u32) (result u32)
      (canon lift (core func $i "f") (memory (core memory $i "memory"))
        (realloc (core func $i "realloc")))))
  (instance $lib (instantiate $lib))
  (core module $mem
    (memory (export "memory") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 128)))
  (core instance $mem (instantiate $mem))
  (core func $f (canon lower (func $lib "f") (memory (core memory $mem "memory")) (realloc (core func $mem "realloc"))))
  (core func $g (canon lower (func $lib "g") (memory (core memory $mem "memory"))))
  (core module $main
    (import "" "f" (func $f (param i32) (result i32)))
    (import "" "g" (func $g (param i32) (result i32)))
    (func (export "go") (param i32) (result i32) (call $f (local.get 0)))
    (func (export "go2") (param i32) (result i32) (call $g (local.get 0))))
  (core instance $main (instantiate $main (with "" (instance (export "f" (func $f)) (export "g" (func $g))))))
  (func (export "go") (param "x" u32) (result u32) (canon lift (core func $main "go")))
  (func (export "go2") (param "x" u32) (result u32) (canon lift (core func $main "go2"))))
