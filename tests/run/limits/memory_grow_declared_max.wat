;; memory.grow up to a declared maximum succeeds page by page; past it,
;; -1 and nothing changes (size, contents, the new end is still the bound).
(module
  (memory 2 5)
  (func (export "fill_to_max") (result i32)
    (local $n i32)
    ;; Grow one page at a time, writing the page number at each page's end.
    (loop $more
      (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1))
        (then
          (i32.store8 (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1))
                      (memory.size))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br $more))))
    ;; 3 successful grows, size 5, byte at the end is 5
    (i32.add (i32.mul (local.get $n) (i32.const 100))
      (i32.add (i32.mul (memory.size) (i32.const 10))
        (i32.load8_u (i32.const 327679)))))
  (func (export "past_max_unchanged") (result i32)
    (drop (memory.grow (i32.const 3)))
    (i32.store (i32.const 327676) (i32.const 0x01020304))
    (i32.add (i32.mul (memory.grow (i32.const 1)) (i32.const 1000))
      (i32.add (memory.size) (i32.load8_u (i32.const 327679)))))
  (func (export "past_max_then_oob") (result i32)
    (drop (memory.grow (i32.const 3)))
    (drop (memory.grow (i32.const 1)))
    (i32.load8_u (i32.const 327680))))
;; kiln-test: invoke = "fill_to_max"
;; kiln-test: expect = "355"
;; -1000 + 5 + 1
;; kiln-test: invoke = "past_max_unchanged"
;; kiln-test: expect = "-994"
;; kiln-test: invoke = "past_max_then_oob"
;; kiln-test: trap = "out of bounds memory access"
