;; Types declared inside instance and component types, a nested component
;; instantiated with a type argument, and an exported instance.
(component
  (type $it (instance
    (type $s (stream u8))
    (type $fn (func (param "s" $s)))
    (export "f" (func (type $fn)))))
  (component $c
    (import "t" (type $t (sub resource)))
    (core module $m (func (export "f") (param i32)))
    (core instance $i (instantiate $m))
    (func (export "f") (param "x" (borrow $t)) (canon lift (core func $i "f"))))
  (type $r (resource (rep i32)))
  (instance $ci (instantiate $c (with "t" (type $r))))
  (core module $m2 (func (export "g") (result i32) (i32.const 1)))
  (core instance $i2 (instantiate $m2))
  (func $g (result u32) (canon lift (core func $i2 "g")))
  (instance $out (export "g" (func $g)))
  (export "out" (instance $out)))
