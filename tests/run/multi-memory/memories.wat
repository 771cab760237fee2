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
;;! invoke = "store_both 16 5"
;;! expect = "25769803781"
;;! invoke = "segments"
;;! expect = "4207"
;;! invoke = "sizes"
;;! expect = "120"
;; Growing one memory leaves the others alone.
;;! invoke = "grow 1 1"
;;! expect = "2010"
;;! invoke = "grow 1 2"
;;! expect = "-990"
;;! invoke = "grow 2 2"
;;! expect = "-1"
;;! invoke = "grow 0 0"
;;! expect = "1"
;;! invoke = "grow_c_then_store"
;;! expect = "-1"
;; Bounds are per memory, at the exact byte.
;;! invoke = "load_a 65532"
;;! expect = "0"
;;! invoke = "load_a 65533"
;;! trap = "out of bounds memory access"
;;! invoke = "load_b 131068"
;;! expect = "0"
;;! invoke = "load_b 131069"
;;! trap = "out of bounds memory access"
;;! invoke = "store_b 131065"
;;! trap = "out of bounds memory access"
;;! invoke = "load_c 0"
;;! trap = "out of bounds memory access"
;;! invoke = "float_b 2.5"
;;! trap = "out of bounds memory access"
