;; A resource with a destructor, its built-ins, and functions named as its
;; constructor, method and static function.
(component
  (core module $d (func (export "dtor") (param i32)))
  (core instance $di (instantiate $d))
  (type $r (resource (rep i32) (dtor (core func $di "dtor"))))
  (export $re "r" (type $r))
  (core func $new (canon resource.new $r))
  (core func $rep (canon resource.rep $r))
  (core func $drop (canon resource.drop $r))
  (core module $m
    (import "" "new" (func $new (param i32) (result i32)))
    (import "" "rep" (func $rep (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "ctor") (result i32) (call $new (i32.const 7)))
    (func (export "get") (param i32) (result i32) (call $rep (local.get 0)))
    (func (export "consume") (param i32) (call $drop (local.get 0)))
    (func (export "make") (result i32) (call $new (i32.const 9))))
  (core instance $i (instantiate $m
    (with "" (instance (export "new" (func $new)) (export "rep" (func $rep)) (export "drop" (func $drop))))))
  (func (export "[constructor]r") (result (own $re)) (canon lift (core func $i "ctor")))
  (func (export "[method]r.get") (param "self" (borrow $re)) (result u32) (canon lift (core func $i "get")))
  (func (export "[static]r.consume") (param "x" (own $re)) (canon lift (core func $i "consume")))
  (func (export "[static]r.make") (result (own $re)) (canon lift (core func $i "make"))))
