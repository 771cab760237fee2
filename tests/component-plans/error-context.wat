(component
  (core module $m (memory (export "m") 1) (func (export "r") (param i32 i32 i32 i32) (result i32) unreachable))
  (core instance $i (instantiate $m))
  (alias core export $i "m" (core memory $mem))
  (alias core export $i "r" (core func $r))
  (core func (canon error-context.new (memory $mem) string-encoding=utf16))
  (core func (canon error-context.debug-message (memory $mem) (realloc $r)))
  (core func (canon error-context.drop)))

;; component instances: 1
;; module 0: 0xa..0x43 (0 imports)
;; instance 0: module 0 in component 0
;; trampoline 0: error-context.new [component 0, utf16, memory instance 0 "m"]
;; trampoline 1: error-context.debug-message [component 0, utf8, memory instance 0 "m", realloc instance 0 "r"]
;; trampoline 2: error-context.drop [component 0, utf8]
