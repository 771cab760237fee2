;; `stream<char>` declared inside an instance type, used by nothing.
;; kiln-test: compile-error = "invalid wasm at offset 0xb: `stream<char>` is not valid at this time, use `stream<u8>` with a defined by encoding instead for now"
;; kiln-test: wasmtime-refuses = "`stream<char>` is not valid at this time"
(component
  (type (instance
    (type (stream char)))))
