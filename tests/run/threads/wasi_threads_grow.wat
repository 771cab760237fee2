;; wasi-threads: a thread grows the shared memory; the main thread sees the
;; new size and can use the new page (the memory never moves).
;; kiln-test: wasmtime-skip = "wasmtime 47 removed wasi-threads (-S threads)"
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "env" "memory" (memory 1 4 shared))
  (export "memory" (memory 0))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (i32.atomic.store (i32.const 0) (memory.grow (i32.const 2)))
    (i32.atomic.store (i32.const 131088) (i32.const 42))
    (i32.atomic.store (i32.const 4) (i32.const 1))
    (drop (memory.atomic.notify (i32.const 4) (i32.const 1))))
  (func (export "_start")
    (drop (call $spawn (i32.const 0)))
    (block $done
      (loop $wait
        (br_if $done (i32.atomic.load (i32.const 4)))
        (drop (memory.atomic.wait32 (i32.const 4) (i32.const 0) (i64.const -1)))
        (br $wait)))
    (if (i32.ne (i32.atomic.load (i32.const 0)) (i32.const 1)) (then unreachable))
    (if (i32.ne (memory.size) (i32.const 3)) (then unreachable))
    (if (i32.ne (i32.atomic.load (i32.const 131088)) (i32.const 42)) (then unreachable))
    (if (i32.ne (memory.grow (i32.const 2)) (i32.const -1)) (then unreachable))))
