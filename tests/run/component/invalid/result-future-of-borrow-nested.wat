;; The same inside a future inside an option, in a function type declared
;; inside an instance type.
;; kiln-test: compile-error = "invalid wasm at offset 0xb: function result cannot contain a `borrow` type"
;; kiln-test: wasmtime-refuses = "function result cannot contain a `borrow` type"
(component
  (type (instance
    (export "r" (type $r (sub resource)))
    (type $f (future (borrow $r)))
    (type $o (option $f))
    (export "get" (func (result $o))))))
