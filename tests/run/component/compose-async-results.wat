;; Traps in the results' move of `async` calls (Wasmtime 49's
;; `[async-return]` function of the adapter): a string that is not UTF-8
;; given to `task.return` by an `async` callee, lowered `async` and sync
;; (the move runs inside `task.return`: the callee's frames follow), and
;; returned by a sync callee lowered `async` (the move's frame alone).
;; kiln-test: invoke = "async-r(11)"
;; kiln-test: expect = "11"
;; kiln-test: invoke = "sync-r(11)"
;; kiln-test: expect = "11"
;; kiln-test: invoke = "async-q(11)"
;; kiln-test: expect = "11"
;; kiln-test: invoke = "async-r(12)"
;; kiln-test: exit = 1
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "sync-r(12)"
;; kiln-test: exit = 1
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "async-q(12)"
;; kiln-test: exit = 1
;; kiln-test: stderr-like-wasmtime
(component
  (component $lib
    (core module $mem
      (memory (export "memory") 1)
      (data (i32.const 16) "hello world\ff"))
    (core instance $mem (instantiate $mem))
    (core func $task.return (canon task.return (result string) (memory (core memory $mem "memory"))))
    (core module $m
      (import "" "task.return" (func $task.return (param i32 i32)))
      (import "" "memory" (memory 1))
      (func $give (param i32)
        (call $task.return (i32.const 16) (local.get 0)))
      (func (export "r") (param i32) (result i32)
        (call $give (local.get 0))
        (i32.const 0))
      (func (export "cb") (param i32 i32 i32) (result i32) unreachable)
      (func (export "q") (param i32) (result i32)
        (i32.store (i32.const 0) (i32.const 16))
        (i32.store (i32.const 4) (local.get 0))
        (i32.const 0)))
    (core instance $i (instantiate $m (with "" (instance
      (export "task.return" (func $task.return))
      (export "memory" (memory $mem "memory"))))))
    (func (export "r") async (param "n" u32) (result string)
      (canon lift (core func $i "r") async (callback (core func $i "cb"))
        (memory (core memory $mem "memory"))))
    (func (export "q") async (param "n" u32) (result string)
      (canon lift (core func $i "q") (memory (core memory $mem "memory")))))
  (instance $lib (instantiate $lib))
  (core module $mm
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $next))
      (global.set $next (i32.add (global.get $next) (local.get 3)))
      (local.get $p)))
  (core instance $mm (instantiate $mm))
  (core func $r (canon lower (func $lib "r") async (memory (core memory $mm "memory")) (realloc (core func $mm "realloc"))))
  (core func $r2 (canon lower (func $lib "r") (memory (core memory $mm "memory")) (realloc (core func $mm "realloc"))))
  (core func $q (canon lower (func $lib "q") async (memory (core memory $mm "memory")) (realloc (core func $mm "realloc"))))
  (core module $main
    (import "" "r" (func $r (param i32 i32) (result i32)))
    (import "" "r2" (func $r2 (param i32 i32)))
    (import "" "q" (func $q (param i32 i32) (result i32)))
    (import "" "memory" (memory 1))
    (func (export "async-r") (param i32) (result i32)
      (drop (call $r (local.get 0) (i32.const 64)))
      (i32.load offset=4 (i32.const 64)))
    (func (export "sync-r") (param i32) (result i32)
      (call $r2 (local.get 0) (i32.const 64))
      (i32.load offset=4 (i32.const 64)))
    (func (export "async-q") (param i32) (result i32)
      (drop (call $q (local.get 0) (i32.const 64)))
      (i32.load offset=4 (i32.const 64))))
  (core instance $main (instantiate $main (with "" (instance
    (export "r" (func $r)) (export "r2" (func $r2)) (export "q" (func $q))
    (export "memory" (memory $mm "memory"))))))
  (func (export "async-r") async (param "n" u32) (result u32) (canon lift (core func $main "async-r")))
  (func (export "sync-r") (param "n" u32) (result u32) (canon lift (core func $main "sync-r")))
  (func (export "async-q") async (param "n" u32) (result u32) (canon lift (core func $main "async-q"))))
