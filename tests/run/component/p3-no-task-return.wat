;; An async-lifted `wasi:cli/run@0.3` (stackless, with a callback) whose
;; task exits without calling `task.return`: Wasmtime 49's wasm trap.
;; kiln-test: trap = "async-lifted export failed to produce a result"
(component
  (core module $m
    (func (export "go") (result i32) (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (type $r (result))
  (type $ft (func async (result $r)))
  (func $run (type $ft)
    (canon lift (core func $i "go") async (callback (core func $i "cb"))))
  (instance $inst (export "run" (func $run)))
  (export "wasi:cli/run@0.3.0" (instance $inst)))
