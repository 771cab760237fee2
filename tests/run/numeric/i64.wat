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
;;! invoke = "add 9223372036854775807 1"
;;! expect = "-9223372036854775808"
;;! invoke = "mul 4294967296 4294967296"
;;! expect = "0"
;;! invoke = "mul -4294967296 3"
;;! expect = "-12884901888"
;;! invoke = "div_s -9223372036854775808 -1"
;;! trap = "integer overflow"
;;! invoke = "div_s 7 0"
;;! trap = "integer divide by zero"
;;! invoke = "div_u 7 0"
;;! trap = "integer divide by zero"
;;! invoke = "rem_s 7 0"
;;! trap = "integer divide by zero"
;;! invoke = "rem_u 7 0"
;;! trap = "integer divide by zero"
;;! invoke = "div_s -9223372036854775807 10"
;;! expect = "-922337203685477580"
;;! invoke = "div_u -1 10"
;;! expect = "1844674407370955161"
;;! invoke = "rem_s -9223372036854775808 -1"
;;! expect = "0"
;;! invoke = "rem_s -13 5"
;;! expect = "-3"
;;! invoke = "rem_u -1 10"
;;! expect = "5"
;;! invoke = "shl 1 63"
;;! expect = "-9223372036854775808"
;;! invoke = "shl 1 64"
;;! expect = "1"
;;! invoke = "shr_s -9223372036854775808 63"
;;! expect = "-1"
;;! invoke = "shr_u -9223372036854775808 63"
;;! expect = "1"
;;! invoke = "shr_u -1 65"
;;! expect = "9223372036854775807"
;;! invoke = "rotl -9223372036854775807 1"
;;! expect = "3"
;;! invoke = "rotr 1 1"
;;! expect = "-9223372036854775808"
;;! invoke = "clz 0"
;;! expect = "64"
;;! invoke = "clz 4294967296"
;;! expect = "31"
;;! invoke = "ctz 0"
;;! expect = "64"
;;! invoke = "ctz 4294967296"
;;! expect = "32"
;;! invoke = "popcnt -1"
;;! expect = "64"
;;! invoke = "eqz 0"
;;! expect = "1"
;;! invoke = "eqz 4294967296"
;;! expect = "0"
;;! invoke = "lt_u 1 -1"
;;! expect = "1"
;;! invoke = "ge_s 1 -1"
;;! expect = "1"
;;! invoke = "extend8_s 255"
;;! expect = "-1"
;;! invoke = "extend16_s 32767"
;;! expect = "32767"
;;! invoke = "extend32_s 2147483648"
;;! expect = "-2147483648"
;;! invoke = "extend32_s -4294967295"
;;! expect = "1"
;;! invoke = "extend_i32_s -1"
;;! expect = "-1"
;;! invoke = "extend_i32_u -1"
;;! expect = "4294967295"
;;! invoke = "wrap -4294967295"
;;! expect = "1"
;;! invoke = "wrap 6442450943"
;;! expect = "2147483647"
