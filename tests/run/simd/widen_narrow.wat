;; Narrowing (saturating), extension, extadd_pairwise, extmul and
;; i32x4.dot_i16x8_s, on edge lane values.
(module
  (global $a v128 (v128.const i8x16 0 1 -1 127 -128 5 -6 7 -8 9 100 -100 120 -120 -2 2))
  (global $b v128 (v128.const i16x8 -32768 32767 -1 1 300 -300 0x7f00 -129))
  (global $c v128 (v128.const i32x4 -2147483648 2147483647 65536 -65537))
  (func (export "narrow") (result v128 v128 v128 v128)
    (i8x16.narrow_i16x8_s (global.get $b) (global.get $a))
    (i8x16.narrow_i16x8_u (global.get $b) (global.get $a))
    (i16x8.narrow_i32x4_s (global.get $c) (global.get $b))
    (i16x8.narrow_i32x4_u (global.get $c) (global.get $b)))
  (func (export "extend") (result v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128)
    (i16x8.extend_low_i8x16_s (global.get $a))
    (i16x8.extend_high_i8x16_s (global.get $a))
    (i16x8.extend_low_i8x16_u (global.get $a))
    (i16x8.extend_high_i8x16_u (global.get $a))
    (i32x4.extend_low_i16x8_s (global.get $b))
    (i32x4.extend_high_i16x8_s (global.get $b))
    (i32x4.extend_low_i16x8_u (global.get $b))
    (i32x4.extend_high_i16x8_u (global.get $b))
    (i64x2.extend_low_i32x4_s (global.get $c))
    (i64x2.extend_high_i32x4_s (global.get $c))
    (i64x2.extend_low_i32x4_u (global.get $c))
    (i64x2.extend_high_i32x4_u (global.get $c)))
  (func (export "extadd") (result v128 v128 v128 v128)
    (i16x8.extadd_pairwise_i8x16_s (global.get $a))
    (i16x8.extadd_pairwise_i8x16_u (global.get $a))
    (i32x4.extadd_pairwise_i16x8_s (global.get $b))
    (i32x4.extadd_pairwise_i16x8_u (global.get $b)))
  (func (export "extmul") (result v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128 v128)
    (i16x8.extmul_low_i8x16_s (global.get $a) (global.get $a))
    (i16x8.extmul_high_i8x16_s (global.get $a) (global.get $b))
    (i16x8.extmul_low_i8x16_u (global.get $a) (global.get $b))
    (i16x8.extmul_high_i8x16_u (global.get $a) (global.get $a))
    (i32x4.extmul_low_i16x8_s (global.get $b) (global.get $b))
    (i32x4.extmul_high_i16x8_s (global.get $b) (global.get $a))
    (i32x4.extmul_low_i16x8_u (global.get $b) (global.get $b))
    (i32x4.extmul_high_i16x8_u (global.get $b) (global.get $a))
    (i64x2.extmul_low_i32x4_s (global.get $c) (global.get $c))
    (i64x2.extmul_high_i32x4_s (global.get $c) (global.get $c))
    (i64x2.extmul_low_i32x4_u (global.get $c) (global.get $c))
    (i64x2.extmul_high_i32x4_u (global.get $c) (global.get $a)))
  (func (export "dot") (result v128 v128)
    (i32x4.dot_i16x8_s (global.get $b) (global.get $b))
    (i32x4.dot_i16x8_s (v128.const i16x8 -32768 -32768 1 2 3 4 5 6)
                       (v128.const i16x8 -32768 -32768 7 8 9 10 11 12))))
;; kiln-test: invoke = "narrow"
;; kiln-test: expect = "169479175712441412439561503895160061824\n338953159207563151223766257459324321536\n170143779648511975930500699144719400960\n79228162495817874994811043840"
;; kiln-test: invoke = "extend"
;; kiln-test: expect = "41537899506554729212693542319751168\n15576811202373102295384245161033720\n36365885056419349801174858247241728\n10404717834764403519598691592241400\n158456325010082071850866671616\n340282356700506098882265125094760120620\n79229371421637348882202525696\n5182076426170228072585560588288300\n39614081257132168794624491520\n340282366920937254519108248728884019200\n39614081238685424725209907200\n79226953569997978890659758080"
;; kiln-test: invoke = "extadd"
;; kiln-test: expect = "18447306495390253057\n1329248278504009275281142659881500673\n2565645586699422044291738038697983\n7757942446443175492718334224433151"
;; kiln-test: invoke = "extmul"
;; kiln-test: expect = "254425398312582448799326978036531200\n340277154560930783035998274718760828576\n19808582611092359805643125686272\n25880693927467188075167682634313792\n79228162537322486216072888320\n340274538130163880835688817843753430688\n158453907199947594551267426304\n3969470562939529079999746409245683360\n85070591651006453374637744356535042048\n79230580384350310929897881600\n85070591651006453374637744356535042048\n3980006576789076308537653626188333056"
;; kiln-test: invoke = "dot"
;; kiln-test: expect = "83747874467163955107343537188896702465\n10061976640547502727419553382400"
