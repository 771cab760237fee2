;; -W max-memory-size=196608 (3 pages): `memory.grow` beyond it returns -1
;; (no trap), growth up to it succeeds; `_start` (through `kiln build`, the
;; limit baked in) checks that growing by 2 fails and by 1 works.
;; kiln-test: flags = "-W max-memory-size=196608"
(module
  (memory (export "memory") 2)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "_start")
    (if (i32.ne (memory.grow (i32.const 2)) (i32.const -1)) (then unreachable))
    (if (i32.ne (memory.grow (i32.const 1)) (i32.const 2)) (then unreachable))
    (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))))
;; kiln-test: invoke = "grow 1"
;; kiln-test: expect = "2"
;; kiln-test: invoke = "grow 2"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "grow 0"
;; kiln-test: expect = "2"
