(component (core module $m (func (export "f"))) (core instance $i (instantiate $m)) (func $f (canon lift (core func $i "f"))) (core func (canon lower (func $f))))

;; error: unsupported feature: component-model fused adapters (lowering a lifted function: component composition) (at offset 0x4c)
