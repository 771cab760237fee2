;; v128 memory accesses: full loads and stores (unaligned too), extending
;; loads, splat and zero loads, lane loads and stores, and the
;; out-of-bounds trap of each kind at the end of memory.
(module
  (memory 1)
  (data (i32.const 0) "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\80\81\fe\ff\7f\7e\90\a0")
  (func (export "load") (param i32) (result v128) (v128.load (local.get 0)))
  (func (export "load_off") (param i32) (result v128) (v128.load offset=7 align=1 (local.get 0)))
  (func (export "load8x8_s") (param i32) (result v128) (v128.load8x8_s (local.get 0)))
  (func (export "load8x8_u") (param i32) (result v128) (v128.load8x8_u (local.get 0)))
  (func (export "load16x4_s") (param i32) (result v128) (v128.load16x4_s (local.get 0)))
  (func (export "load16x4_u") (param i32) (result v128) (v128.load16x4_u (local.get 0)))
  (func (export "load32x2_s") (param i32) (result v128) (v128.load32x2_s (local.get 0)))
  (func (export "load32x2_u") (param i32) (result v128) (v128.load32x2_u (local.get 0)))
  (func (export "load8_splat") (param i32) (result v128) (v128.load8_splat (local.get 0)))
  (func (export "load16_splat") (param i32) (result v128) (v128.load16_splat (local.get 0)))
  (func (export "load32_splat") (param i32) (result v128) (v128.load32_splat (local.get 0)))
  (func (export "load64_splat") (param i32) (result v128) (v128.load64_splat (local.get 0)))
  (func (export "load32_zero") (param i32) (result v128) (v128.load32_zero (local.get 0)))
  (func (export "load64_zero") (param i32) (result v128) (v128.load64_zero (local.get 0)))
  (func (export "load_lanes") (param i32) (result v128 v128 v128 v128)
    (v128.load8_lane 15 (local.get 0) (v128.const i64x2 -1 -1))
    (v128.load16_lane 6 (local.get 0) (v128.const i64x2 -1 -1))
    (v128.load32_lane 1 (local.get 0) (v128.const i64x2 -1 -1))
    (v128.load64_lane 0 (local.get 0) (v128.const i64x2 -1 -1)))
  (func (export "store") (param i32) (result i64 i64)
    (v128.store offset=1 (local.get 0) (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16))
    (i64.load offset=1 (local.get 0)) (i64.load offset=9 (local.get 0)))
  (func (export "store_lanes") (param i32) (result i64)
    (local $v v128)
    (local.set $v (v128.const i8x16 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16))
    (i64.store (local.get 0) (i64.const 0))
    (v128.store8_lane 14 (local.get 0) (local.get $v))
    (v128.store16_lane offset=1 5 (local.get 0) (local.get $v))
    (v128.store32_lane offset=3 3 (local.get 0) (local.get $v))
    (i64.load (local.get 0)))
  (func (export "store64_lane") (param i32) (result i64)
    (v128.store64_lane 1 (local.get 0) (v128.const i64x2 1 -2))
    (i64.load (local.get 0))))
;; kiln-test: invoke = "load 0"
;; kiln-test: expect = "20011376718272490338853433276725592320"
;; kiln-test: invoke = "load 3"
;; kiln-test: expect = "338296314565319892654615674918394987523"
;; kiln-test: invoke = "load_off 1"
;; kiln-test: expect = "213426735798028610475331271709875112200"
;; kiln-test: invoke = "load8x8_s 14"
;; kiln-test: expect = "654239545380190088547844040577449998"
;; kiln-test: invoke = "load8x8_u 14"
;; kiln-test: expect = "654239466460308362276752901092081678"
;; kiln-test: invoke = "load16x4_s 14"
;; kiln-test: expect = "2565724814861917861746165357219598"
;; kiln-test: invoke = "load16x4_u 14"
;; kiln-test: expect = "2565645587908310970560602255134478"
;; kiln-test: invoke = "load32x2_s 14"
;; kiln-test: expect = "39149853723953407117852937998"
;; kiln-test: invoke = "load32x2_u 14"
;; kiln-test: expect = "39149853705506663048438353678"
;; kiln-test: invoke = "load8_splat 17"
;; kiln-test: expect = "172142844442357105046177742583129801089"
;; kiln-test: invoke = "load16_splat 17"
;; kiln-test: expect = "338298879255358262150442447516624617089"
;; kiln-test: invoke = "load32_splat 17"
;; kiln-test: expect = "170141153155697062969698564348594617985"
;; kiln-test: invoke = "load64_splat 17"
;; kiln-test: expect = "833698186711049250486848038673317505"
;; kiln-test: invoke = "load32_zero 17"
;; kiln-test: expect = "2147483265"
;; kiln-test: invoke = "load64_zero 17"
;; kiln-test: expect = "45194869261467265"
;; kiln-test: invoke = "load_lanes 16"
;; kiln-test: expect = "171470411456254147604591110776164450303\n340279801275351764041330315698024480767\n340282366920938463463374186872865554431\n340282366920938463456497749888994279808"
;; kiln-test: invoke = "store 100"
;; kiln-test: expect = "578437695752307201\n1157159078456920585"
;; kiln-test: invoke = "store_lanes 200"
;; kiln-test: expect = "4520152650222351"
;; kiln-test: invoke = "store64_lane 300"
;; kiln-test: expect = "-2"
;; kiln-test: invoke = "load 65520"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "load 65521"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load_off 65514"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load8x8_s 65529"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load64_splat 65528"
;; kiln-test: expect = "0"
;; kiln-test: invoke = "load64_splat 65529"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load32_zero 65533"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load_lanes 65529"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "store 65520"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "store_lanes 65533"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "store64_lane 65529"
;; kiln-test: trap = "out of bounds memory access"
;; kiln-test: invoke = "load -1"
;; kiln-test: trap = "out of bounds memory access"
