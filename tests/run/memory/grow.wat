;; memory.grow and memory.size: growth returns the old size, respects the
;; declared maximum (returning -1 without changing anything), grown pages
;; are zeroed and accessible, and the new end is the new bound.
(module
  (memory 1 4)
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "grow_then_size") (param i32) (result i32)
    (drop (memory.grow (local.get 0)))
    (memory.size))
  (func (export "grow_twice") (result i32)
    (drop (memory.grow (i32.const 1)))
    (memory.grow (i32.const 2)))
  (func (export "grow_past_max") (result i32)
    (drop (memory.grow (i32.const 2)))
    (i32.add (i32.mul (memory.grow (i32.const 2)) (i32.const 100)) (memory.size)))
  (func (export "grow_huge") (result i32) (memory.grow (i32.const -1)))
  (func (export "use_new_page") (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 131068) (i32.const 0x01020304))
    (i32.add (i32.load (i32.const 131068)) (i32.load (i32.const 70000))))
  (func (export "oob_after_grow") (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.load (i32.const 131069)))
  (func (export "oob_before_grow") (result i32) (i32.load (i32.const 65536)))
)
;;! invoke = "size"
;;! expect = "1"
;;! invoke = "grow 0"
;;! expect = "1"
;;! invoke = "grow 1"
;;! expect = "1"
;;! invoke = "grow_then_size 3"
;;! expect = "4"
;;! invoke = "grow 4"
;;! expect = "-1"
;;! invoke = "grow_then_size 4"
;;! expect = "1"
;;! invoke = "grow_twice"
;;! expect = "2"
;; grow 2 -> size 3; grow 2 more would be 5 > max 4: -1 * 100 + 3
;;! invoke = "grow_past_max"
;;! expect = "-97"
;;! invoke = "grow_huge"
;;! expect = "-1"
;;! invoke = "use_new_page"
;;! expect = "16909060"
;;! invoke = "oob_after_grow"
;;! trap = "out of bounds memory access"
;;! invoke = "oob_before_grow"
;;! trap = "out of bounds memory access"
