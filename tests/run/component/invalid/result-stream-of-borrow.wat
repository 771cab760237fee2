;; A function type whose result is a stream of borrows: wasmparser 0.243
;; does not look inside stream payloads for a borrow; Wasmtime 49 does.
;; kiln-test: compile-error = "invalid wasm at offset 0x13: function result cannot contain a `borrow` type"
;; kiln-test: wasmtime-refuses = "function result cannot contain a `borrow` type"
(component
  (type $r (resource (rep i32)))
  (type $s (stream (borrow $r)))
  (type $f (func (result $s))))
