;; The same inside an instance type whose later declaration wasmparser
;; 0.243 refuses: the `stream<char>` declared first is Wasmtime 49's error.
;; kiln-test: compile-error = "invalid wasm at offset 0xb: `stream<char>` is not valid at this time"
;; kiln-test: wasmtime-refuses = "`stream<char>` is not valid at this time"
(component
  (type (instance
    (type (stream char))
    (type (func (param "a" u8) (param "a" u8))))))
