;; A component whose core module has an invalid function body (an i64
;; returned as i32): the component's validation rejects it (translation
;; of its core modules does not validate bodies a second time).
;; kiln-test: compile-error = "type mismatch: expected i32, found i64"
(component
  (core module $m
    (func (export "f") (result i32) (i64.const 1))))
