(component (import "m" (core module)))

;; error: unsupported feature: component-model module imports (at offset 0xf)
