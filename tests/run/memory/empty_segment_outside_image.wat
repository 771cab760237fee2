;; Regression (differential fuzzing, H8): an empty active data segment at an
;; offset outside the span of the non-empty ones made the compiler panic
;; while folding segments into the memory image. Empty in-bounds segments
;; are no-ops; the others still initialize memory.
(module
  (memory 1)
  (data (i32.const 30000) "")
  (data (i32.const 8192) "a")
  (data (i32.const 65536) "")
  (func (export "get") (result i32)
    (i32.add (i32.load8_u (i32.const 8192)) (i32.load8_u (i32.const 30000)))))
;; kiln-test: invoke = "get"
;; kiln-test: expect = "97"
