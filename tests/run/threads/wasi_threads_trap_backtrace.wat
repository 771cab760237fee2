;; wasi-threads: a trap on the main thread while a spawned thread runs wasm
;; prints the main thread's whole backtrace. The stack range the backtrace
;; walker trusts is per thread: the spawned thread entering wasm after the
;; main thread must not replace the main thread's range (which cut its
;; backtraces to frame 0).
;; kiln-test: wasmtime-skip = "wasmtime 47 removed wasi-threads (-S threads)"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
;; kiln-test: stderr-contains = "!innermost"
;; kiln-test: stderr-contains = "!middle"
;; kiln-test: stderr-contains = "!outermost"
;; kiln-test: stderr-contains = "!start"
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  ;; The spawned thread says it is in wasm, then spins there.
  (func (export "wasi_thread_start") (param i32 i32)
    (i32.atomic.store (i32.const 0) (i32.const 1))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1)))
    (loop $spin (br $spin)))
  (func $innermost (unreachable))
  (func $middle (call $innermost))
  (func $outermost (call $middle))
  (func $start (export "_start")
    (drop (call $spawn (i32.const 0)))
    ;; Wait until the spawned thread has entered wasm.
    (block $ready
      (loop $wait
        (br_if $ready (i32.atomic.load (i32.const 0)))
        (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 1000000)))
        (br $wait)))
    (call $outermost)))
