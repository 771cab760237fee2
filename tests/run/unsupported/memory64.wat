;; memory64 is not supported yet.
(module
  (memory i64 1)
  (func (export "_start")))
;;! compile-error = "unsupported feature: memory64"
