;; `catch_ref` / `catch_all_ref` give an exnref that `throw_ref` rethrows to
;; an outer handler (in this function or a caller); `catch_all` catches any
;; tag; a non-matching inner try_table lets the exception through.
(module
  (tag $a (param i32))
  (tag $b)
  (func $throw-a (param i32) (throw $a (local.get 0)))
  (func $throw-b (throw $b))

  ;; Catches $a with its exnref, rethrows it from a callee frame.
  (func $rethrow (param exnref) (throw_ref (local.get 0)))
  (func $inner (param i32)
    (block $h (result i32 exnref)
      (try_table (catch_ref $a $h) (call $throw-a (local.get 0)))
      (return))
    (call $rethrow)
    (drop))
  (func (export "rethrow-across") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $a $h) (call $inner (local.get 0)))
      (i32.const -1)))

  ;; throw_ref inside the same function's outer try_table.
  (func (export "rethrow-local") (param i32) (result i32)
    (block $outer (result i32)
      (try_table (catch $a $outer)
        (block $h (result exnref)
          (try_table (catch_all_ref $h) (call $throw-a (local.get 0)))
          (unreachable))
        (throw_ref))
      (i32.const -1)))

  ;; catch_all catches $b; the inner try_table only catches $a.
  (func (export "catch-all") (result i32)
    (block $all
      (block $h (result i32)
        (try_table (catch $a $h)
          (try_table (catch_all $all) (call $throw-b)))
        (return (i32.const -1)))
      (return (i32.const 1)))
    (i32.const 2))

  ;; An inner handler that does not match: the outer one in the caller does.
  (func $not-mine
    (block $h (result i32)
      (try_table (catch $a $h) (call $throw-b))
      (return))
    (drop))
  (func (export "pass-through") (result i32)
    (block $h
      (try_table (catch $b $h) (call $not-mine))
      (return (i32.const 0)))
    (i32.const 3))

  ;; A null exnref traps.
  (func (export "throw-null") (throw_ref (ref.null exn)))

  ;; Exceptions thrown in a loop many times (handlers are re-entered).
  (func (export "loop") (param i32) (result i32)
    (local $sum i32)
    (loop $l
      (block $h (result i32)
        (try_table (catch $a $h) (call $throw-a (local.get 0)))
        (unreachable))
      (local.set $sum (i32.add (local.get $sum)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get $sum))
)
;; kiln-test: invoke = "rethrow-across 5"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "rethrow-local 6"
;; kiln-test: expect = "6"
;; kiln-test: invoke = "catch-all"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "pass-through"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "throw-null"
;; kiln-test: trap = "null reference"
;; kiln-test: invoke = "loop 1000"
;; kiln-test: expect = "500500"
