;; `poll_oneoff` fills its events buffer itself: an out-of-bounds events
;; pointer is the bare pointer error, without wiggle's `In func` context
;; (fields are written one by one: the u64 at 65528 fits, the u16 at 65536
;; does not).
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (drop (call $poll_oneoff (i32.const 0) (i32.const 65528) (i32.const 1) (i32.const 100)))))
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    2: Pointer out of bounds: Region { start: 65536, len: 2 }\n\n"
