(component (import "c" (component)))

;; error: unsupported feature: component-model component imports (at offset 0xf)
