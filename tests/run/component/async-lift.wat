;; An async lift (stackless, with a callback): the component model's async
;; ABI is not supported; Kiln refuses it at compile time with a one-line
;; error.
;; kiln-test: compile-error = "async"
(component
  (core module $m
    (func (export "go") (result i32) (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
  (core instance $i (instantiate $m))
  (type $ft (func async (result u32)))
  (func (export "go") (type $ft)
    (canon lift (core func $i "go") async (callback (core func $i "cb")))))
