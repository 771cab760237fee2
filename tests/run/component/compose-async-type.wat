;; Functions of an `async` type lowered and lifted without `async` between
;; component instances: an ordinary fused adapter (values moved in the
;; adapter, the callee's `post-return` called by it) whose callee runs as a
;; task of its own, as Wasmtime 49's adapter brackets the call with
;; `enter-sync-call` of an async callee. `len` moves a string; `boom`
;; traps two frames down, below the adapter's frame. Blocking inside such
;; a callee: `p3-sync-adapter-blocks.wat`.
;; kiln-test: invoke = "len()"
;; kiln-test: expect = "11"
;; kiln-test: invoke = "boom()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
(component
  (component $lib
    (core module $mem
      (memory (export "memory") 1)
      (global $next (mut i32) (i32.const 1024))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (local.set $p (global.get $next))
        (global.set $next (i32.add (global.get $next) (local.get 3)))
        (local.get $p)))
    (core instance $mem (instantiate $mem))
    (core module $m
      (import "" "memory" (memory 1))
      (global $posts (mut i32) (i32.const 0))
      (func (export "len") (param i32 i32) (result i32)
        (i32.add (local.get 1) (global.get $posts)))
      (func (export "post") (param i32)
        (global.set $posts (i32.add (global.get $posts) (i32.const 1))))
      (func $deep (param i32) (result i32) unreachable)
      (func (export "boom") (param i32) (result i32) (call $deep (local.get 0))))
    (core instance $i (instantiate $m (with "" (instance
      (export "memory" (memory $mem "memory"))))))
    (func (export "len") async (param "s" string) (result u32)
      (canon lift (core func $i "len") (memory (core memory $mem "memory"))
        (realloc (core func $mem "realloc")) (post-return (core func $i "post"))))
    (func (export "boom") async (param "x" u32) (result u32)
      (canon lift (core func $i "boom"))))
  (instance $lib (instantiate $lib))

  (core module $mem
    (memory (export "memory") 1)
    (data (i32.const 16) "hello world"))
  (core instance $mem (instantiate $mem))
  (core func $len (canon lower (func $lib "len") (memory (core memory $mem "memory"))))
  (core func $boom (canon lower (func $lib "boom")))
  (core module $main
    (import "" "len" (func $len (param i32 i32) (result i32)))
    (import "" "boom" (func $boom (param i32) (result i32)))
    ;; The second call counts the first's `post-return`.
    (func (export "len") (result i32)
      (drop (call $len (i32.const 16) (i32.const 5)))
      (i32.add (call $len (i32.const 16) (i32.const 9)) (i32.const 1)))
    (func (export "boom") (result i32) (call $boom (i32.const 7))))
  (core instance $main (instantiate $main (with "" (instance
    (export "len" (func $len))
    (export "boom" (func $boom))))))
  (func (export "len") (result u32) (canon lift (core func $main "len")))
  (func (export "boom") (result u32) (canon lift (core func $main "boom"))))
