;; Conversions: trapping float->int truncation (NaN -> invalid conversion,
;; out of range -> integer overflow), saturating truncation, int->float,
;; demote/promote and reinterpretation.
(module
  (func (export "i32_trunc_f32_s") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
  (func (export "i32_trunc_f32_u") (param f32) (result i32) (i32.trunc_f32_u (local.get 0)))
  (func (export "i32_trunc_f64_s") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "i32_trunc_f64_u") (param f64) (result i32) (i32.trunc_f64_u (local.get 0)))
  (func (export "i64_trunc_f32_s") (param f32) (result i64) (i64.trunc_f32_s (local.get 0)))
  (func (export "i64_trunc_f64_s") (param f64) (result i64) (i64.trunc_f64_s (local.get 0)))
  (func (export "i64_trunc_f64_u") (param f64) (result i64) (i64.trunc_f64_u (local.get 0)))
  (func (export "i32_trunc_nan") (result i32) (i32.trunc_f32_s (f32.const nan)))
  (func (export "i64_trunc_u_nan") (result i64) (i64.trunc_f64_u (f64.const -nan)))
  (func (export "i64_trunc_inf") (result i64) (i64.trunc_f32_u (f32.const inf)))
  (func (export "i32_sat_f32_s") (param f32) (result i32) (i32.trunc_sat_f32_s (local.get 0)))
  (func (export "i32_sat_f64_u") (param f64) (result i32) (i32.trunc_sat_f64_u (local.get 0)))
  (func (export "i64_sat_f64_s") (param f64) (result i64) (i64.trunc_sat_f64_s (local.get 0)))
  (func (export "i64_sat_f32_u") (param f32) (result i64) (i64.trunc_sat_f32_u (local.get 0)))
  (func (export "sat_nan") (result i32) (i32.trunc_sat_f64_s (f64.const nan)))
  (func (export "sat_inf") (result i32) (i32.trunc_sat_f32_s (f32.const inf)))
  (func (export "sat_neg_inf") (result i64) (i64.trunc_sat_f64_s (f64.const -inf)))
  (func (export "f32_convert_i32_u") (param i32) (result f32) (f32.convert_i32_u (local.get 0)))
  (func (export "f64_convert_i32_u") (param i32) (result f64) (f64.convert_i32_u (local.get 0)))
  (func (export "f64_convert_i64_u") (param i64) (result f64) (f64.convert_i64_u (local.get 0)))
  (func (export "f32_convert_i64_s") (param i64) (result f32) (f32.convert_i64_s (local.get 0)))
  (func (export "f32_convert_i64_u") (param i64) (result f32) (f32.convert_i64_u (local.get 0)))
  (func (export "f64_convert_i64_s") (param i64) (result f64) (f64.convert_i64_s (local.get 0)))
  (func (export "demote") (param f64) (result f32) (f32.demote_f64 (local.get 0)))
  (func (export "promote") (param f32) (result f64) (f64.promote_f32 (local.get 0)))
  (func (export "i32_reinterpret") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
  (func (export "f64_reinterpret") (param i64) (result f64) (f64.reinterpret_i64 (local.get 0)))
)
;; kiln-test: invoke = "i32_trunc_f32_s -2147483648"
;; kiln-test: expect = "-2147483648"
;; kiln-test: invoke = "i32_trunc_f32_s 2147483648"
;; kiln-test: trap = "integer overflow"
;; kiln-test: invoke = "i32_trunc_f32_s -3.9"
;; kiln-test: expect = "-3"
;; kiln-test: invoke = "i32_trunc_f32_u -0.9"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "i32_trunc_f32_u -1"
;; kiln-test: trap = "integer overflow"
;; kiln-test: invoke = "i32_trunc_f32_u 4294967040"
;; kiln-test: expect = "-256"
;; kiln-test: invoke = "i32_trunc_f64_s -2147483648.9"
;; kiln-test: expect = "-2147483648"
;; kiln-test: invoke = "i32_trunc_f64_s -2147483649"
;; kiln-test: trap = "integer overflow"
;; kiln-test: invoke = "i32_trunc_f64_s 2147483647.9"
;; kiln-test: expect = "2147483647"
;; kiln-test: invoke = "i32_trunc_f64_u 4294967295.9"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "i32_trunc_f64_u 4294967296"
;; kiln-test: trap = "integer overflow"
;; kiln-test: invoke = "i64_trunc_f32_s -9223372036854775808"
;; kiln-test: expect = "-9223372036854775808"
;; kiln-test: invoke = "i64_trunc_f64_s 9223372036854775808"
;; kiln-test: trap = "integer overflow"
;; kiln-test: invoke = "i64_trunc_f64_s -9223372036854777856"
;; kiln-test: trap = "integer overflow"
;; kiln-test: invoke = "i64_trunc_f64_u 18446744073709549568"
;; kiln-test: expect = "-2048"
;; kiln-test: invoke = "i64_trunc_f64_u 18446744073709551616"
;; kiln-test: trap = "integer overflow"
;; kiln-test: invoke = "i32_trunc_nan"
;; kiln-test: trap = "invalid conversion to integer"
;; kiln-test: invoke = "i64_trunc_u_nan"
;; kiln-test: trap = "invalid conversion to integer"
;; kiln-test: invoke = "i64_trunc_inf"
;; kiln-test: trap = "integer overflow"
;; kiln-test: invoke = "i32_sat_f32_s 3000000000"
;; kiln-test: expect = "2147483647"
;; kiln-test: invoke = "i32_sat_f32_s -3000000000"
;; kiln-test: expect = "-2147483648"
;; kiln-test: invoke = "i32_sat_f32_s -7.5"
;; kiln-test: expect = "-7"
;; kiln-test: invoke = "i32_sat_f64_u -5"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "i32_sat_f64_u 1e10"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "i32_sat_f64_u 3000000000.5"
;; kiln-test: expect = "-1294967296"
;; kiln-test: invoke = "i64_sat_f64_s 1e19"
;; kiln-test: expect = "9223372036854775807"
;; kiln-test: invoke = "i64_sat_f32_u 1e20"
;; kiln-test: expect = "-1"
;; kiln-test: invoke = "i64_sat_f32_u -1e20"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "sat_nan"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "sat_inf"
;; kiln-test: expect = "2147483647"
;; kiln-test: invoke = "sat_neg_inf"
;; kiln-test: expect = "-9223372036854775808"
;; kiln-test: invoke = "f32_convert_i32_u -1"
;; kiln-test: expect = "4294967300"
;; kiln-test: invoke = "f64_convert_i32_u -1"
;; kiln-test: expect = "4294967295"
;; kiln-test: invoke = "f64_convert_i64_u -1"
;; kiln-test: expect = "18446744073709552000"
;; 2^53 + 1 rounds to even (2^53) in f64; 2^24 + 1 to 2^24 in f32.
;; kiln-test: invoke = "f64_convert_i64_s 9007199254740993"
;; kiln-test: expect = "9007199254740992"
;; kiln-test: invoke = "f32_convert_i64_s 16777217"
;; kiln-test: expect = "16777216"
;; 0x8000_0080_0000_0001 as u64: just above the midpoint 2^63 + 2^39, so it rounds up.
;; kiln-test: invoke = "f32_convert_i64_u -9223371487098961919"
;; kiln-test: expect = "9223373000000000000"
;; kiln-test: invoke = "demote 1e40"
;; kiln-test: expect = "inf"
;; kiln-test: invoke = "demote 0.1"
;; kiln-test: expect = "0.1"
;; kiln-test: invoke = "promote 0.1"
;; kiln-test: expect = "0.10000000149011612"
;; kiln-test: invoke = "i32_reinterpret -0"
;; kiln-test: expect = "-2147483648"
;; kiln-test: invoke = "f64_reinterpret 4607182418800017408"
;; kiln-test: expect = "1"
