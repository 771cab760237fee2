;; A WASI flags argument with unknown bits (oflags 0x10) is a fatal wiggle
;; conversion error, not an errno.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1)
      (i32.const 0x10) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 100)))))
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    2: In func wasi_snapshot_preview1::path_open at convert Oflags: Invalid flag value Oflags\n    3: Invalid flag value Oflags\n\n"
