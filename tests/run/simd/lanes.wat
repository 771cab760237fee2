;; v128 constants, splats, lane extraction (sign/zero extension) and
;; replacement, i8x16.shuffle and i8x16.swizzle (out-of-range indices give 0).
(module
  (func (export "const") (result v128) (v128.const i32x4 1 2 3 -1))
  (func (export "const_lanes") (result i32 i32 i32 i32)
    (i32x4.extract_lane 0 (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16))
    (i32x4.extract_lane 1 (v128.const i16x8 -1 0 0x1234 0x5678 0 0 0 0))
    (i32x4.extract_lane 2 (v128.const f32x4 0 0 1.5 0))
    (i32x4.extract_lane 3 (v128.const i64x2 0 0x7fffffff80000000)))
  (func (export "splat_i8") (param i32) (result i32 i32 i32)
    (i8x16.extract_lane_s 0 (i8x16.splat (local.get 0)))
    (i8x16.extract_lane_u 15 (i8x16.splat (local.get 0)))
    (i32x4.extract_lane 2 (i8x16.splat (local.get 0))))
  (func (export "splat_i16") (param i32) (result i32 i32)
    (i16x8.extract_lane_s 3 (i16x8.splat (local.get 0)))
    (i16x8.extract_lane_u 7 (i16x8.splat (local.get 0))))
  (func (export "splat_i64") (param i64) (result i64 v128)
    (i64x2.extract_lane 1 (i64x2.splat (local.get 0)))
    (i64x2.splat (local.get 0)))
  (func (export "splat_f32") (param f32) (result f32 v128)
    (f32x4.extract_lane 3 (f32x4.splat (local.get 0)))
    (f32x4.splat (local.get 0)))
  (func (export "splat_f64") (param f64) (result f64)
    (f64x2.extract_lane 1 (f64x2.splat (local.get 0))))
  (func (export "replace") (param i32 i64 f32 f64) (result v128 v128 v128 v128 v128 v128)
    (i8x16.replace_lane 15 (v128.const i64x2 0 0) (local.get 0))
    (i16x8.replace_lane 1 (v128.const i64x2 0 0) (local.get 0))
    (i32x4.replace_lane 2 (v128.const i64x2 0 0) (local.get 0))
    (i64x2.replace_lane 1 (v128.const i64x2 -1 -1) (local.get 1))
    (f32x4.replace_lane 0 (v128.const i64x2 0 0) (local.get 2))
    (f64x2.replace_lane 1 (v128.const i64x2 0 0) (local.get 3)))
  (func (export "shuffle") (result v128 v128)
    (i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31
      (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
      (v128.const i8x16 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31))
    (i8x16.shuffle 31 30 29 28 3 2 1 0 16 16 16 16 15 15 15 15
      (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)
      (v128.const i8x16 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31)))
  (func (export "swizzle") (param i32) (result v128)
    (i8x16.swizzle
      (v128.const i8x16 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25)
      (i8x16.replace_lane 0 (v128.const i8x16 15 14 13 12 16 17 255 128 0 1 2 3 4 5 6 7)
        (local.get 0)))))
;; kiln-test: invoke = "const"
;; kiln-test: expect = "340282366841710301004450502067942850561"
;; kiln-test: invoke = "const_lanes"
;; kiln-test: expect = "67305985\n1450709556\n1069547520\n2147483647"
;; kiln-test: invoke = "splat_i8 255"
;; kiln-test: expect = "-1\n255\n-1"
;; kiln-test: invoke = "splat_i8 0x17f"
;; kiln-test: expect = "127\n127\n2139062143"
;; kiln-test: invoke = "splat_i16 0x18000"
;; kiln-test: expect = "-32768\n32768"
;; kiln-test: invoke = "splat_i16 -1"
;; kiln-test: expect = "-1\n65535"
;; kiln-test: invoke = "splat_i64 -2"
;; kiln-test: expect = "-2\n340282366920938463444927863358058659838"
;; kiln-test: invoke = "splat_f32 -1.5"
;; kiln-test: expect = "-1.5\n254879468251101369276364964396722552832"
;; kiln-test: invoke = "splat_f64 3.25"
;; kiln-test: expect = "3.25"
;; kiln-test: invoke = "replace 0x1ff -3 2.5 -0.0"
;; kiln-test: expect = "338953138925153547590470800371487866880\n33488896\n9426286221665580875776\n340282366920938463426481119284349108223\n1075838976\n170141183460469231731687303715884105728"
;; kiln-test: invoke = "shuffle"
;; kiln-test: expect = "41279349174336638448199315508212928768\n20016609819189431820273756408496594463"
;; kiln-test: invoke = "swizzle 3"
;; kiln-test: expect = "22680258027456321424189907231500081165"
;; kiln-test: invoke = "swizzle 16"
;; kiln-test: expect = "22680258027456321424189907231500081152"
;; kiln-test: invoke = "swizzle 200"
;; kiln-test: expect = "22680258027456321424189907231500081152"
