;; An async function called from another component instance is refused at
;; compile time, naming the function (never a miscompile).
;; kiln-test: compile-error = "async function `go` called from another component instance"
(component
  (component $c
    (core module $m (func (export "f") (param i32)))
    (core instance $i (instantiate $m))
    (func (export "go") async (param "x" u32) (canon lift (core func $i "f"))))
  (instance $c (instantiate $c))
  (core func (canon lower (func $c "go"))))
