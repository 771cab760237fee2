;; An active segment that overflows its table's minimum size is never
;; applied by the compiled reference initializer: the runtime applies the
;; segments from it on and traps at instantiation, as the spec says, after
;; the static segment before it.
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: stderr-contains = "failed to instantiate"
(module
  (table $t 2 funcref)
  (elem (table $t) (i32.const 0) func $f)
  (elem (table $t) (i32.const 1) func $f $f)
  (func $f)
  (func (export "_start"))
)
