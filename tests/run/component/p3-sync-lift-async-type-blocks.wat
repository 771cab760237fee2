;; A function of an `async` type lifted without `async` may block, as in
;; Wasmtime 49: `blocks` (such an export) calls `later` synchronously, an
;; async callee that yields before it returns, and waits for it on the
;; event loop. `traps` is the same call from an export of a sync type,
;; which may not block.
;; kiln-test: invoke = "blocks()"
;; kiln-test: expect = "8"
;; kiln-test: invoke = "traps()"
;; kiln-test: trap = "cannot block a synchronous task before returning"
(component
  (component $lib
    (core func $task.return (canon task.return (result u32)))
    (core module $m
      (import "" "task.return" (func $task.return (param i32)))
      ;; Yields first; the callback returns x + 1 (x = 7 here).
      (func (export "later") (param i32) (result i32) (i32.const 1))
      (func (export "cb") (param i32 i32 i32) (result i32)
        (call $task.return (i32.const 8))
        (i32.const 0)))
    (core instance $i (instantiate $m (with "" (instance
      (export "task.return" (func $task.return))))))
    (func (export "later") async (param "x" u32) (result u32)
      (canon lift (core func $i "later") async (callback (core func $i "cb")))))
  (instance $lib (instantiate $lib))
  (core func $later (canon lower (func $lib "later")))
  (core module $main
    (import "" "later" (func $later (param i32) (result i32)))
    (func (export "go") (result i32) (call $later (i32.const 7))))
  (core instance $main (instantiate $main (with "" (instance
    (export "later" (func $later))))))
  (func (export "blocks") async (result u32) (canon lift (core func $main "go")))
  (func (export "traps") (result u32) (canon lift (core func $main "go"))))
