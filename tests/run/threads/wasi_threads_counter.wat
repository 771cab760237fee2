;; wasi-threads: 8 threads (real OS threads, each its own instance over the
;; shared memory) add to one counter with i32.atomic.rmw.add; each then
;; bumps a "done" cell and notifies; `_start` waits on that cell until all
;; are done, checks the counter and the thread ids (1..8, distinct), then
;; prints.
;; kiln-test: wasmtime-skip = "wasmtime 47 removed wasi-threads (-S threads)"
;; kiln-test: stdout = "counter ok\n"
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (export "memory" (memory 0))
  ;; 0: counter, 4: done, 8: id bitmap, 64: iovec, 100: text
  (data (i32.const 100) "counter ok\n")
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (local $i i32)
    (loop $l
      (drop (i32.atomic.rmw.add (i32.const 0) (local.get $arg)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 10000))))
    (drop (i32.atomic.rmw.or (i32.const 8) (i32.shl (i32.const 1) (local.get $tid))))
    (drop (i32.atomic.rmw.add (i32.const 4) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 4) (i32.const -1))))
  (func (export "_start")
    (local $i i32) (local $done i32)
    (loop $l
      (if (i32.le_s (call $spawn (i32.const 3)) (i32.const 0)) (then unreachable))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 8))))
    (block $all
      (loop $wait
        (local.set $done (i32.atomic.load (i32.const 4)))
        (br_if $all (i32.eq (local.get $done) (i32.const 8)))
        (drop (memory.atomic.wait32 (i32.const 4) (local.get $done) (i64.const -1)))
        (br $wait)))
    (if (i32.ne (i32.atomic.load (i32.const 0)) (i32.const 240000)) (then unreachable))
    (if (i32.ne (i32.atomic.load (i32.const 8)) (i32.const 0x1fe)) (then unreachable))
    (i32.store (i32.const 64) (i32.const 100))
    (i32.store (i32.const 68) (i32.const 11))
    (drop (call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 72)))))
