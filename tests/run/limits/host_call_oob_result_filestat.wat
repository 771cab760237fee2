;; `fd_filestat_get` of stdout with its `filestat` result out of bounds.
(module
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $fd_filestat_get (i32.const 1) (i32.const 65530)))))
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "In func wasi_snapshot_preview1::fd_filestat_get at write filestat: Pointer out of bounds: Region { start: 65530, len: 8 }\n    3: Pointer out of bounds: Region { start: 65530, len: 8 }\n"
