;; An out-of-bounds store inside the start function: a failed instantiation
;; with wasmtime's memory-fault detail line.
(module
  (memory 1)
  (func $init (i32.store (i32.const 65533) (i32.const 7)))
  (start $init)
  (func (export "_start")))
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: stderr-contains = "failed to instantiate"
;; kiln-test: stderr-contains = "    0:     0x32 - <unknown>!init\n    2: memory fault at wasm address 0x10000 in linear memory of size 0x10000\n"
