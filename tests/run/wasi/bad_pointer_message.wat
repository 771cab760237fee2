;; An iovec array that runs past the end of memory is a fatal host error;
;; the last line of the chain is wiggle's wording, as wasmtime prints it
;; (regression: Kiln used its own wording).
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    2: Pointer out of bounds: Region { start: 65535, len: 4 }\n"
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 65535) (i32.const 1) (i32.const 8)))))
