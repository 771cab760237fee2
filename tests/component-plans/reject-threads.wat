(component (core func (canon thread.index)))

;; error: unsupported feature: component-model threading (at offset 0xb)
