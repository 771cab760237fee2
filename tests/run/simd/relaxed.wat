;; Relaxed SIMD with the results of Wasmtime's default x86-64 lowering (what
;; `wasmtime run -W relaxed-simd` computes on any x86-64 CPU with SSE4.1; see
;; compiler/src/func/simd_relaxed.rs): the inputs below are the ones where
;; hardware choices differ, so each result pins Kiln's choice. The expected
;; values are Wasmtime's own output.
(module
  (func (export "swizzle") (result v128)
    ;; pshufb: an index with the top bit set selects 0, any other uses its low 4 bits.
    (i8x16.relaxed_swizzle
      (v128.const i8x16 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25)
      (v128.const i8x16 0 15 16 17 31 32 127 128 255 1 2 3 4 5 6 7)))
  (func (export "trunc") (param f32 f64) (result v128 v128 v128 v128)
    (local $f v128) (local $d v128)
    (local.set $f (f32x4.replace_lane 0 (v128.const f32x4 nan -1 5e9 -5e9) (local.get 0)))
    (local.set $d (f64x2.replace_lane 0 (v128.const f64x2 0 nan) (local.get 1)))
    (i32x4.relaxed_trunc_f32x4_s (local.get $f))
    (i32x4.relaxed_trunc_f32x4_u (local.get $f))
    (i32x4.relaxed_trunc_f64x2_s_zero (local.get $d))
    (i32x4.relaxed_trunc_f64x2_u_zero (local.get $d)))
  (func (export "madd32") (param f32 f32 f32) (result f32 f32)
    (f32x4.extract_lane 2 (f32x4.relaxed_madd
      (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1)) (f32x4.splat (local.get 2))))
    (f32x4.extract_lane 3 (f32x4.relaxed_nmadd
      (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1)) (f32x4.splat (local.get 2)))))
  (func (export "madd64") (param f64 f64 f64) (result f64 f64)
    (f64x2.extract_lane 1 (f64x2.relaxed_madd
      (f64x2.splat (local.get 0)) (f64x2.splat (local.get 1)) (f64x2.splat (local.get 2))))
    (f64x2.extract_lane 0 (f64x2.relaxed_nmadd
      (f64x2.splat (local.get 0)) (f64x2.splat (local.get 1)) (f64x2.splat (local.get 2)))))
  (func (export "madd_lanes") (result v128 v128)
    (f32x4.relaxed_madd (v128.const f32x4 1 2 3 4) (v128.const f32x4 5 6 7 8)
      (v128.const f32x4 0.5 -0.5 100 -100))
    (f64x2.relaxed_nmadd (v128.const f64x2 1.5 -2) (v128.const f64x2 4 8) (v128.const f64x2 1 1)))
  (func (export "laneselect") (result v128 v128 v128 v128)
    ;; blendv: the top bit of each mask lane selects (i16x8 has no blend: bit by bit).
    (i8x16.relaxed_laneselect (v128.const i64x2 -1 -1) (v128.const i64x2 0 0)
      (v128.const i8x16 0xff 0 0x0f 0xf0 0x80 0x7f 1 0 0 0 0 0 0 0 0 0xff))
    (i16x8.relaxed_laneselect (v128.const i64x2 -1 -1) (v128.const i64x2 0 0)
      (v128.const i16x8 0x8000 0x00ff 0xff00 0x7fff 0 -1 1 2))
    (i32x4.relaxed_laneselect (v128.const i64x2 -1 -1) (v128.const i64x2 0 0)
      (v128.const i32x4 0x80000000 0x7fffffff 0xffff 0))
    (i64x2.relaxed_laneselect (v128.const i64x2 -1 -1) (v128.const i64x2 0 0)
      (v128.const i64x2 0x8000000000000000 0xff)))
  (func (export "min_max") (result v128 v128 v128 v128)
    ;; NaN and signed-zero inputs: relaxed min/max are f32x4.pmin/pmax.
    (f32x4.relaxed_min (v128.const f32x4 nan 0.0 -0.0 1) (v128.const f32x4 1 -0.0 0.0 nan))
    (f32x4.relaxed_max (v128.const f32x4 nan 0.0 -0.0 1) (v128.const f32x4 1 -0.0 0.0 nan))
    (f64x2.relaxed_min (v128.const f64x2 -0.0 1) (v128.const f64x2 0.0 2))
    (f64x2.relaxed_max (v128.const f64x2 0.0 nan) (v128.const f64x2 -0.0 2)))
  (func (export "q15mulr") (result v128)
    ;; pmulhrsw: -32768 * -32768 wraps to -32768 (no saturation).
    (i16x8.relaxed_q15mulr_s (v128.const i16x8 -32768 -32768 16384 -16384 1 100 32767 -1)
                             (v128.const i16x8 -32768 32767 16384 16384 1 200 32767 -1)))
  (func (export "dot") (result v128 v128)
    ;; pmaddubsw: the first operand's lanes are unsigned, pair sums saturate to i16.
    (i16x8.relaxed_dot_i8x16_i7x16_s
      (v128.const i8x16 -128 -128 127 127 -1 2 3 4 5 6 7 8 9 10 11 12)
      (v128.const i8x16 -128 -128 -128 -1 200 2 3 4 5 6 7 8 9 10 11 12))
    (i32x4.relaxed_dot_i8x16_i7x16_add_s
      (v128.const i8x16 -128 -128 -128 -128 127 127 127 127 1 2 3 4 -5 6 7 8)
      (v128.const i8x16 -128 -128 -128 -128 -128 -128 -128 -128 9 10 11 12 13 -14 15 16)
      (v128.const i32x4 1 2 0x7fffffff -1))))
;; kiln-test: invoke = "swizzle"
;; kiln-test: expect = "22680258027456321239729514471127390474"
;; kiln-test: invoke = "trunc 4e9 -3e9"
;; kiln-test: expect = "170141183500083313007266216584218148864\n79228162495817593523834398720\n9223372039002259456\n0"
;; kiln-test: invoke = "trunc -inf 5e9"
;; kiln-test: expect = "170141183500083313007266216584218148864\n79228162495817593519834398720\n9223372039002259456\n4294967295"
;; kiln-test: invoke = "madd32 1.00000012 1.00000012 -1"
;; kiln-test: expect = "0.00000023841858\n-2.0000002"
;; kiln-test: invoke = "madd32 3.4028235e38 2 -3.4028235e38"
;; kiln-test: expect = "340282350000000000000000000000000000000\n-inf"
;; kiln-test: invoke = "madd64 1.0000000000000002 1.0000000000000002 -1"
;; kiln-test: expect = "0.0000000000000004440892098500626\n-2.0000000000000004"
;; kiln-test: invoke = "madd64 0.1 10 -1"
;; kiln-test: expect = "0.00000000000000005551115123125783\n-2"
;; kiln-test: invoke = "madd64 inf 0 1"
;; kiln-test: expect = "NaN\nNaN"
;; kiln-test: invoke = "madd_lanes"
;; kiln-test: expect = "258576383575752986602073738203521613824\n85325014276302822433482333732890214400"
;; kiln-test: invoke = "laneselect"
;; kiln-test: expect = "338953138925153547590470801470982717695\n10384752172185767189492487931527168\n4294967295\n18446744073709551615"
;; kiln-test: invoke = "min_max"
;; kiln-test: expect = "84405977771956239186523917126717145088\n84405977771956239186523917126717145088\n84987514980498058633010535953529307136\n170099645085600953110659059745250344960"
;; kiln-test: invoke = "q15mulr"
;; kiln-test: expect = "2595989974151327246140941266944000"
;; kiln-test: invoke = "dot"
;; kiln-test: expect = "1375973007945754146280845061451120640\n128310009193861790116067606986753"
