;; An exception thrown by the start function and not caught fails the
;; instantiation.
(module
  (tag $e)
  (func $s (throw $e))
  (start $s)
  (func (export "_start")))
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    0: failed to instantiate \""
;; kiln-test: stderr-contains = "    0:     0x2c - <unknown>!short\n    2: thrown Wasm exception\n"
