;; A WASI call whose *result* pointer is out of bounds: wasmtime (wiggle)
;; adds a context line naming the function and the result's witx type
;; before the pointer error.
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (func $inner (drop (call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 65532))))
  (func (export "_start") (call $inner)))
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    2: In func wasi_snapshot_preview1::clock_time_get at write timestamp: Pointer out of bounds: Region { start: 65532, len: 8 }\n    3: Pointer out of bounds: Region { start: 65532, len: 8 }\n"
