(component (core module $m (func (export "f"))) (core instance $i (instantiate $m)) (func (export "f") (canon lift (core func $i "f") async)))

;; error: unsupported feature: component-model stackful async (at offset 0x4d)
