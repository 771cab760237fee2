(component (component $c (type $r (resource (rep i32))) (export $r' "r" (type $r)) (core module $m (func (export "f") (param i32))) (core instance $i (instantiate $m)) (func (export "take") (param "x" (own $r')) (canon lift (core func $i "f")))) (instance $c (instantiate $c)) (core func (canon lower (func $c "take"))))

;; error: unsupported feature: function `take` passes resource handles, streams, futures or error contexts between component instances (fused adapters move plain values only) (at offset 0xc1)
