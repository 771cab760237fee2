;; Adapters of `async` calls and a sync adapter in one component: `a` is
;; lowered `async` and sync, `s` sync; `s`'s callee traps two frames
;; down, and the backtrace shows the sync adapter's frame. A string that
;; is not UTF-8 fails in the parameters' move, whose frame is the only
;; one shown (Wasmtime runs it on the callee's fiber).
;; kiln-test: invoke = "sync-a()"
;; kiln-test: expect = "11"
;; kiln-test: invoke = "async-a()"
;; kiln-test: expect = "11"
;; kiln-test: invoke = "sync-s()"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "sync-a-bad()"
;; kiln-test: exit = 1
;; kiln-test: stderr-like-wasmtime
;; kiln-test: invoke = "async-a-bad()"
;; kiln-test: exit = 1
;; kiln-test: stderr-like-wasmtime
(component
  (component $lib
    (core func $task.return (canon task.return (result u32)))
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
      (import "" "task.return" (func $task.return (param i32)))
      (import "" "memory" (memory 1))
      (func (export "a") (param i32 i32) (result i32)
        (call $task.return (local.get 1))
        (i32.const 0))
      (func (export "cb") (param i32 i32 i32) (result i32) unreachable)
      (func $deep (param i32) (result i32) unreachable)
      (func (export "s") (param i32) (result i32) (call $deep (local.get 0))))
    (core instance $i (instantiate $m (with "" (instance
      (export "task.return" (func $task.return))
      (export "memory" (memory $mem "memory"))))))
    (func (export "a") async (param "s" string) (result u32)
      (canon lift (core func $i "a") async (callback (core func $i "cb"))
        (memory (core memory $mem "memory")) (realloc (core func $mem "realloc"))))
    (func (export "s") (param "x" u32) (result u32)
      (canon lift (core func $i "s"))))
  (instance $lib (instantiate $lib))
  (core module $mm
    (memory (export "memory") 1)
    (data (i32.const 16) "hello world\ff"))
  (core instance $mm (instantiate $mm))
  (core func $a (canon lower (func $lib "a") async (memory (core memory $mm "memory"))))
  (core func $a2 (canon lower (func $lib "a") (memory (core memory $mm "memory"))))
  (core func $s (canon lower (func $lib "s")))
  (core module $main
    (import "" "a" (func $a (param i32 i32 i32) (result i32)))
    (import "" "a2" (func $a2 (param i32 i32) (result i32)))
    (import "" "s" (func $s (param i32) (result i32)))
    (import "" "memory" (memory 1))
    (func (export "sync-a") (result i32) (call $a2 (i32.const 16) (i32.const 11)))
    (func (export "sync-a-bad") (result i32) (call $a2 (i32.const 16) (i32.const 12)))
    (func (export "async-a") (result i32)
      (drop (call $a (i32.const 16) (i32.const 11) (i32.const 64)))
      (i32.load (i32.const 64)))
    (func (export "async-a-bad") (result i32)
      (drop (call $a (i32.const 16) (i32.const 12) (i32.const 64)))
      (i32.load (i32.const 64)))
    (func (export "sync-s") (result i32) (call $s (i32.const 7))))
  (core instance $main (instantiate $main (with "" (instance
    (export "a" (func $a)) (export "a2" (func $a2)) (export "s" (func $s))
    (export "memory" (memory $mm "memory"))))))
  (func (export "sync-a") (result u32) (canon lift (core func $main "sync-a")))
  (func (export "sync-a-bad") (result u32) (canon lift (core func $main "sync-a-bad")))
  (func (export "async-a") async (result u32) (canon lift (core func $main "async-a")))
  (func (export "async-a-bad") async (result u32) (canon lift (core func $main "async-a-bad")))
  (func (export "sync-s") (result u32) (canon lift (core func $main "sync-s"))))
