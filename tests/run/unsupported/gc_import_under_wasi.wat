;; Regression (compile fuzzing, finding F2): a module that imports a global
;; of a GC type needs GC, which Kiln does not support, so the error should
;; name the feature. Today the import check runs first and reports
;; `unknown import` (for this import, or for any non-WASI import before it).
;; kiln-test: compile-error = "unsupported feature: gc"
(module
  (import "env" "t" (table 0 funcref))
  (import "env" "g" (global (mut structref))))
