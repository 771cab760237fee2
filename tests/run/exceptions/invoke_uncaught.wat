;; An exception uncaught in an invoked export fails the invocation as in
;; wasmtime (the start function ran fine).
(module
  (tag $e)
  (global $armed (mut i32) (i32.const 0))
  (func $s
    (if (global.get $armed) (then (throw $e))))
  (start $s)
  (func (export "f") (result i32) (global.set $armed (i32.const 1)) (call $s) (i32.const 0))
  (func (export "_start")))
;; kiln-test: invoke = "f"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    0: failed to invoke `f`\n"
;; kiln-test: stderr-contains = "    2: thrown Wasm exception\n"
