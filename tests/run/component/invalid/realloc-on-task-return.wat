;; `realloc` on `task.return`, without `memory`: Wasmtime 49 names the
;; missing memory before the option `task.return` cannot take.
;; kiln-test: compile-error = "invalid wasm at offset 0x59: canonical option `realloc` requires `memory` to also be specified"
;; kiln-test: wasmtime-refuses = "canonical option `realloc` requires `memory` to also be specified"
(component
  (core module $m
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (core func $ret (canon task.return (result u32) (realloc (core func $i "realloc")))))
