;; An active element segment that does not fit traps at instantiation.
(module
  (table 1 funcref)
  (elem (i32.const 1) func $f)
  (func $f)
  (func (export "_start")))
;; kiln-test: trap = "undefined element: out of bounds table access"
;; kiln-test: stderr-contains = "failed to instantiate"
