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
;; kiln-test: invoke = "size"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "grow 0"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "grow 1"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "grow_then_size 3"
;; kiln-test: expect = "4"
;; kiln-test: invoke = "grow 4"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "grow_then_size 4"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "grow_twice"
;; kiln-test: expect = "2"
;; grow 2 -> size 3; grow 2 more would be 5 > max 4: -1 * 100 + 3
;; kiln-test: invoke = "grow_past_max"
;; kiln-test: expect = "-97"
;; kiln-test: invoke = "grow_huge"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "use_new_page"
;; kiln-test: expect = "16909060"
;; kiln-test: invoke = "oob_after_grow"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "oob_before_grow"
;; kiln-test: trap = "out of bounds memory access"
