;; An async function called from another component instance with a value
;; neither the runtime nor the generated halves pass yet (a borrow: call
;; scopes are a stack, interleaving tasks are not) is refused at compile
;; time, naming the function (never a miscompile). Async calls of other
;; values run (`p3-tasks.wat`, `p3-streams-between.wat`,
;; `p3-async-values*.wat`).
;; kiln-test: compile-error = "async function `go` called from another component instance with borrowed handles"
(component
  (component $c
    (type $R' (resource (rep i32)))
    (export $R "r" (type $R'))
    (core module $m (func (export "f") (param i32) (result i32) (i32.const 0))
      (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0)))
    (core instance $i (instantiate $m))
    (func (export "go") async (param "x" (borrow $R))
      (canon lift (core func $i "f") async (callback (core func $i "cb")))))
  (instance $c (instantiate $c))
  (alias export $c "r" (type $R))
  (core func (canon lower (func $c "go"))))
