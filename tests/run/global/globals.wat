;; Mutable and immutable globals of every value type, including a
;; reference-typed global.
(module
  (global $counter (mut i32) (i32.const 0))
  (global $big (mut i64) (i64.const 0x100000000))
  (global $f (mut f32) (f32.const 1.5))
  (global $d f64 (f64.const 2.5))
  (global $r (mut funcref) (ref.null func))
  (func $g (result i32) (i32.const 9))
  (elem declare func $g)

  (func (export "bump") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.get $counter))
  (func (export "big") (result i64)
    (global.set $big (i64.add (global.get $big) (i64.const 1)))
    (global.get $big))
  (func (export "floats") (result f64)
    (global.set $f (f32.mul (global.get $f) (f32.const 2)))
    (f64.add (f64.promote_f32 (global.get $f)) (global.get $d)))
  (func (export "ref") (result i32)
    (if (i32.eqz (ref.is_null (global.get $r))) (then (return (i32.const -1))))
    (global.set $r (ref.func $g))
    (ref.is_null (global.get $r))))

;; kiln-test: invoke = "bump"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "big"
;; kiln-test: expect = "4294967297"
;; kiln-test: invoke = "floats"
;; kiln-test: expect = "5.5"
;; kiln-test: invoke = "ref"
;; kiln-test: expect = "0"
