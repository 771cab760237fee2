;; wasi-threads: a trap in a spawned thread ends the process with the trap
;; report (the spawned thread's backtrace) and status 134, while the main
;; thread waits forever.
;; kiln-test: wasmtime-skip = "wasmtime 47 removed wasi-threads (-S threads)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-contains = "!thread_body"
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func $thread_body (unreachable))
  (func (export "wasi_thread_start") (param i32 i32) (call $thread_body))
  (func (export "_start")
    (drop (call $spawn (i32.const 0)))
    (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))))
