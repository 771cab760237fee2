;; A `stream<char>` type, then an item wasmparser 0.243 refuses for its own
;; reason in the same type section: Wasmtime 49 checks each type as it
;; creates it, so the earlier `stream<char>` is its error.
;; kiln-test: compile-error = "invalid wasm at offset 0xb: `stream<char>` is not valid at this time"
;; kiln-test: wasmtime-refuses = "`stream<char>` is not valid at this time"
(component
  (type (stream char))
  (type (func (param "a" u8) (param "a" u8))))
