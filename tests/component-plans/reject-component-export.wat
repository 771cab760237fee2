(component (component $c) (export "c" (component $c)))

;; error: unsupported feature: component-model component exports (at offset 0x29)
