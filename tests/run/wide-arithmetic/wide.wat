;; Wide arithmetic: 128-bit add/sub with carries and borrows across the
;; halves, and full 64x64->128 products, signed and unsigned. Results are
;; (low, high).
;; kiln-test: wasmtime-flags = "-W wide-arithmetic"
(module
  (func (export "add128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "sub128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "mul_s") (param i64 i64) (result i64 i64)
    (i64.mul_wide_s (local.get 0) (local.get 1)))
  (func (export "mul_u") (param i64 i64) (result i64 i64)
    (i64.mul_wide_u (local.get 0) (local.get 1)))
  ;; The high half alone, to check the pair is kept in order by the stack.
  (func (export "mul_u_hi") (param i64 i64) (result i64)
    (i64.mul_wide_u (local.get 0) (local.get 1))
    (local.set 0)
    (drop)
    (local.get 0)))
;; kiln-test: invoke = "add128 1 2 3 4"
;; kiln-test: expect = "4\n6"
;; kiln-test: invoke = "add128 -1 0 1 0"
;; kiln-test: expect = "0\n1"
;; kiln-test: invoke = "add128 -1 -1 1 0"
;; kiln-test: expect = "0\n0"
;; kiln-test: invoke = "add128 -1 9223372036854775807 1 0"
;; kiln-test: expect = "0\n-9223372036854775808"
;; kiln-test: invoke = "sub128 0 0 1 0"
;; kiln-test: expect = "-1\n-1"
;; kiln-test: invoke = "sub128 0 1 1 0"
;; kiln-test: expect = "-1\n0"
;; kiln-test: invoke = "sub128 10 20 3 5"
;; kiln-test: expect = "7\n15"
;; kiln-test: invoke = "mul_s -1 -1"
;; kiln-test: expect = "1\n0"
;; kiln-test: invoke = "mul_u -1 -1"
;; kiln-test: expect = "1\n-2"
;; kiln-test: invoke = "mul_s -9223372036854775808 -9223372036854775808"
;; kiln-test: expect = "0\n4611686018427387904"
;; kiln-test: invoke = "mul_s -3 7"
;; kiln-test: expect = "-21\n-1"
;; kiln-test: invoke = "mul_u -3 7"
;; kiln-test: expect = "-21\n6"
;; kiln-test: invoke = "mul_u_hi 4294967296 4294967296"
;; kiln-test: expect = "1"
