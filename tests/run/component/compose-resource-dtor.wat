;; An own handle of a resource `$lib` defines, moved to the root and dropped
;; there: the destructor runs in `$lib` with the rep (5 + 30 dropped).
;; kiln-test: invoke = "run()"
;; kiln-test: expect = "35"
(component
  (component $lib
    (core module $d
      (global (export "dropped") (mut i32) (i32.const 0))
      (func (export "dtor") (param i32)
        (global.set 0 (i32.add (global.get 0) (local.get 0)))))
    (core instance $d (instantiate $d))
    (type $counter (resource (rep i32) (dtor (core func $d "dtor"))))
    (core func $new (canon resource.new $counter))
    (core module $m
      (import "" "new" (func $new (param i32) (result i32)))
      (import "" "dropped" (global $dropped (mut i32)))
      (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
      (func (export "dropped") (result i32) (global.get $dropped)))
    (core instance $i (instantiate $m (with "" (instance
      (export "new" (func $new)) (export "dropped" (global $d "dropped"))))))
    (export $c "counter" (type $counter))
    (func (export "make") (param "v" u32) (result (own $c)) (canon lift (core func $i "make")))
    (func (export "dropped") (result u32) (canon lift (core func $i "dropped"))))
  (instance $lib (instantiate $lib))
  (alias export $lib "counter" (type $counter))
  (core func $make (canon lower (func $lib "make")))
  (core func $dropped (canon lower (func $lib "dropped")))
  (core func $drop (canon resource.drop $counter))
  (core module $root
    (import "" "make" (func $make (param i32) (result i32)))
    (import "" "dropped" (func $dropped (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "run") (result i32)
      (call $drop (call $make (i32.const 5)))
      (call $drop (call $make (i32.const 30)))
      (call $dropped)))
  (core instance $r (instantiate $root (with "" (instance
    (export "make" (func $make)) (export "dropped" (func $dropped)) (export "drop" (func $drop))))))
  (func (export "run") (result u32) (canon lift (core func $r "run"))))
