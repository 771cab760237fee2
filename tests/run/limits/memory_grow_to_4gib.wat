;; A 32-bit memory without a declared maximum grows to the architectural
;; limit, 65536 pages (4 GiB): the last byte is usable; one page more fails
;; with -1 and changes nothing (size and contents); a single grow of 65536
;; pages from 1 fails too.
(module
  (memory 1)
  (data (i32.const 0) "\2a")
  (func (export "to_max") (result i32)
    (local $old i32)
    (local.set $old (memory.grow (i32.const 65535)))
    (i32.store8 (i32.const -1) (i32.const 7))
    (i32.add (i32.mul (local.get $old) (i32.const 1000))
      (i32.add (i32.load8_u (i32.const -1)) (i32.load8_u (i32.const 0)))))
  (func (export "beyond") (result i32)
    (drop (memory.grow (i32.const 65535)))
    (i32.store8 (i32.const -1) (i32.const 7))
    (i32.add (i32.mul (memory.grow (i32.const 1)) (i32.const 100000))
      (i32.add (i32.mul (memory.size) (i32.const 10))
        (i32.load8_u (i32.const -1)))))
  (func (export "too_big_at_once") (result i32)
    (i32.add (i32.mul (memory.grow (i32.const 65536)) (i32.const 10)) (memory.size)))
  (func (export "all_ones") (result i32)
    (i32.add (i32.mul (memory.grow (i32.const -1)) (i32.const 10)) (memory.size))))
;; old size 1: 1 * 1000 + 7 + 42
;; kiln-test: invoke = "to_max"
;; kiln-test: expect = "1049"
;; -1 * 100000 + 65536 * 10 + 7
;; kiln-test: invoke = "beyond"
;; kiln-test: expect = "555367"
;; kiln-test: invoke = "too_big_at_once"
;; kiln-test: expect = "-9"
;; kiln-test: invoke = "all_ones"
;; kiln-test: expect = "-9"
