;; kiln-test: target = "x86_64"
;; Deterministic relaxed_madd is a fused multiply-add; without FMA in the
;; baseline it is one runtime call per lane (`fma_f64`).
(module
  (func (param v128 v128 v128) (result v128)
    (f64x2.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))

;; function u0:0(i64 vmctx, i8x16, i8x16, i8x16) -> i8x16 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64, f64, f64, f64) -> f64 system_v
;;     fn0 = u0:21 sig0
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i8x16, v2: i8x16, v3: i8x16):
;; @001a                               jump block1
;;
;;                                 block1:
;; @0021                               v5 = bitcast.f64x2 little v3
;; @0021                               v6 = bitcast.f64x2 little v2
;; @0021                               v7 = bitcast.f64x2 little v1
;; @0021                               v8 = extractlane v7, 0
;; @0021                               v9 = extractlane v6, 0
;; @0021                               v10 = extractlane v5, 0
;; @0021                               v11 = call fn0(v0, v8, v9, v10)
;; @0021                               v12 = insertlane v7, v11, 0
;; @0021                               v13 = extractlane v7, 1
;; @0021                               v14 = extractlane v6, 1
;; @0021                               v15 = extractlane v5, 1
;; @0021                               v16 = call fn0(v0, v13, v14, v15)
;; @0021                               v17 = insertlane v12, v16, 1
;; @0021                               v18 = bitcast.i8x16 little v17
;; @0024                               jump block2(v18)
;;
;;                                 block2(v4: i8x16):
;; @0024                               return v4
;; }
