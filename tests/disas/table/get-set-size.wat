;; kiln-test: target = "x86_64"
;; table.get/set are inline with a bounds check; table.size loads the length.
(module
  (table $t 2 funcref)
  (func (param i32) (result i32)
    (table.set $t (local.get 0) (table.get $t (i32.const 1)))
    (table.size $t)))

;; function u0:0(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @001e                               jump block1
;;
;;                                 block1:
;; @0021                               v3 = iconst.i32 1
;; @0023                               v4 = load.i64 notrap aligned v0+56
;; @0023                               v5 = uextend.i64 v3  ; v3 = 1
;; @0023                               v6 = icmp uge v5, v4
;; @0023                               trapnz v6, user4
;; @0023                               v7 = load.i64 notrap aligned v0+48
;; @0023                               v8 = iconst.i64 8
;; @0023                               v9 = imul v5, v8  ; v8 = 8
;; @0023                               v10 = iadd v7, v9
;; @0023                               v11 = load.i64 notrap aligned v10
;; @0025                               v12 = load.i64 notrap aligned v0+56
;; @0025                               v13 = uextend.i64 v1
;; @0025                               v14 = icmp uge v13, v12
;; @0025                               trapnz v14, user4
;; @0025                               v15 = load.i64 notrap aligned v0+48
;; @0025                               v16 = iconst.i64 8
;; @0025                               v17 = imul v13, v16  ; v16 = 8
;; @0025                               v18 = iadd v15, v17
;; @0025                               store notrap aligned v11, v18
;; @0027                               v19 = load.i64 notrap aligned v0+56
;; @0027                               v20 = ireduce.i32 v19
;; @002a                               jump block2(v20)
;;
;;                                 block2(v2: i32):
;; @002a                               return v2
;; }
