;; Typed function references: call_ref and return_call_ref, ref.as_non_null,
;; br_on_null and br_on_non_null, typed references in params, results,
;; locals, globals and tables (a table with an initializer expression), and
;; null checks trapping with "null reference".
;; kiln-test: wasmtime-flags = "-W function-references,tail-call"
(module
  (type $i2i (func (param i32) (result i32)))
  (func $inc (type $i2i) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $i2i) (i32.mul (local.get 0) (i32.const 2)))
  (elem declare func $inc $dbl)
  (global $g (ref $i2i) (ref.func $dbl))
  (global $n (mut (ref null $i2i)) (ref.null $i2i))
  (table $t 4 (ref $i2i) (ref.func $inc))
  (func $pick (param $which i32) (result (ref null $i2i))
    (if (result (ref null $i2i)) (i32.eq (local.get $which) (i32.const 0))
      (then (ref.func $inc))
      (else (if (result (ref null $i2i)) (i32.eq (local.get $which) (i32.const 1))
        (then (global.get $g))
        (else (global.get $n))))))
  (func (export "call_ref") (param $which i32) (param $x i32) (result i32)
    (call_ref $i2i (local.get $x) (call $pick (local.get $which))))
  (func (export "return_call_ref") (param $which i32) (param $x i32) (result i32)
    (return_call_ref $i2i (local.get $x) (call $pick (local.get $which))))
  (func (export "as_non_null") (param $which i32) (result i32)
    (local $f (ref $i2i))
    (local.set $f (ref.as_non_null (call $pick (local.get $which))))
    (call_ref $i2i (i32.const 10) (local.get $f)))
  (func (export "on_null") (param $which i32) (result i32)
    (block $null
      (return (call_ref $i2i (i32.const 20)
        (br_on_null $null (call $pick (local.get $which))))))
    (i32.const -1))
  (func (export "on_non_null") (param $which i32) (result i32)
    (call_ref $i2i (i32.const 30)
      (block $some (result (ref $i2i))
        (br_on_non_null $some (call $pick (local.get $which)))
        (ref.func $dbl))))
  (func (export "table") (param $i i32) (result i32)
    (call_ref $i2i (i32.const 40) (table.get $t (local.get $i))))
  ;; Countdown through return_call_ref: constant stack.
  (func $down (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 99))
      (else (return_call_ref $down_t (i32.sub (local.get $n) (i32.const 1)) (ref.func $down)))))
  (type $down_t (func (param i32) (result i32)))
  (elem declare func $down)
  (func (export "down") (param i32) (result i32) (call $down (local.get 0))))
;; kiln-test: invoke = "call_ref 0 5"
;; kiln-test: expect = "6"
;; kiln-test: invoke = "call_ref 1 5"
;; kiln-test: expect = "10"
;; kiln-test: invoke = "call_ref 2 5"
;; kiln-test: trap = "null reference"
;; kiln-test: invoke = "return_call_ref 1 7"
;; kiln-test: expect = "14"
;; kiln-test: invoke = "return_call_ref 2 7"
;; kiln-test: trap = "null reference"
;; kiln-test: invoke = "as_non_null 0"
;; kiln-test: expect = "11"
;; kiln-test: invoke = "as_non_null 2"
;; kiln-test: trap = "null reference"
;; kiln-test: invoke = "on_null 1"
;; kiln-test: expect = "40"
;; kiln-test: invoke = "on_null 2"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "on_non_null 0"
;; kiln-test: expect = "31"
;; kiln-test: invoke = "on_non_null 2"
;; kiln-test: expect = "60"
;; kiln-test: invoke = "table 3"
;; kiln-test: expect = "41"
;; kiln-test: invoke = "table 4"
;; kiln-test: trap = "out of bounds table access"
;; kiln-test: invoke = "down 10000000"
;; kiln-test: expect = "99"
