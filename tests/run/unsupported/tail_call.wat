;; Tail calls are not supported yet.
(module
  (func $f (result i32) (i32.const 1))
  (func (export "_start") (drop (call $g)))
  (func $g (result i32) (return_call $f)))
;;! compile-error = "unsupported feature: tail-call"
