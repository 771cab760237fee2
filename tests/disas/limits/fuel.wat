;; kiln-test: target = "x86_64"
;; kiln-test: fuel = true
;; `-W fuel`: the counter is loaded at the entry and after the call, costs
;; are added where basic blocks end, the counter is stored before the call
;; and the return; checks (user15: out of fuel) at the entry and the loop
;; header.
(module
  (func $leaf (result i32) (i32.const 1))
  (func (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (call $leaf)))
      (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
    (local.get 1)))

;; function u0:0(i64 vmctx) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64):
;; @001d                               v1 = load.i64 notrap aligned readonly can_move v0+104
;; @001d                               jump block1
;;
;;                                 block1:
;; @001d                               v2 = load.i64 notrap aligned v1
;; @001d                               v3 = iconst.i64 1
;; @001d                               v4 = iadd v2, v3  ; v3 = 1
;; @001d                               v5 = iconst.i64 0
;; @001d                               v6 = icmp sge v4, v5  ; v5 = 0
;; @001d                               trapnz v6, user15
;; @001e                               v8 = iconst.i32 1
;; @0020                               v9 = iconst.i64 1
;; @0020                               v10 = iadd v4, v9  ; v9 = 1
;; @0020                               jump block2(v8)  ; v8 = 1
;;
;;                                 block2(v7: i32):
;; @0020                               store.i64 notrap aligned v10, v1
;; @0020                               return v7
;; }
;;
;; function u0:1(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64 vmctx) -> i32 tail
;;     fn0 = colocated u0:0 sig0
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;;                                     v19 -> v1
;; @0022                               v2 = iconst.i32 0
;; @0022                               v3 = load.i64 notrap aligned readonly can_move v0+104
;; @0022                               jump block1
;;
;;                                 block1:
;; @0022                               v4 = load.i64 notrap aligned v3
;; @0022                               v5 = iconst.i64 1
;; @0022                               v6 = iadd v4, v5  ; v5 = 1
;; @0022                               v7 = iconst.i64 0
;; @0022                               v8 = icmp sge v6, v7  ; v7 = 0
;; @0022                               trapnz v8, user15
;; @0025                               jump block3(v6, v2)  ; v2 = 0
;;
;;                                 block3(v10: i64, v13: i32):
;; @0025                               v11 = iconst.i64 0
;; @0025                               v12 = icmp sge v10, v11  ; v11 = 0
;; @0025                               trapnz v12, user15
;; @0029                               v14 = iconst.i64 2
;; @0029                               v15 = iadd v10, v14  ; v14 = 2
;; @0029                               store notrap aligned v15, v3
;; @0029                               v16 = call fn0(v0)
;; @0029                               v17 = load.i64 notrap aligned v3
;; @002b                               v18 = iadd v13, v16
;; @0032                               v20 = icmp ult v18, v19
;; @0032                               v21 = uextend.i32 v20
;; @0033                               v22 = iconst.i64 6
;; @0033                               v23 = iadd v17, v22  ; v22 = 6
;; @0033                               brif v21, block3(v23, v18), block5
;;
;;                                 block5:
;; @0035                               jump block4
;;
;;                                 block4:
;; @0038                               v24 = iconst.i64 1
;; @0038                               v25 = iadd.i64 v23, v24  ; v24 = 1
;; @0038                               jump block2(v18)
;;
;;                                 block2(v9: i32):
;; @0038                               store.i64 notrap aligned v25, v3
;; @0038                               return v9
;; }
