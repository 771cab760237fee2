;; kiln-test: target = "x86_64"
;; return_call of a defined function becomes a CLIF tail call passing our
;; vmctx; return_call_indirect keeps call_indirect's three checks and
;; tail-calls the callee with its own vmctx.
(module
  (type $t (func (param i64) (result i64)))
  (table 1 funcref)
  (func $f (param i64) (result i64)
    (return_call $f (i64.add (local.get 0) (i64.const 1))))
  (func (param i64) (result i64)
    (return_call_indirect (type $t) (local.get 0) (i32.const 0))))

;; function u0:0(i64 vmctx, i64) -> i64 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64 vmctx, i64) -> i64 tail
;;     fn0 = colocated u0:0 sig0
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i64):
;; @001f                               jump block1
;;
;;                                 block1:
;; @0022                               v3 = iconst.i64 1
;; @0024                               v4 = iadd.i64 v1, v3  ; v3 = 1
;; @0025                               return_call fn0(v0, v4)
;; }
;;
;; function u0:1(i64 vmctx, i64) -> i64 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64 vmctx, i64) -> i64 tail
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i64):
;; @0029                               v13 = load.i64 notrap aligned readonly can_move v0+24
;; @0029                               jump block1
;;
;;                                 block1:
;; @002c                               v3 = iconst.i32 0
;; @002e                               v4 = load.i64 notrap aligned v0+56
;; @002e                               v5 = uextend.i64 v3  ; v3 = 0
;; @002e                               v6 = icmp uge v5, v4
;; @002e                               trapnz v6, user4
;; @002e                               v7 = load.i64 notrap aligned v0+48
;; @002e                               v8 = iconst.i64 8
;; @002e                               v9 = imul v5, v8  ; v8 = 8
;; @002e                               v10 = iadd v7, v9
;; @002e                               v11 = load.i64 notrap aligned v10
;; @002e                               v12 = load.i32 user5 aligned readonly v11+8
;; @002e                               v14 = load.i32 notrap aligned readonly can_move v13
;; @002e                               v15 = icmp ne v12, v14
;; @002e                               trapnz v15, user6
;; @002e                               v16 = load.i64 notrap aligned readonly v11
;; @002e                               v17 = load.i64 notrap aligned readonly v11+16
;; @002e                               return_call_indirect sig0, v16(v17, v1)
;; }
