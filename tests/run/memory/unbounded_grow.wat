;; A memory without a maximum grows by many pages (64 MiB here) and the
;; pages are usable; data segments initialize the first page.
(module
  (memory 1)
  (data (i32.const 8) "\2a")
  (func (export "grow_a_lot") (result i32)
    (local $old i32)
    (local.set $old (memory.grow (i32.const 1024)))
    ;; Touch the last byte of the grown region.
    (i32.store8 (i32.const 67174399) (i32.const 9))
    (i32.add (i32.add (local.get $old) (memory.size))
             (i32.add (i32.load8_u (i32.const 67174399)) (i32.load8_u (i32.const 8)))))
  (func (export "past_new_end") (result i32)
    (drop (memory.grow (i32.const 1024)))
    (i32.load8_u (i32.const 67174400)))
)
;; old 1 + size 1025 + 9 + 42
;; kiln-test: invoke = "grow_a_lot"
;; kiln-test: expect = "1077"
;; kiln-test: invoke = "past_new_end"
;; kiln-test: trap = "out of bounds memory access"
