;; `poll_oneoff`: the events buffer is written by the function itself (no
;; context, see `host_call_oob_events.wat`), but the `nevents` result is
;; wiggle's `write size`.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; One subscription at 0: userdata 0, tag clock, monotonic clock,
    ;; relative timeout 0.
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (drop (call $poll_oneoff (i32.const 0) (i32.const 200) (i32.const 1) (i32.const 65534)))))
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "In func wasi_snapshot_preview1::poll_oneoff at write size: Pointer out of bounds: Region { start: 65534, len: 4 }\n    3: Pointer out of bounds: Region { start: 65534, len: 4 }\n"
