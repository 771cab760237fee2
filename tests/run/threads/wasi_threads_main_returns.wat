;; wasi-threads: the main thread returning from `_start` ends the process
;; (status 0) while a spawned thread still runs; `thread-spawn` without a
;; valid `wasi_thread_start` export is not needed for that. The spawned
;; thread blocks forever.
;; kiln-test: wasmtime-skip = "wasmtime 47 removed wasi-threads (-S threads)"
;; kiln-test: stdout = ""
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "wasi_thread_start") (param i32 i32)
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))))
  (func (export "_start")
    (if (i32.ne (call $spawn (i32.const 0)) (i32.const 1)) (then unreachable))
    (if (i32.ne (call $spawn (i32.const 0)) (i32.const 2)) (then unreachable))))
