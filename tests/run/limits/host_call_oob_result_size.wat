;; `args_sizes_get` writes two `size` results; the second pointer is out of
;; bounds: wiggle's context names the function and `write size`.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $args_sizes_get (i32.const 0) (i32.const 65534)))))
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "In func wasi_snapshot_preview1::args_sizes_get at write size: Pointer out of bounds: Region { start: 65534, len: 4 }\n    3: Pointer out of bounds: Region { start: 65534, len: 4 }\n"
