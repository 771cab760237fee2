;; `global.get` of a defined global in a constant expression is a GC-proposal
;; extension (wasm 2.0 allows only imported globals there): rejected with the
;; proposal's name, not miscompiled.
(module
  (global $k i32 (i32.const 40))
  (global $from_k i32 (global.get $k))
  (func (export "_start")))
;;! compile-error = "unsupported feature: gc"
