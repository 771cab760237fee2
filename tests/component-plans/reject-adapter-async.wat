(component (component $c (core module $m (func (export "f") (param i32))) (core instance $i (instantiate $m)) (func (export "go") async (param "x" u32) (canon lift (core func $i "f")))) (instance $c (instantiate $c)) (core func (canon lower (func $c "go"))))

;; error: unsupported feature: async function `go` called from another component instance (component-model async) (at offset 0xa1)
