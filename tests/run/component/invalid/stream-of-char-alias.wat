;; `stream<char>` through a type defined as `char`.
;; kiln-test: compile-error = "invalid wasm at offset 0xc: `stream<char>` is not valid at this time, use `stream<u8>` with a defined by encoding instead for now"
;; kiln-test: wasmtime-refuses = "`stream<char>` is not valid at this time"
(component
  (type $c char)
  (type $s (stream $c)))
