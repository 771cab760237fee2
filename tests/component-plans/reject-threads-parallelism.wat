(component (core func (canon thread.available_parallelism)))

;; error: unsupported feature: shared-everything-threads (at offset 0xb)
