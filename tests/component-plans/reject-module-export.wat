(component (core module $m) (export "m" (core module $m)))

;; error: unsupported feature: component-model module exports (at offset 0x1f)
