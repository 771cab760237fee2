(component (core func (canon waitable-set.new)))

;; error: unsupported feature: component-model built-in `waitable-set.new` (at offset 0xa)
