;; Deep recursion through call_indirect, in a function whose eight i64
;; locals all stay live across the call (a bigger frame): the stack check
;; catches it cleanly, in `_start` and in an invoked export, and a bounded
;; recursion of the same shape succeeds.
(module
  (type $t (func (param i64) (result i64)))
  (table 1 funcref)
  (elem (i32.const 0) func $deep)
  (func $deep (param $n i64) (result i64)
    (local $a i64) (local $b i64) (local $c i64) (local $d i64)
    (local $e i64) (local $f i64) (local $g i64) (local $h i64)
    (local.set $a (i64.mul (local.get $n) (i64.const 3)))
    (local.set $b (i64.add (local.get $a) (i64.const 5)))
    (local.set $c (i64.xor (local.get $b) (local.get $n)))
    (local.set $d (i64.sub (local.get $c) (local.get $a)))
    (local.set $e (i64.rotl (local.get $d) (i64.const 7)))
    (local.set $f (i64.or (local.get $e) (local.get $b)))
    (local.set $g (i64.and (local.get $f) (local.get $c)))
    (local.set $h (i64.add (local.get $g) (local.get $d)))
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 0))
      (else
        (i64.add
          (call_indirect (type $t) (i64.sub (local.get $n) (i64.const 1)) (i32.const 0))
          (i64.add (i64.add (i64.add (local.get $a) (local.get $b)) (i64.add (local.get $c) (local.get $d)))
                   (i64.add (i64.add (local.get $e) (local.get $f)) (i64.add (local.get $g) (local.get $h))))))))
  (func (export "deep") (param i64) (result i64) (call $deep (local.get 0)))
  (func (export "_start") (drop (call $deep (i64.const -1)))))
;; kiln-test: trap = "call stack exhausted"
;; kiln-test: stderr-contains = "    0: <unknown>!deep\n    1:     0x"
;; kiln-test: invoke = "deep -1"
;; kiln-test: trap = "call stack exhausted"
;; kiln-test: invoke = "deep 0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "deep 1000"
;; kiln-test: expect = "-28609258"
