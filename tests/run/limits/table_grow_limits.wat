;; table.grow up to a declared maximum succeeds; past it, -1 with size and
;; contents unchanged; a delta of 2^32-1 fails; a table without a maximum
;; grows by a million entries; an index past the end still traps.
(module
  (type $v2i (func (result i32)))
  (table $t 2 10 funcref)
  (table $u 0 externref)
  (elem (table $t) (i32.const 1) func $seven)
  (func $seven (result i32) (i32.const 7))
  (func (export "to_max") (result i32)
    (i32.add (i32.mul (table.grow $t (ref.func $seven) (i32.const 8)) (i32.const 100))
      (i32.add (table.size $t) (call_indirect $t (type $v2i) (i32.const 9)))))
  (func (export "beyond") (result i32)
    (drop (table.grow $t (ref.null func) (i32.const 8)))
    (i32.add (i32.mul (table.grow $t (ref.func $seven) (i32.const 1)) (i32.const 1000))
      (i32.add (i32.mul (table.size $t) (i32.const 10))
        (i32.add (ref.is_null (table.get $t (i32.const 9)))
          (call_indirect $t (type $v2i) (i32.const 1))))))
  (func (export "all_ones") (result i32)
    (i32.add (i32.mul (table.grow $t (ref.null func) (i32.const -1)) (i32.const 10)) (table.size $t)))
  (func (export "unbounded") (result i32)
    (i32.add (table.grow $u (ref.null extern) (i32.const 1000000)) (table.size $u)))
  (func (export "past_end") (result i32)
    (drop (table.grow $t (ref.null func) (i32.const 8)))
    (call_indirect $t (type $v2i) (i32.const 10))))
;; old size 2: 200 + 10 + 7
;; kiln-test: invoke = "to_max"
;; kiln-test: expect = "217"
;; -1000 + 100 + 1 (entry 9 is null) + 7
;; kiln-test: invoke = "beyond"
;; kiln-test: expect = "-892"
;; kiln-test: invoke = "all_ones"
;; kiln-test: expect = "-8"
;; kiln-test: invoke = "unbounded"
;; kiln-test: expect = "1000000"
;; kiln-test: invoke = "past_end"
;; kiln-test: trap = "undefined element"
