;; A `wasi:cli/run@0.3` export lifted without `async` (its type is async):
;; run as a task that may block, as in Wasmtime 49. It calls `later`, an
;; async callee that yields before returning 8, synchronously (waiting on
;; the event loop), and returns `ok` (exit 0) if it got 8.
;; kiln-test: exit = 0
(component
  (component $lib
    (core func $task.return (canon task.return (result u32)))
    (core module $m
      (import "" "task.return" (func $task.return (param i32)))
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
    (func (export "run") (result i32)
      (i32.ne (call $later (i32.const 7)) (i32.const 8))))
  (core instance $main (instantiate $main (with "" (instance
    (export "later" (func $later))))))
  (func $run async (result (result)) (canon lift (core func $main "run")))
  (instance $inst (export "run" (func $run)))
  (export "wasi:cli/run@0.3.0" (instance $inst)))
