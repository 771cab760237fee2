;; Integer division by zero in `_start`, with the divisor coming from
;; memory so that it is not a constant.
(module
  (memory 1)
  (func (export "_start")
    (drop (i64.div_u (i64.const 10) (i64.load (i32.const 0))))))
;; kiln-test: trap = "integer divide by zero"
