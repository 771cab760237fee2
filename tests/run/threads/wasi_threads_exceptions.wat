;; wasi-threads with exceptions: each thread has its own exception heap
;; and collector, whose roots include the thread's own instance. The
;; spawned thread's instance is created by the main thread and handed over;
;; its exnref global must be a root on the spawned thread, which keeps an
;; exception in it while both threads throw 200,000 garbage exceptions.
;; kiln-test: wasmtime-skip = "wasmtime 47 removed wasi-threads (-S threads)"
;; kiln-test: exit = 99
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (export "memory" (memory 0))
  (tag $e (param i32))
  (global $g (mut exnref) (ref.null exn))

  (func $make (param $v i32) (result exnref)
    (local $x exnref)
    (block $h (result i32 exnref)
      (try_table (catch_ref $e $h) (throw $e (local.get $v)))
      (unreachable))
    (local.set $x)
    (drop)
    (local.get $x))

  (func $value (param $x exnref) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw_ref (local.get $x)))
      (unreachable)))

  (func $churn (param $k i32)
    (loop $l
      (if (local.get $k)
        (then
          (drop (call $make (i32.const -1)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br $l)))))

  ;; The spawned thread: stores its payload at address 4, then says done.
  (func (export "wasi_thread_start") (param i32 i32)
    (global.set $g (call $make (i32.const 57)))
    (call $churn (i32.const 200000))
    (i32.atomic.store (i32.const 4) (call $value (global.get $g)))
    (i32.atomic.store (i32.const 0) (i32.const 1))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))

  (func (export "_start")
    (global.set $g (call $make (i32.const 42)))
    (drop (call $spawn (i32.const 0)))
    (call $churn (i32.const 200000))
    (block $done
      (loop $wait
        (br_if $done (i32.atomic.load (i32.const 0)))
        (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 1000000)))
        (br $wait)))
    ;; 42 + 57 = 99.
    (call $exit (i32.add (call $value (global.get $g)) (i32.atomic.load (i32.const 4)))))
)
