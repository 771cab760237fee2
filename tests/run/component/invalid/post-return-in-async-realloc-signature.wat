;; An async lift with `post-return` and a `realloc` of the wrong
;; signature: Wasmtime 49 refuses the option combination first.
;; kiln-test: compile-error = "invalid wasm at offset 0xb9: cannot specify post-return function in async"
;; kiln-test: wasmtime-refuses = "cannot specify post-return function in async"
(component
  (core module $m
    (memory (export "mem") 1)
    (func (export "run") (result i32) (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0))
    (func (export "post") (param i32))
    (func (export "realloc") (param i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (func (export "run") async (result u32)
    (canon lift (core func $i "run") async (callback (core func $i "cb"))
      (memory (core memory $i "mem")) (realloc (core func $i "realloc"))
      (post-return (core func $i "post")))))
