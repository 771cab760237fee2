(component (import "v" (value $v u32)) (export "v2" (value $v)))

;; error: unsupported feature: component-model values (at offset 0xb)
