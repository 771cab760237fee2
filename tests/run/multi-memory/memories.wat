;; Multi-memory: every load and store names its memory; memories are
;; independent (contents, size, growth, bounds); data segments go to any
;; memory; memory.size/grow take a memory index.
(module
  (memory $a 1)
  (memory $b 2 3)
  (memory $c 0 1)
  (data (memory $b) (i32.const 65536) "\2a\00\00\00")
  (data (memory $a) (i32.const 0) "\07")
  (func (export "store_both") (param i32 i32) (result i64)
    (i32.store $a (local.get 0) (local.get 1))
    (i32.store $b (local.get 0) (i32.add (local.get 1) (i32.const 1)))
    ;; (b << 32) | a
    (i64.or
      (i64.shl (i64.load32_u $b (local.get 0)) (i64.const 32))
      (i64.load32_u $a (local.get 0))))
  (func (export "segments") (result i32)
    (i32.add
      (i32.mul (i32.load $b (i32.const 65536)) (i32.const 100))
      (i32.load8_u $a (i32.const 0))))
  (func (export "sizes") (result i32)
    ;; a*100 + b*10 + c
    (i32.add
      (i32.add
        (i32.mul (memory.size $a) (i32.const 100))
        (i32.mul (memory.size $b) (i32.const 10)))
      (memory.size $c)))
  (func (export "grow") (param $mem i32) (param $delta i32) (result i32)
    (if (result i32) (i32.eqz (local.get $mem))
      (then (memory.grow $a (local.get $delta)))
      (else
        (if (result i32) (i32.eq (local.get $mem) (i32.const 1))
          (then
            ;; The others keep their sizes: result = old * 100 + sizes.
            (i32.add
              (i32.mul (memory.grow $b (local.get $delta)) (i32.const 1000))
              (i32.add
                (i32.mul (memory.size $a) (i32.const 10))
                (memory.size $c))))
          (else (memory.grow $c (local.get $delta)))))))
  (func (export "grow_c_then_store") (result i32)
    (drop (memory.grow $c (i32.const 1)))
    (i64.store $c (i32.const 65528) (i64.const -1))
    (i32.load8_s $c (i32.const 65535)))
  (func (export "load_a") (param i32) (result i32) (i32.load $a (local.get 0)))
  (func (export "load_b") (param i32) (result i32) (i32.load $b (local.get 0)))
  (func (export "load_c") (param i32) (result i32) (i32.load8_u $c (local.get 0)))
  (func (export "store_b") (param i32) (i64.store $b (local.get 0) (i64.const 1)))
  (func (export "float_b") (param f64) (result f64)
    (f64.store $b offset=8 (i32.const 131064) (local.get 0))
    (f64.load $b (i32.const 131072)))
)
;; kiln-test: invoke = "store_both 16 5"
;; kiln-test: expect = "25769803781"
;; kiln-test: invoke = "segments"
;; kiln-test: expect = "4207"
;; kiln-test: invoke = "sizes"
;; kiln-test: expect = "120"
;; Growing one memory leaves the others alone.
;; kiln-test: invoke = "grow 1 1"
;; kiln-test: expect = "2010"
;; kiln-test: invoke = "grow 1 2"
;; kiln-test: expect = "-990"
;; kiln-test: invoke = "grow 2 2"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "grow 0 0"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "grow_c_then_store"
;; kiln-test: expect = "-1"
;; Bounds are per memory, at the exact byte.
;; kiln-test: invoke = "load_a 65532"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "load_a 65533"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load_b 131068"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "load_b 131069"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "store_b 131065"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load_c 0"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "float_b 2.5"
;; kiln-test: trap = "out of bounds memory access"
