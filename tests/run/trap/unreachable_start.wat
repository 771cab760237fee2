;; A command whose `_start` prints, then hits `unreachable`: the output
;; written before the trap is kept, the trap is reported, exit status 134.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\07\00\00\00")
  (data (i32.const 16) "before\n")
  (func $inner (unreachable))
  (func $middle (call $inner))
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $middle)))
;; kiln-test: stdout = "before\n"
;; kiln-test: trap = "wasm `unreachable` instruction executed"
