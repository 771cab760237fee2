(component (component $c (type $R' (resource (rep i32))) (export $R "r" (type $R')) (core module $m (func (export "f") (param i32) (result i32) (i32.const 0)) (func (export "cb") (param i32 i32 i32) (result i32) (i32.const 0))) (core instance $i (instantiate $m)) (func (export "go") async (param "x" (borrow $R)) (canon lift (core func $i "f") async (callback (core func $i "cb"))))) (instance $c (instantiate $c)) (alias export $c "r" (type $R)) (core func (canon lower (func $c "go"))))

;; component instances: 2
;; module 0: 0x24..0x64 (0 imports)
;; module 1: generated (148 bytes) (2 imports)
;; resource r0: defined in component 1
;; instance 0: module 0 in component 1
;; instance 1: module 1 in component 0
;;   "flags" "dst-word" global <- flags of component instance 1
;;   "handle" "r0" func <- trampoline 0
;; trampoline 0: adapter handle r0
;; trampoline 1: async call async func(x: borrow<r0>) [component 0, utf8] -> [component 1, utf8, callback instance 0 "cb", async]
