;; An exception thrown by the start function and not caught fails the
;; instantiation.
(module
  (tag $e)
  (func $s (throw $e))
  (start $s)
  (func (export "_start")))
;;! exit = 1
;;! stderr-contains = "    0: failed to instantiate \""
;;! stderr-contains = "    0:     0x2c - <unknown>!short\n    2: thrown Wasm exception\n"
