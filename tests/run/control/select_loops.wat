;; select (untyped and typed, every value type), nested loops with br_if
;; and labelled exits, early return from deep nesting, and block results
;; carried through br.
(module
  (func (export "select_i32") (param i32) (result i32)
    (select (i32.const 10) (i32.const 20) (local.get 0)))
  (func (export "select_i64") (param i32) (result i64)
    (select (i64.const -1) (i64.const 4294967296) (local.get 0)))
  (func (export "select_f32") (param i32) (result f32)
    (select (f32.const 1.5) (f32.const -2.5) (local.get 0)))
  (func (export "select_f64") (param i32) (result f64)
    (select (result f64) (f64.const 0.125) (f64.const 1e100) (local.get 0)))
  (func (export "select_ref") (param i32) (result i32)
    (ref.is_null (select (result funcref) (ref.null func) (ref.func $nested) (local.get 0))))
  ;; Sum of i*j for 0 <= i < n, 0 <= j < i, skipping j == 3 and stopping the
  ;; inner loop when i*j > 50.
  (func $nested (export "nested") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $acc i32)
    (block $outer_done
      (loop $outer
        (br_if $outer_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $j (i32.const 0))
        (block $inner_done
          (loop $inner
            (br_if $inner_done (i32.ge_u (local.get $j) (local.get $i)))
            (br_if $inner_done (i32.gt_u (i32.mul (local.get $i) (local.get $j)) (i32.const 50)))
            (if (i32.ne (local.get $j) (i32.const 3))
              (then (local.set $acc (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $inner)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.get $acc))
  (func (export "early_return") (param i32) (result i32)
    (block
      (block
        (block
          (br_if 2 (i32.eqz (local.get 0)))
          (if (i32.eq (local.get 0) (i32.const 1)) (then (return (i32.const 111))))
          (br 1))
        (return (i32.const 222)))
      (return (i32.const 333)))
    (i32.const 444))
  (func (export "block_value") (param i32) (result i32)
    (i32.add
      (block (result i32)
        (drop (br_if 0 (i32.const 5) (local.get 0)))
        (i32.const 7))
      (i32.const 100)))
  (func (export "loop_result") (result i64)
    (local $k i64)
    (loop (result i64)
      (local.set $k (i64.add (local.get $k) (i64.const 3)))
      (br_if 0 (i64.lt_u (local.get $k) (i64.const 100)))
      (local.get $k)))
  (func (export "multi_value_block") (result i32)
    (block (result i32 i32)
      (i32.const 6) (i32.const 7))
    (i32.mul))
  (func (export "br_table_results") (param i32) (result i32 i64)
    (block (result i32 i64)
      (block (result i32 i64)
        (i32.const 1) (i64.const 2)
        (br_table 0 1 (local.get 0)))
      (drop) (drop)
      (i32.const 3) (i64.const 4)))
)
;; kiln-test: invoke = "select_i32 1"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "select_i32 0"
;; kiln-test: expect = "20"
;; kiln-test: invoke = "select_i64 -7"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "select_i64 0"
;; kiln-test: expect = "4294967296"
;; kiln-test: invoke = "select_f32 0"
;; kiln-test: expect = "-2.5"
;; kiln-test: invoke = "select_f64 2"
;; kiln-test: expect = "0.125"
;; kiln-test: invoke = "select_ref 1"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "select_ref 0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "nested 10"
;; kiln-test: expect = "508"
;; kiln-test: invoke = "early_return 0"
;; kiln-test: expect = "444"
;; kiln-test: invoke = "early_return 1"
;; kiln-test: expect = "111"
;; `br 1` leaves the middle block, skipping `return 222`.
;; kiln-test: invoke = "early_return 2"
;; kiln-test: expect = "333"
;; kiln-test: invoke = "block_value 1"
;; kiln-test: expect = "105"
;; kiln-test: invoke = "block_value 0"
;; kiln-test: expect = "107"
;; kiln-test: invoke = "loop_result"
;; kiln-test: expect = "102"
;; kiln-test: invoke = "multi_value_block"
;; kiln-test: expect = "42"
;; kiln-test: invoke = "br_table_results 0"
;; kiln-test: expect = "3\n4"
;; kiln-test: invoke = "br_table_results 1"
;; kiln-test: expect = "1\n2"
;; kiln-test: invoke = "br_table_results 9"
;; kiln-test: expect = "1\n2"
