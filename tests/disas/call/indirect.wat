;; kiln-test: target = "x86_64"
;; call_indirect: bounds check, signature check (the load of the type id
;; traps on a null element: user5), then a call passing the callee's vmctx.
;; A table that may grow: its length and base are loaded at each call.
(module
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (func (param i32) (result i32)
    (call_indirect (type $t) (i32.const 5) (local.get 0))))

;; function u0:0(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64 vmctx, i32) -> i32 tail
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @001e                               v13 = load.i64 notrap aligned readonly can_move v0+24
;; @001e                               jump block1
;;
;;                                 block1:
;; @001f                               v3 = iconst.i32 5
;; @0023                               v4 = load.i64 notrap aligned v0+56
;; @0023                               v5 = uextend.i64 v1
;; @0023                               v6 = icmp uge v5, v4
;; @0023                               trapnz v6, user4
;; @0023                               v7 = load.i64 notrap aligned v0+48
;; @0023                               v8 = iconst.i64 8
;; @0023                               v9 = imul v5, v8  ; v8 = 8
;; @0023                               v10 = iadd v7, v9
;; @0023                               v11 = load.i64 notrap aligned v10
;; @0023                               v12 = load.i32 user5 aligned readonly v11+8
;; @0023                               v14 = load.i32 notrap aligned readonly can_move v13
;; @0023                               v15 = icmp ne v12, v14
;; @0023                               trapnz v15, user6
;; @0023                               v16 = load.i64 notrap aligned readonly v11
;; @0023                               v17 = load.i64 notrap aligned readonly v11+16
;; @0023                               v18 = call_indirect sig0, v16(v17, v3)  ; v3 = 5
;; @0026                               jump block2(v18)
;;
;;                                 block2(v2: i32):
;; @0026                               return v2
;; }
