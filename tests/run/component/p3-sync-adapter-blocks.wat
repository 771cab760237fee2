;; A function of an `async` type lowered and lifted without `async` between
;; component instances is a generated adapter whose callee runs as a task
;; of its own that may block, as in Wasmtime 49: `$lib`'s `waits` calls
;; `later` (an async callee that yields before it returns) synchronously
;; and waits for it on the event loop, whether or not the caller's own
;; task may block (`waits` is of a sync type, `waits-async` of an async
;; one). Values and backtraces of such adapters: `compose-async-type.wat`.
;; kiln-test: invoke = "waits()"
;; kiln-test: expect = "9"
;; kiln-test: invoke = "waits-async()"
;; kiln-test: expect = "9"
(component
  (component $inner
    (core func $task.return (canon task.return (result u32)))
    (core module $m
      (import "" "task.return" (func $task.return (param i32)))
      ;; Yields first; the callback returns 8.
      (func (export "later") (param i32) (result i32) (i32.const 1))
      (func (export "cb") (param i32 i32 i32) (result i32)
        (call $task.return (i32.const 8))
        (i32.const 0)))
    (core instance $i (instantiate $m (with "" (instance
      (export "task.return" (func $task.return))))))
    (func (export "later") async (param "x" u32) (result u32)
      (canon lift (core func $i "later") async (callback (core func $i "cb")))))
  (instance $inner (instantiate $inner))

  (component $lib
    (import "later" (func $later async (param "x" u32) (result u32)))
    (core func $later (canon lower (func $later)))
    (core module $m
      (import "" "later" (func $later (param i32) (result i32)))
      (func (export "waits") (param i32) (result i32)
        (i32.add (call $later (local.get 0)) (i32.const 1))))
    (core instance $i (instantiate $m (with "" (instance
      (export "later" (func $later))))))
    (func (export "waits") async (param "x" u32) (result u32)
      (canon lift (core func $i "waits"))))
  (instance $lib (instantiate $lib (with "later" (func $inner "later"))))

  (core func $waits (canon lower (func $lib "waits")))
  (core module $main
    (import "" "waits" (func $waits (param i32) (result i32)))
    (func (export "waits") (result i32) (call $waits (i32.const 7))))
  (core instance $main (instantiate $main (with "" (instance
    (export "waits" (func $waits))))))
  (func (export "waits") (result u32) (canon lift (core func $main "waits")))
  (func (export "waits-async") async (result u32) (canon lift (core func $main "waits"))))
