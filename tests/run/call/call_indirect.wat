;; call_indirect: dispatch by table index, structural signature equality
;; across distinct type indices, signature mismatch, null entries, indices
;; out of bounds (including negative ones, which are huge unsigned), and a
;; second table.
(module
  (type $i2i (func (param i32) (result i32)))
  (type $i2i_again (func (param i32) (result i32)))
  (type $ii2i (func (param i32 i32) (result i32)))
  (type $v2l (func (result i64)))
  (table $t 8 funcref)
  (table $u 2 funcref)
  (elem (table $t) (i32.const 0) func $inc $dbl $add $forty_two)
  (elem (table $u) (i32.const 1) func $dbl)
  (func $inc (type $i2i) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $i2i_again) (i32.mul (local.get 0) (i32.const 2)))
  (func $add (type $ii2i) (i32.add (local.get 0) (local.get 1)))
  (func $forty_two (type $v2l) (i64.const 42))
  (func (export "unary") (param $idx i32) (param $x i32) (result i32)
    (call_indirect $t (type $i2i) (local.get $x) (local.get $idx)))
  (func (export "unary_again") (param $idx i32) (param $x i32) (result i32)
    (call_indirect $t (type $i2i_again) (local.get $x) (local.get $idx)))
  (func (export "binary") (param $idx i32) (result i32)
    (call_indirect $t (type $ii2i) (i32.const 20) (i32.const 22) (local.get $idx)))
  (func (export "nullary") (param $idx i32) (result i64)
    (call_indirect $t (type $v2l) (local.get $idx)))
  (func (export "second_table") (param $idx i32) (param $x i32) (result i32)
    (call_indirect $u (type $i2i) (local.get $x) (local.get $idx)))
  ;; Set an entry at run time and call through it.
  (func (export "set_then_call") (result i32)
    (table.set $t (i32.const 7) (ref.func $inc))
    (call_indirect $t (type $i2i) (i32.const 99) (i32.const 7)))
  ;; Calls in a loop through alternating entries.
  (func (export "loop") (param $n i32) (result i32)
    (local $acc i32) (local $i i32)
    (local.set $acc (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc
          (call_indirect $t (type $i2i) (local.get $acc) (i32.and (local.get $i) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc))
)
;; kiln-test: invoke = "unary 0 41"
;; kiln-test: expect = "42"
;; kiln-test: invoke = "unary 1 21"
;; kiln-test: expect = "42"
;; kiln-test: invoke = "unary_again 0 1"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "binary 2"
;; kiln-test: expect = "42"
;; kiln-test: invoke = "nullary 3"
;; kiln-test: expect = "42"
;; kiln-test: invoke = "unary 2 1"
;; kiln-test: trap = "indirect call type mismatch"
;; kiln-test: invoke = "unary 3 1"
;; kiln-test: trap = "indirect call type mismatch"
;; kiln-test: invoke = "binary 0"
;; kiln-test: trap = "indirect call type mismatch"
;; kiln-test: invoke = "nullary 4"
;; kiln-test: trap = "uninitialized element"
;; kiln-test: invoke = "unary 7 1"
;; kiln-test: trap = "uninitialized element"
;; kiln-test: invoke = "unary 8 1"
;; kiln-test: trap = "undefined element"
;; kiln-test: invoke = "unary -1 1"
;; kiln-test: trap = "undefined element"
;; kiln-test: invoke = "unary 2147483647 1"
;; kiln-test: trap = "undefined element"
;; kiln-test: invoke = "second_table 1 5"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "second_table 0 5"
;; kiln-test: trap = "uninitialized element"
;; kiln-test: invoke = "second_table 2 5"
;; kiln-test: trap = "undefined element"
;; kiln-test: invoke = "set_then_call"
;; kiln-test: expect = "100"
;; i even: inc, i odd: dbl. 1 -> 2 -> 4 -> 5 -> 10 -> 11 -> 22
;; kiln-test: invoke = "loop 6"
;; kiln-test: expect = "22"
