;; Tail calls run in constant stack: 10 million self and mutual tail calls
;; (each a plain `call` would exhaust the stack), with many arguments (some
;; passed on the stack) and several results.
;; kiln-test: wasmtime-flags = "-W tail-call"
(module
  (func $count (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call $count
        (i64.sub (local.get $n) (i64.const 1))
        (i64.add (local.get $acc) (i64.const 2))))))
  (func (export "count") (param i64) (result i64)
    (call $count (local.get 0) (i64.const 0)))

  (func $even (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i32.sub (local.get 0) (i32.const 1))))))
  (func $odd (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call $even (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "even") (param i32) (result i32) (call $even (local.get 0)))

  ;; Twelve parameters, three results: the arguments rotate every call.
  (func $rot (param $n i32) (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (result i64 i64 i32)
    (if (i32.eqz (local.get $n))
      (then (return (local.get 1) (local.get 11) (local.get $n))))
    (return_call $rot (i32.sub (local.get $n) (i32.const 1))
      (local.get 2) (local.get 3) (local.get 4) (local.get 5) (local.get 6)
      (local.get 7) (local.get 8) (local.get 9) (local.get 10) (local.get 11)
      (i64.add (local.get 1) (i64.const 100))))
  (func (export "rot") (param i32) (result i64 i64 i32)
    (call $rot (local.get 0)
      (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5) (i64.const 6)
      (i64.const 7) (i64.const 8) (i64.const 9) (i64.const 10) (i64.const 11)))

  ;; A tail call from a function with fewer stack arguments to one with more
  ;; and back.
  (func $few (param $n i32) (result i64)
    (if (result i64) (i32.eqz (local.get $n))
      (then (i64.const 7))
      (else (return_call $many (local.get $n)
        (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5)
        (i64.const 6) (i64.const 7) (i64.const 8) (i64.const 9) (i64.const 10)))))
  (func $many (param $n i32) (param i64 i64 i64 i64 i64 i64 i64 i64 i64 i64) (result i64)
    (return_call $few (i32.sub (local.get $n) (i32.const 1))))
  (func (export "few_many") (param i32) (result i64) (call $few (local.get 0)))

  ;; Plain recursion of the same depth exhausts the stack.
  (func $deep (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (call $deep (i32.sub (local.get 0) (i32.const 1))))))
  (func (export "deep") (param i32) (result i32) (call $deep (local.get 0))))
;; kiln-test: invoke = "count 10000000"
;; kiln-test: expect = "20000000"
;; kiln-test: invoke = "even 10000001"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "even 10000000"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "rot 0"
;; kiln-test: expect = "1\n11\n0"
;; kiln-test: invoke = "rot 10"
;; kiln-test: expect = "11\n110\n0"
;; kiln-test: invoke = "rot 1000003"
;; kiln-test: expect = "9090905\n9091004\n0"
;; kiln-test: invoke = "few_many 10000000"
;; kiln-test: expect = "7"
;; kiln-test: invoke = "deep 10000000"
;; kiln-test: trap = "call stack exhausted"
