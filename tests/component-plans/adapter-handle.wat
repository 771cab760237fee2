;; A fused adapter moving an `own` handle of a resource the nested
;; component defines: one handle built-in per resource.
(component (component $c (type $r (resource (rep i32))) (export $r' "r" (type $r)) (core module $m (func (export "f") (param i32))) (core instance $i (instantiate $m)) (func (export "take") (param "x" (own $r')) (canon lift (core func $i "f")))) (instance $c (instantiate $c)) (core func (canon lower (func $c "take"))))

;; component instances: 2
;; module 0: 0x24..0x4f (0 imports)
;; module 1: generated (220 bytes) (6 imports)
;; resource r0: defined in component 1
;; instance 0: module 0 in component 1
;; instance 1: module 1 in component 0
;;   "flags" "lower-word" global <- flags of component instance 0
;;   "flags" "lift-word" global <- flags of component instance 1
;;   "flags" "lower" func <- trampoline 0
;;   "flags" "lift" func <- trampoline 1
;;   "callee" "func" func <- instance 0 "f"
;;   "handle" "r0" func <- trampoline 2
;; trampoline 0: adapter flags of component 0
;; trampoline 1: adapter flags of component 1
;; trampoline 2: adapter handle r0
