;; Resource handles between component instances through fused adapters:
;; `$lib` defines `counter`; `own` handles move from one instance's handle
;; table to the other's (the root's table numbers them 1, 2 and reuses a
;; dropped 1), a `borrow` reaches the defining instance as the rep and any
;; other instance (`$mid`) as a handle of its own that it must drop before
;; returning; an own handle lent for a call can move afterwards, and a
;; moved one is gone from the caller's table. Errors are Wasmtime's.
;; kiln-test: invoke = "get-made()"
;; kiln-test: expect = "42"
;; kiln-test: invoke = "consume-made()"
;; kiln-test: expect = "1005"
;; kiln-test: invoke = "handles()"
;; kiln-test: expect = "21"
;; kiln-test: invoke = "reuse-moved()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "unknown handle index 1"
;; kiln-test: invoke = "peek()"
;; kiln-test: expect = "9"
;; kiln-test: invoke = "peek-keep()"
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "borrow handles still remain at the end of the call"
;; kiln-test: invoke = "lend-then-move()"
;; kiln-test: expect = "1008"
(component
  (component $lib
    (type $counter (resource (rep i32)))
    (core func $new (canon resource.new $counter))
    (core func $rep (canon resource.rep $counter))
    (core func $drop (canon resource.drop $counter))
    (core module $m
      (import "" "new" (func $new (param i32) (result i32)))
      (import "" "rep" (func $rep (param i32) (result i32)))
      (import "" "drop" (func $drop (param i32)))
      (func (export "make") (param i32) (result i32) (call $new (local.get 0)))
      ;; A borrow in the defining instance is the rep itself.
      (func (export "get") (param i32) (result i32) (local.get 0))
      (func (export "consume") (param $h i32) (result i32)
        (local $r i32)
        (local.set $r (call $rep (local.get $h)))
        (call $drop (local.get $h))
        (i32.add (local.get $r) (i32.const 1000))))
    (core instance $i (instantiate $m (with "" (instance
      (export "new" (func $new)) (export "rep" (func $rep)) (export "drop" (func $drop))))))
    (export $c "counter" (type $counter))
    (func (export "make") (param "v" u32) (result (own $c)) (canon lift (core func $i "make")))
    (func (export "get") (param "c" (borrow $c)) (result u32) (canon lift (core func $i "get")))
    (func (export "consume") (param "c" (own $c)) (result u32) (canon lift (core func $i "consume"))))
  (instance $lib (instantiate $lib))
  (alias export $lib "counter" (type $counter))

  ;; Not the defining instance: a borrow arrives as a handle of its own,
  ;; which it must drop before returning.
  (component $mid
    (import "lib" (instance $lib
      (export "counter" (type $c (sub resource)))
      (export "get" (func (param "c" (borrow $c)) (result u32)))))
    (alias export $lib "counter" (type $counter))
    (core func $get (canon lower (func $lib "get")))
    (core func $drop (canon resource.drop $counter))
    (core module $m
      (import "" "get" (func $get (param i32) (result i32)))
      (import "" "drop" (func $drop (param i32)))
      (func (export "peek") (param $h i32) (result i32)
        (local $v i32)
        (local.set $v (call $get (local.get $h)))
        (call $drop (local.get $h))
        (local.get $v))
      (func (export "peek-keep") (param $h i32) (result i32) (call $get (local.get $h))))
    (core instance $i (instantiate $m (with "" (instance (export "get" (func $get)) (export "drop" (func $drop))))))
    (func (export "peek") (param "c" (borrow $counter)) (result u32) (canon lift (core func $i "peek")))
    (func (export "peek-keep") (param "c" (borrow $counter)) (result u32) (canon lift (core func $i "peek-keep"))))
  (instance $mid (instantiate $mid (with "lib" (instance $lib))))

  (core func $make (canon lower (func $lib "make")))
  (core func $get (canon lower (func $lib "get")))
  (core func $consume (canon lower (func $lib "consume")))
  (core func $peek (canon lower (func $mid "peek")))
  (core func $peek-keep (canon lower (func $mid "peek-keep")))
  (core func $drop (canon resource.drop $counter))
  (core module $root
    (import "" "make" (func $make (param i32) (result i32)))
    (import "" "get" (func $get (param i32) (result i32)))
    (import "" "consume" (func $consume (param i32) (result i32)))
    (import "" "peek" (func $peek (param i32) (result i32)))
    (import "" "peek-keep" (func $peek-keep (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "get-made") (result i32)
      (local $h i32)
      (local.set $h (call $make (i32.const 42)))
      (call $get (local.get $h)))
    (func (export "consume-made") (result i32) (call $consume (call $make (i32.const 5))))
    (func (export "handles") (result i32)
      ;; Handle numbers in the root's table: 1, 2, then 1 again once dropped.
      (local $a i32) (local $b i32)
      (local.set $a (call $make (i32.const 1)))
      (local.set $b (call $make (i32.const 2)))
      (call $drop (local.get $a))
      (i32.add (i32.mul (local.get $b) (i32.const 10)) (call $make (i32.const 3))))
    (func (export "reuse-moved") (result i32)
      (local $h i32)
      (local.set $h (call $make (i32.const 1)))
      (drop (call $consume (local.get $h)))
      (call $get (local.get $h)))
    (func (export "peek") (result i32) (call $peek (call $make (i32.const 9))))
    (func (export "peek-keep") (result i32) (call $peek-keep (call $make (i32.const 9))))
    ;; Lent to `peek` only for the call: movable afterwards.
    (func (export "lend-then-move") (result i32)
      (local $h i32)
      (local.set $h (call $make (i32.const 8)))
      (drop (call $peek (local.get $h)))
      (call $consume (local.get $h))))
  (core instance $r (instantiate $root (with "" (instance
    (export "make" (func $make)) (export "get" (func $get)) (export "consume" (func $consume))
    (export "peek" (func $peek)) (export "peek-keep" (func $peek-keep)) (export "drop" (func $drop))))))
  (func (export "get-made") (result u32) (canon lift (core func $r "get-made")))
  (func (export "consume-made") (result u32) (canon lift (core func $r "consume-made")))
  (func (export "handles") (result u32) (canon lift (core func $r "handles")))
  (func (export "reuse-moved") (result u32) (canon lift (core func $r "reuse-moved")))
  (func (export "peek") (result u32) (canon lift (core func $r "peek")))
  (func (export "peek-keep") (result u32) (canon lift (core func $r "peek-keep")))
  (func (export "lend-then-move") (result u32) (canon lift (core func $r "lend-then-move")))
)
