;; kiln-test: target = "x86_64"
;; call_indirect through a table whose maximum is its minimum (what wasm-ld
;; emits): it cannot grow, so the bounds check compares with a constant
;; and the element base is loaded once, in the entry block.
(module
  (type $t (func (param i32) (result i32)))
  (table 3 3 funcref)
  (func (param i32) (result i32)
    (call_indirect (type $t) (i32.const 5) (local.get 0))
    (call_indirect (type $t) (local.get 0))))

;; function u0:0(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64 vmctx, i32) -> i32 tail
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @001f                               v7 = load.i64 notrap aligned readonly can_move v0+48
;; @001f                               v13 = load.i64 notrap aligned readonly can_move v0+24
;; @001f                               jump block1
;;
;;                                 block1:
;; @0020                               v3 = iconst.i32 5
;; @0024                               v4 = iconst.i64 3
;; @0024                               v5 = uextend.i64 v1
;; @0024                               v6 = icmp uge v5, v4  ; v4 = 3
;; @0024                               trapnz v6, user4
;; @0024                               v8 = iconst.i64 8
;; @0024                               v9 = imul v5, v8  ; v8 = 8
;; @0024                               v10 = iadd.i64 v7, v9
;; @0024                               v11 = load.i64 notrap aligned v10
;; @0024                               v12 = load.i32 user5 aligned readonly v11+8
;; @0024                               v14 = load.i32 notrap aligned readonly can_move v13
;; @0024                               v15 = icmp ne v12, v14
;; @0024                               trapnz v15, user6
;; @0024                               v16 = load.i64 notrap aligned readonly v11
;; @0024                               v17 = load.i64 notrap aligned readonly v11+16
;; @0024                               v18 = call_indirect sig0, v16(v17, v3)  ; v3 = 5
;; @0029                               v19 = iconst.i64 3
;; @0029                               v20 = uextend.i64 v1
;; @0029                               v21 = icmp uge v20, v19  ; v19 = 3
;; @0029                               trapnz v21, user4
;; @0029                               v22 = iconst.i64 8
;; @0029                               v23 = imul v20, v22  ; v22 = 8
;; @0029                               v24 = iadd.i64 v7, v23
;; @0029                               v25 = load.i64 notrap aligned v24
;; @0029                               v26 = load.i32 user5 aligned readonly v25+8
;; @0029                               v27 = load.i32 notrap aligned readonly can_move v13
;; @0029                               v28 = icmp ne v26, v27
;; @0029                               trapnz v28, user6
;; @0029                               v29 = load.i64 notrap aligned readonly v25
;; @0029                               v30 = load.i64 notrap aligned readonly v25+16
;; @0029                               v31 = call_indirect sig0, v29(v30, v18)
;; @002c                               jump block2(v31)
;;
;;                                 block2(v2: i32):
;; @002c                               return v2
;; }
