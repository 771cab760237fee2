;; Regression (compile fuzzing, finding F2): a module that imports a global
;; of a GC type needs GC, which Kiln does not support, so the error should
;; name the feature. Today the import check runs first and reports
;; `unknown import` (for this import, or for any non-WASI import before it).
;;! skip = "finding F2 (H8): reported as `unknown import` instead of `unsupported feature: gc` (compiler/src/module/translate.rs, GC relaxation path)"
;;! compile-error = "unsupported feature: gc"
(module
  (import "env" "t" (table 0 funcref))
  (import "env" "g" (global (mut structref))))
