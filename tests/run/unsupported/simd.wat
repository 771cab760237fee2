;; SIMD is not supported yet: a clear compile-time error naming it.
(module
  (func (export "_start")
    (drop (i32x4.extract_lane 0 (v128.const i32x4 1 2 3 4)))))
;;! compile-error = "unsupported feature: simd"
