;; Backtraces of a trap in a callee reached through an async lowering or
;; lifting across components: Wasmtime 49 runs such a callee as a task of
;; its own (on a fiber of its own), so the backtrace holds the callee's
;; frames only, not the caller's; Kiln stops its walk there too.
;; kiln-test: invoke = "sync-to-async()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "async-to-sync()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "works()"
;; kiln-test: expect = "8"
(component
  (component $lib
    (core func $task.return (canon task.return (result u32)))
    (core module $m
      (import "" "task.return" (func $task.return (param i32)))
      (memory (export "memory") 1)
      ;; Traps at once.
      (func (export "f") (param i32) (result i32) unreachable)
      ;; Returns x + 1.
      (func (export "inc") (param i32) (result i32)
        (call $task.return (i32.add (local.get 0) (i32.const 1)))
        (i32.const 0))
      (func (export "cb") (param i32 i32 i32) (result i32) unreachable)
      (func (export "g") (param i32) (result i32) unreachable))
    (core instance $i (instantiate $m (with "" (instance
      (export "task.return" (func $task.return))))))
    (func (export "f") async (param "x" u32) (result u32)
      (canon lift (core func $i "f") async (callback (core func $i "cb"))))
    (func (export "inc") async (param "x" u32) (result u32)
      (canon lift (core func $i "inc") async (callback (core func $i "cb"))))
    (func (export "g") async (param "x" u32) (result u32)
      (canon lift (core func $i "g"))))
  (instance $lib (instantiate $lib))
  (core module $mm (memory (export "memory") 1))
  (core instance $mm (instantiate $mm))
  (core func $f (canon lower (func $lib "f")))
  (core func $inc (canon lower (func $lib "inc")))
  (core func $g (canon lower (func $lib "g") async (memory (core memory $mm "memory"))))
  (core module $main
    (import "" "f" (func $f (param i32) (result i32)))
    (import "" "inc" (func $inc (param i32) (result i32)))
    (import "" "g" (func $g (param i32 i32) (result i32)))
    (func (export "sync-to-async") (result i32) (call $f (i32.const 7)))
    (func (export "async-to-sync") (result i32) (call $g (i32.const 7) (i32.const 64)))
    (func (export "works") (result i32) (call $inc (i32.const 7))))
  (core instance $main (instantiate $main (with "" (instance
    (export "f" (func $f)) (export "inc" (func $inc))
    (export "g" (func $g))))))
  (func (export "sync-to-async") (result u32) (canon lift (core func $main "sync-to-async")))
  (func (export "async-to-sync") async (result u32) (canon lift (core func $main "async-to-sync")))
  (func (export "works") (result u32) (canon lift (core func $main "works"))))
