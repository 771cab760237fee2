;; Exception objects are freed by a collector (runtime-lib/vm/src/
;; exceptions/heap.rs) whose roots are the stack, the callee-saved
;; registers, exnref globals and tables, and other exceptions' payloads.
;; Each export keeps exnrefs in one kind of root while 100,000 garbage
;; exceptions force many collections, then rethrows them and reads their
;; payloads back: an object freed too early would be reused by the garbage
;; (payload -1) or crash.
(module
  (tag $e (param i32))
  (tag $n (param exnref i32))
  (global $g (mut exnref) (ref.null exn))
  (table $t 4 exnref)

  ;; A fresh exnref whose payload is $v.
  (func $make (param $v i32) (result exnref)
    (local $x exnref)
    (block $h (result i32 exnref)
      (try_table (catch_ref $e $h) (throw $e (local.get $v)))
      (unreachable))
    (local.set $x)
    (drop)
    (local.get $x))

  ;; The payload of $x, by rethrowing it.
  (func $value (param $x exnref) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw_ref (local.get $x)))
      (unreachable)))

  ;; $k garbage exceptions: thrown, caught by reference, dropped.
  (func $churn (param $k i32)
    (loop $l
      (if (local.get $k)
        (then
          (drop (call $make (i32.const -1)))
          (local.set $k (i32.sub (local.get $k) (i32.const 1)))
          (br $l)))))

  (func (export "locals") (result i32)
    (local $a exnref) (local $b exnref)
    (local.set $a (call $make (i32.const 11)))
    (call $churn (i32.const 100000))
    (local.set $b (call $make (i32.const 22)))
    (call $churn (i32.const 100000))
    (i32.add (call $value (local.get $a)) (call $value (local.get $b))))

  (func (export "global") (result i32)
    (global.set $g (call $make (i32.const 44)))
    (call $churn (i32.const 100000))
    (call $value (global.get $g)))

  (func (export "table") (result i32)
    (table.set $t (i32.const 2) (call $make (i32.const 55)))
    (table.set $t (i32.const 3) (call $make (i32.const 66)))
    (call $churn (i32.const 100000))
    ;; Grown elements hold one more object; the table moves.
    (drop (table.grow $t (call $make (i32.const 77)) (i32.const 10)))
    (call $churn (i32.const 100000))
    (i32.add
      (i32.add (call $value (table.get $t (i32.const 2)))
               (call $value (table.get $t (i32.const 3))))
      (call $value (table.get $t (i32.const 13)))))

  ;; A chain of 1,000 exceptions, each holding the previous one in its
  ;; payload: after each link only the newest is held directly.
  (func (export "payloads") (result i32)
    (local $x exnref) (local $i i32) (local $sum i32)
    (local.set $x (call $make (i32.const 1)))
    (loop $link
      (block $h (result exnref i32 exnref)
        (try_table (catch_ref $n $h) (throw $n (local.get $x) (local.get $i)))
        (unreachable))
      (local.set $x)
      (drop)
      (drop)
      (call $churn (i32.const 200))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $link (i32.lt_u (local.get $i) (i32.const 1000))))
    ;; Walk back: each link gives (previous, i); the first gives 1.
    (loop $walk
      (block $first (result i32)
        (block $h (result exnref i32)
          (try_table (catch $n $h) (catch $e $first) (throw_ref (local.get $x)))
          (unreachable))
        (local.set $sum (i32.add (local.get $sum)))
        (local.set $x)
        (br $walk))
      (local.set $sum (i32.add (local.get $sum))))
    (local.get $sum))

  ;; An exnref live in every frame of a recursion (held across each call),
  ;; with the garbage made at the bottom.
  (func $deep (param $x exnref) (param $d i32) (result i32)
    (if (result i32) (local.get $d)
      (then
        (i32.add
          (call $deep (local.get $x) (i32.sub (local.get $d) (i32.const 1)))
          (call $value (local.get $x))))
      (else
        (call $churn (i32.const 50000))
        (call $value (local.get $x)))))

  (func (export "frames") (result i32)
    (call $deep (call $make (i32.const 3)) (i32.const 100)))
)
;; kiln-test: invoke = "locals"
;; kiln-test: expect = "33"
;; kiln-test: invoke = "global"
;; kiln-test: expect = "44"
;; kiln-test: invoke = "table"
;; kiln-test: expect = "198"
;; kiln-test: invoke = "payloads"
;; kiln-test: expect = "499501"
;; kiln-test: invoke = "frames"
;; kiln-test: expect = "303"
