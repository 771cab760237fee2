(component (core func (canon error-context.drop)))

;; error: unsupported feature: component-model error-context (at offset 0xb)
