;; kiln-test: target = "x86_64"
;; v128 values are I8X16 on the operand stack, in locals, parameters and
;; results; each operator bitcasts (little-endian lane order) to the lane
;; type it works on and its result back to I8X16.
(module
  (func (param v128 v128) (result v128) (local v128)
    (local.set 2 (i32x4.add (local.get 0) (local.get 1)))
    (f64x2.mul (local.get 2) (local.get 1))))

;; function u0:0(i64 vmctx, i8x16, i8x16) -> i8x16 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     const0 = 0x00000000000000000000000000000000
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i8x16, v2: i8x16):
;; @0019                               v3 = vconst.i8x16 const0
;; @0019                               jump block1
;;
;;                                 block1:
;; @0020                               v5 = bitcast.i32x4 little v2
;; @0020                               v6 = bitcast.i32x4 little v1
;; @0020                               v7 = iadd v6, v5
;; @0020                               v8 = bitcast.i8x16 little v7
;; @0029                               v9 = bitcast.f64x2 little v2
;; @0029                               v10 = bitcast.f64x2 little v8
;; @0029                               v11 = fmul v10, v9
;; @0029                               v12 = bitcast.i8x16 little v11
;; @002c                               jump block2(v12)
;;
;;                                 block2(v4: i8x16):
;; @002c                               return v4
;; }
