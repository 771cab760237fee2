;; -W timeout while the guest waits in a host call (`poll_oneoff` sleeping
;; for 10 s): no wasm runs, so no check can see the flag; the deadline ends
;; the run at once, as Wasmtime's CLI does when its timeout fires while the
;; guest awaits the host: `timed out after deadline has elapsed`, caused by
;; the interrupt trap, no backtrace, exit status 134. A short sleep that ends
;; in time (`nap`) returns normally.
;; kiln-test: flags = "-W timeout=300ms"
;; kiln-test: exit = 134
;; kiln-test: stderr = "Error: timed out after deadline has elapsed\n\nCaused by:\n    wasm trap: interrupt\n\n"
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; One relative clock subscription at 0 (monotonic clock, timeout at 24);
  ;; its event goes to 64, the event count to 128.
  (data (i32.const 16) "\01\00\00\00")
  (func $sleep (param $ns i64) (result i32)
    (i64.store (i32.const 24) (local.get $ns))
    (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))
  (func (export "nap") (result i32) (call $sleep (i64.const 10000000)))
  (func (export "_start") (drop (call $sleep (i64.const 10000000000)))))
;; kiln-test: invoke = "nap"
;; kiln-test: expect = "0"
