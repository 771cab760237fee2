;; `fd_fdstat_get` writes its `fdstat` result field by field: the u8 and u16
;; fields at 4 and 6 fit, the u64 at 12 is misaligned. The context line
;; names `write fdstat`.
(module
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $fd_fdstat_get (i32.const 1) (i32.const 4)))))
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "In func wasi_snapshot_preview1::fd_fdstat_get at write fdstat: Pointer not aligned to 8: Region { start: 12, len: 8 }\n    3: Pointer not aligned to 8: Region { start: 12, len: 8 }\n"
