;; Structured control flow: br_table, loops with params, if/else,
;; multi-value blocks, and traps from `unreachable`.
(module
  (func (export "br_table") (param i32) (result i32)
    (block (block (block
      (br_table 0 1 2 (local.get 0)))
      (return (i32.const 10)))
      (return (i32.const 11)))
    (i32.const 12))

  (func (export "br_table_value") (param i32) (result i32)
    (block (result i32)
      (block (result i32)
        (br_table 0 1 0 (i32.const 100) (local.get 0)))
      (i32.const 1) (i32.add)))

  ;; Sum n..1 with a loop carrying the accumulator as a parameter.
  (func (export "sum") (param $n i32) (result i32)
    (i32.const 0)
    (loop $l (param i32) (result i32)
      (local.get $n) (i32.add)
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))))

  (func (export "if_else") (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (i32.const 7))
      (else (i32.const 8))))

  ;; An `if` with params and no `else` passes its params through.
  (func (export "if_params") (param i32) (result i32)
    (i32.const 3) (i32.const 4)
    (if (param i32 i32) (result i32 i32) (local.get 0)
      (then (i32.mul) (i32.const 0)))
    (i32.add))

  (func (export "multi_block") (result i32)
    (i32.const 5)
    (block (param i32) (result i32 i32)
      (i32.const 6))
    (i32.sub))

  (func (export "dead_code") (param i32) (result i32)
    (block (result i32)
      (br 0 (i32.const 1))
      (block (loop (if (local.get 0) (then (br 2)))))
      (i32.const 4)))

  (func (export "trap_unreachable") (result i32)
    (if (i32.const 1) (then unreachable))
    (i32.const 0)))

;; kiln-test: invoke = "br_table 0"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "br_table 1"
;; kiln-test: expect = "11"
;; kiln-test: invoke = "br_table 2"
;; kiln-test: expect = "12"
;; kiln-test: invoke = "br_table 99"
;; kiln-test: expect = "12"
;; kiln-test: invoke = "br_table_value 0"
;; kiln-test: expect = "101"
;; kiln-test: invoke = "br_table_value 1"
;; kiln-test: expect = "100"
;; kiln-test: invoke = "br_table_value 7"
;; kiln-test: expect = "101"
;; kiln-test: invoke = "sum 10"
;; kiln-test: expect = "55"
;; kiln-test: invoke = "if_else 0"
;; kiln-test: expect = "8"
;; kiln-test: invoke = "if_else -1"
;; kiln-test: expect = "7"
;; kiln-test: invoke = "if_params 1"
;; kiln-test: expect = "12"
;; kiln-test: invoke = "if_params 0"
;; kiln-test: expect = "7"
;; kiln-test: invoke = "multi_block"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "dead_code 1"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "trap_unreachable"
;; kiln-test: trap = "unreachable"
