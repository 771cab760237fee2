;; try_table as a block: values flow through, catch labels target blocks,
;; loops (a catch to a loop label restarts it) and the function body;
;; call_indirect inside try_table; v128 payloads; try_table in dead code.
(module
  (tag $e (param i32))
  (tag $v (param v128))
  (table 2 funcref)
  (elem (i32.const 0) $thrower $plain)
  (type $t (func (param i32) (result i32)))
  (func $thrower (param i32) (result i32) (throw $e (local.get 0)))
  (func $plain (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))

  (func (export "indirect") (param i32 i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (call_indirect (type $t) (local.get 1) (local.get 0)))
      (i32.add (i32.const 1000))))

  ;; The catch label is a loop: the payload becomes the loop parameter.
  (func (export "loop-catch") (param i32) (result i32)
    (local $n i32)
    (local.get 0)
    (loop $l (param i32) (result i32)
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (if (param i32) (result i32) (i32.lt_u (local.get $n) (i32.const 5))
        (then
          (try_table (param i32) (result i32) (catch $e $l)
            (call $thrower)))
        (else (i32.add (local.get $n))))))

  ;; The catch label is the function body itself.
  (func (export "to-body") (param i32) (result i32)
    (try_table (result i32) (catch $e 0)
      (call $thrower (local.get 0))))

  (func $throw-v (param i64 i64) (throw $v (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1))))
  (func (export "v128") (param i64 i64) (result i64)
    (block $h (result v128)
      (try_table (catch $v $h) (call $throw-v (local.get 0) (local.get 1)))
      (unreachable))
    (i64x2.extract_lane 1))

  (func (export "dead-code") (result i32)
    (block $h
      (return (i32.const 7))
      (try_table (catch_all $h) (unreachable)))
    (i32.const 8))
)
;; kiln-test: invoke = "indirect 0 5"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "indirect 1 5"
;; kiln-test: expect = "1010"
;; kiln-test: invoke = "loop-catch 3"
;; kiln-test: expect = "8"
;; kiln-test: invoke = "to-body 9"
;; kiln-test: expect = "9"
;; kiln-test: invoke = "v128 3 -4"
;; kiln-test: expect = "-4"
;; kiln-test: invoke = "dead-code"
;; kiln-test: expect = "7"
