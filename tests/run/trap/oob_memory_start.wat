;; An out-of-bounds store in `_start` (one byte past the end of a one-page
;; memory) traps; memory is not changed by a trapping store.
(module
  (memory 1)
  (func (export "_start")
    (i32.store8 (i32.const 65535) (i32.const 1))
    (i32.store16 (i32.const 65535) (i32.const 1))))
;; kiln-test: trap = "out of bounds memory access"
