;; kiln-test: target = "x86_64"
;; kiln-test: interrupt = true
;; `-W timeout`: the interrupt flag's address is loaded once in the entry
;; block; an atomic load and a `trapnz` (user14: interrupt) at each function
;; entry and at the loop header.
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
;; @001d                               v1 = load.i64 notrap aligned readonly can_move v0+96
;; @001d                               jump block1
;;
;;                                 block1:
;; @001d                               v2 = atomic_load.i64 notrap aligned v1
;; @001d                               trapnz v2, user14
;; @001e                               v4 = iconst.i32 1
;; @0020                               jump block2(v4)  ; v4 = 1
;;
;;                                 block2(v3: i32):
;; @0020                               return v3
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
;;                                     v10 -> v1
;; @0022                               v2 = iconst.i32 0
;; @0022                               v3 = load.i64 notrap aligned readonly can_move v0+96
;; @0022                               jump block1
;;
;;                                 block1:
;; @0022                               v4 = atomic_load.i64 notrap aligned v3
;; @0022                               trapnz v4, user14
;; @0025                               jump block3(v2)  ; v2 = 0
;;
;;                                 block3(v7: i32):
;; @0025                               v6 = atomic_load.i64 notrap aligned v3
;; @0025                               trapnz v6, user14
;; @0029                               v8 = call fn0(v0)
;; @002b                               v9 = iadd v7, v8
;; @0032                               v11 = icmp ult v9, v10
;; @0032                               v12 = uextend.i32 v11
;; @0033                               brif v12, block3(v9), block5
;;
;;                                 block5:
;; @0035                               jump block4
;;
;;                                 block4:
;; @0038                               jump block2(v9)
;;
;;                                 block2(v5: i32):
;; @0038                               return v5
;; }
