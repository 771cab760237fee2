;; Multi-memory bulk operators: memory.fill/init on any memory, memory.copy
;; within one memory and between two different ones (both directions),
;; bounds-checked against each memory's own size before anything is written.
(module
  (memory $a 1)
  (memory $b 2)
  (data $d "hello")
  (func (export "fill_b_copy_to_a") (result i32)
    (memory.fill $b (i32.const 70000) (i32.const 0x41) (i32.const 4))
    (memory.copy $a $b (i32.const 10) (i32.const 69999) (i32.const 6))
    ;; a[10..16] = 00 41 41 41 41 00
    (i32.add
      (i32.mul (i32.load8_u $a (i32.const 10)) (i32.const 1000))
      (i32.add
        (i32.mul (i32.load8_u $a (i32.const 11)) (i32.const 10))
        (i32.load8_u $a (i32.const 15)))))
  (func (export "init_b_copy_within") (result i32)
    (memory.init $b $d (i32.const 131070) (i32.const 3) (i32.const 2))
    (memory.copy $b $b (i32.const 131069) (i32.const 131070) (i32.const 2))
    ;; b[131069..131072] = 'l' 'o' 'o'
    (i32.add
      (i32.mul (i32.load8_u $b (i32.const 131069)) (i32.const 1000))
      (i32.load8_u $b (i32.const 131071))))
  (func (export "copy_a_to_b") (param i32 i32 i32) (result i32)
    (i32.store8 $a (i32.const 0) (i32.const 9))
    (memory.copy $b $a (local.get 0) (local.get 1) (local.get 2))
    (i32.load8_u $b (i32.const 100000)))
  (func (export "fill_a") (param i32 i32)
    (memory.fill $a (local.get 0) (i32.const 1) (local.get 1)))
  (func (export "init_a") (param i32 i32)
    (memory.init $a $d (local.get 0) (i32.const 0) (local.get 1)))
)
;; kiln-test: invoke = "fill_b_copy_to_a"
;; kiln-test: expect = "650"
;; kiln-test: invoke = "init_b_copy_within"
;; kiln-test: expect = "108111"
;; Copy into the larger memory from the smaller one: bounded by the source.
;; kiln-test: invoke = "copy_a_to_b 100000 0 1"
;; kiln-test: expect = "9"
;; kiln-test: invoke = "copy_a_to_b 100000 65535 1"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "copy_a_to_b 100000 65535 2"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "copy_a_to_b 131072 0 0"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "copy_a_to_b 131071 0 2"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "fill_a 65536 0"
;; kiln-test: expect = ""
;; kiln-test: invoke = "fill_a 65535 2"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "init_a 65531 5"
;; kiln-test: expect = ""
;; kiln-test: invoke = "init_a 65532 5"
;; kiln-test: trap = "out of bounds memory access"
