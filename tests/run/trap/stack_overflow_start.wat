;; Unbounded recursion in `_start` exhausts the wasm stack: a clean trap, not
;; a segfault.
(module
  (func $down (param i64) (result i64)
    (i64.add (i64.const 1) (call $down (i64.add (local.get 0) (i64.const 1)))))
  (func (export "_start") (drop (call $down (i64.const 0)))))
;; kiln-test: trap = "call stack exhausted"
