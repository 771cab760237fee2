;; Recursion with big frames (many live locals) still traps cleanly; and a
;; deep but bounded recursion well within the limit succeeds.
(module
  (func $big (param $n i32) (result i32)
    (local $a i64) (local $b i64) (local $c i64) (local $d i64)
    (local $e f64) (local $f f64) (local $g f64) (local $h f64)
    (local.set $a (i64.extend_i32_u (local.get $n)))
    (local.set $b (i64.mul (local.get $a) (i64.const 3)))
    (local.set $c (i64.add (local.get $b) (local.get $a)))
    (local.set $d (i64.sub (local.get $c) (i64.const 1)))
    (local.set $e (f64.convert_i64_s (local.get $d)))
    (local.set $f (f64.mul (local.get $e) (f64.const 1.5)))
    (local.set $g (f64.add (local.get $f) (local.get $e)))
    (local.set $h (f64.sqrt (local.get $g)))
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else
        (i32.add
          (call $big (i32.sub (local.get $n) (i32.const 1)))
          (i32.wrap_i64 (i64.add (i64.add (local.get $a) (local.get $b))
                                 (i64.add (local.get $c) (local.get $d))))
          (i32.trunc_f64_s (f64.add (f64.add (local.get $e) (local.get $f))
                                    (f64.add (local.get $g) (local.get $h))))
          (i32.add)))))
  (func (export "deep") (param i32) (result i32) (call $big (local.get 0)))
  (func (export "_start") (drop (call $big (i32.const 100000000)))))
;; kiln-test: trap = "call stack exhausted"
;; n=1: a=1 b=3 c=4 d=3 (sum 11); e=3 f=4.5 g=7.5 h=sqrt(7.5) (trunc 17) -> 28.
;; n=2: a=2 b=6 c=8 d=7 (23); e=7 f=10.5 g=17.5 h=4.18 (39) -> 62 + 28 = 90.
;; kiln-test: invoke = "deep 0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "deep 1"
;; kiln-test: expect = "28"
;; kiln-test: invoke = "deep 2"
;; kiln-test: expect = "90"
;; kiln-test: invoke = "deep 1000"
;; kiln-test: expect = "16076190"
