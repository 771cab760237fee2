;; i64 arithmetic, bit operations, comparisons and their traps.
(module
  (func (export "add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "mul") (param i64 i64) (result i64) (i64.mul (local.get 0) (local.get 1)))
  (func (export "div_s") (param i64 i64) (result i64) (i64.div_s (local.get 0) (local.get 1)))
  (func (export "div_u") (param i64 i64) (result i64) (i64.div_u (local.get 0) (local.get 1)))
  (func (export "rem_s") (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1)))
  (func (export "rem_u") (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1)))
  (func (export "shl") (param i64 i64) (result i64) (i64.shl (local.get 0) (local.get 1)))
  (func (export "shr_s") (param i64 i64) (result i64) (i64.shr_s (local.get 0) (local.get 1)))
  (func (export "shr_u") (param i64 i64) (result i64) (i64.shr_u (local.get 0) (local.get 1)))
  (func (export "rotl") (param i64 i64) (result i64) (i64.rotl (local.get 0) (local.get 1)))
  (func (export "rotr") (param i64 i64) (result i64) (i64.rotr (local.get 0) (local.get 1)))
  (func (export "clz") (param i64) (result i64) (i64.clz (local.get 0)))
  (func (export "ctz") (param i64) (result i64) (i64.ctz (local.get 0)))
  (func (export "popcnt") (param i64) (result i64) (i64.popcnt (local.get 0)))
  (func (export "eqz") (param i64) (result i32) (i64.eqz (local.get 0)))
  (func (export "lt_u") (param i64 i64) (result i32) (i64.lt_u (local.get 0) (local.get 1)))
  (func (export "ge_s") (param i64 i64) (result i32) (i64.ge_s (local.get 0) (local.get 1)))
  (func (export "extend8_s") (param i64) (result i64) (i64.extend8_s (local.get 0)))
  (func (export "extend16_s") (param i64) (result i64) (i64.extend16_s (local.get 0)))
  (func (export "extend32_s") (param i64) (result i64) (i64.extend32_s (local.get 0)))
  (func (export "extend_i32_s") (param i32) (result i64) (i64.extend_i32_s (local.get 0)))
  (func (export "extend_i32_u") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))
  (func (export "wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
)
;; kiln-test: invoke = "add 9223372036854775807 1"
;; kiln-test: expect = "-9223372036854775808"
;; kiln-test: invoke = "mul 4294967296 4294967296"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "mul -4294967296 3"
;; kiln-test: expect = "-12884901888"
;; kiln-test: invoke = "div_s -9223372036854775808 -1"
;; kiln-test: trap = "integer overflow"
;; kiln-test: invoke = "div_s 7 0"
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: invoke = "div_u 7 0"
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: invoke = "rem_s 7 0"
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: invoke = "rem_u 7 0"
;; kiln-test: trap = "integer divide by zero"
;; kiln-test: invoke = "div_s -9223372036854775807 10"
;; kiln-test: expect = "-922337203685477580"
;; kiln-test: invoke = "div_u -1 10"
;; kiln-test: expect = "1844674407370955161"
;; kiln-test: invoke = "rem_s -9223372036854775808 -1"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "rem_s -13 5"
;; kiln-test: expect = "-3"
;; kiln-test: invoke = "rem_u -1 10"
;; kiln-test: expect = "5"
;; kiln-test: invoke = "shl 1 63"
;; kiln-test: expect = "-9223372036854775808"
;; kiln-test: invoke = "shl 1 64"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "shr_s -9223372036854775808 63"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "shr_u -9223372036854775808 63"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "shr_u -1 65"
;; kiln-test: expect = "9223372036854775807"
;; kiln-test: invoke = "rotl -9223372036854775807 1"
;; kiln-test: expect = "3"
;; kiln-test: invoke = "rotr 1 1"
;; kiln-test: expect = "-9223372036854775808"
;; kiln-test: invoke = "clz 0"
;; kiln-test: expect = "64"
;; kiln-test: invoke = "clz 4294967296"
;; kiln-test: expect = "31"
;; kiln-test: invoke = "ctz 0"
;; kiln-test: expect = "64"
;; kiln-test: invoke = "ctz 4294967296"
;; kiln-test: expect = "32"
;; kiln-test: invoke = "popcnt -1"
;; kiln-test: expect = "64"
;; kiln-test: invoke = "eqz 0"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "eqz 4294967296"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "lt_u 1 -1"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "ge_s 1 -1"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "extend8_s 255"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "extend16_s 32767"
;; kiln-test: expect = "32767"
;; kiln-test: invoke = "extend32_s 2147483648"
;; kiln-test: expect = "-2147483648"
;; kiln-test: invoke = "extend32_s -4294967295"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "extend_i32_s -1"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "extend_i32_u -1"
;; kiln-test: expect = "4294967295"
;; kiln-test: invoke = "wrap -4294967295"
;; kiln-test: expect = "1"
;; kiln-test: invoke = "wrap 6442450943"
;; kiln-test: expect = "2147483647"
