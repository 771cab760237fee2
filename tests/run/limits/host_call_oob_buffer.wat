;; A WASI call whose buffer runs past the end of memory is a fatal host
;; error (exit 1, not a trap): the backtrace names the caller of the import
;; and the last line is wiggle's wording, as wasmtime prints it.
(module
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $inner (drop (call $random_get (i32.const 65000) (i32.const 1000))))
  (func (export "_start") (call $inner)))
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    0:     0x66 - <unknown>!inner\n"
;; kiln-test: stderr-contains = "    2: Pointer out of bounds: Region { start: 65000, len: 1000 }\n"
