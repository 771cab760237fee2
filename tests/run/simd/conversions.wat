;; Vector conversions: saturating float->int truncation (NaN -> 0,
;; out of range -> min/max), int->float, the low-half f64x2 conversions,
;; and demote/promote; the *_zero forms zero the upper lanes.
(module
  (func (export "trunc_f32") (param f32 f32) (result v128 v128)
    (local $v v128)
    (local.set $v (f32x4.replace_lane 0
      (f32x4.replace_lane 1 (v128.const f32x4 nan -inf 4294967040 -1.9) (local.get 1))
      (local.get 0)))
    (i32x4.trunc_sat_f32x4_s (local.get $v))
    (i32x4.trunc_sat_f32x4_u (local.get $v)))
  (func (export "trunc_f64") (param f64 f64) (result v128 v128)
    (local $v v128)
    (local.set $v (f64x2.replace_lane 0 (f64x2.splat (local.get 1)) (local.get 0)))
    (i32x4.trunc_sat_f64x2_s_zero (local.get $v))
    (i32x4.trunc_sat_f64x2_u_zero (local.get $v)))
  (func (export "convert") (param i32 i32) (result v128 v128 v128 v128)
    (local $v v128)
    (local.set $v (i32x4.replace_lane 0
      (i32x4.replace_lane 1 (v128.const i32x4 0 0 16777217 -16777217) (local.get 1))
      (local.get 0)))
    (f32x4.convert_i32x4_s (local.get $v))
    (f32x4.convert_i32x4_u (local.get $v))
    (f64x2.convert_low_i32x4_s (local.get $v))
    (f64x2.convert_low_i32x4_u (local.get $v)))
  (func (export "demote") (param f64 f64) (result v128)
    (f32x4.demote_f64x2_zero (f64x2.replace_lane 0 (f64x2.splat (local.get 1)) (local.get 0))))
  (func (export "promote") (param f32 f32) (result f64 f64)
    (local $v v128)
    (local.set $v (f64x2.promote_low_f32x4
      (f32x4.replace_lane 0 (f32x4.splat (local.get 1)) (local.get 0))))
    (f64x2.extract_lane 0 (local.get $v))
    (f64x2.extract_lane 1 (local.get $v))))
;; kiln-test: invoke = "trunc_f32 1.9 -1.9"
;; kiln-test: expect = "340282366881324382206242438630701268993\n79228157791897854723898736641"
;; kiln-test: invoke = "trunc_f32 3e9 -3e9"
;; kiln-test: expect = "340282366881324382197019066600288944127\n79228157791897854726898736640"
;; kiln-test: invoke = "trunc_f32 2147483520 -2147483648"
;; kiln-test: expect = "340282366881324382197019066600288944000\n79228157791897854726046220160"
;; kiln-test: invoke = "trunc_f32 inf nan"
;; kiln-test: expect = "340282366881324382187795694563434168319\n79228157791897854728193703935"
;; kiln-test: invoke = "trunc_f64 4294967295.9 -1"
;; kiln-test: expect = "18446744071562067967\n4294967295"
;; kiln-test: invoke = "trunc_f64 -2147483648.9 2147483647.9"
;; kiln-test: expect = "9223372034707292160\n9223372032559808512"
;; kiln-test: invoke = "trunc_f64 nan -inf"
;; kiln-test: expect = "9223372036854775808\n0"
;; kiln-test: invoke = "trunc_f64 1e300 0.999"
;; kiln-test: expect = "2147483647\n4294967295"
;; kiln-test: invoke = "convert -1 0x7fffffff"
;; kiln-test: expect = "270497897165596498383128839387980234752\n105668433391408395315428233415009239040\n87562894222253961888913508284441296896\n87562894222253961879834251435660279808"
;; kiln-test: invoke = "convert -2147483648 16777219"
;; kiln-test: expect = "270497897165596498382876637817697468416\n105668433391408395315176031844458037248\n86981356989030712918537603849987817472\n86981356989030712909314231813133041664"
;; kiln-test: invoke = "demote 1e300 -1e-300"
;; kiln-test: expect = "9223372038993870848"
;; kiln-test: invoke = "demote 0.1 3.4028235677973366e38"
;; kiln-test: expect = "9187343240872643789"
;; kiln-test: invoke = "demote inf nan"
;; kiln-test: expect = "9205357640484388864"
;; kiln-test: invoke = "promote 0.1 -inf"
;; kiln-test: expect = "0.10000000149011612\n-inf"
;; kiln-test: invoke = "promote 1e-45 3.4028235e38"
;; kiln-test: expect = "0.000000000000000000000000000000000000000000001401298464324817\n340282346638528860000000000000000000000"
