;; An active data segment that does not fit traps at instantiation.
(module
  (memory 1)
  (data (i32.const 0) "fits")
  (data (i32.const 65535) "ab")
  (func (export "_start")))
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: stderr-contains = "failed to instantiate"
