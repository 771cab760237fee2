;; kiln-test: target = "x86_64"
;; kiln-test: optimize = true
;; Linear-memory accesses and memory lengths live in separate alias regions,
;; so after optimization one length load serves consecutive checked accesses
;; (a store to linear memory cannot change a length); the call in between
;; makes the last access reload it.
(module
  (memory i64 1)
  (func $f)
  (func (param i64) (result i64)
    (i64.store (local.get 0) (i64.const 1))
    (i64.store offset=8 (local.get 0) (i64.const 2))
    (drop (i64.load offset=16 (local.get 0)))
    (call $f)
    (i64.load offset=24 (local.get 0))))

;; function u0:0(i64 vmctx) tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64):
;; @0021                               jump block1
;;
;;                                 block1:
;; @0022                               jump block2
;;
;;                                 block2:
;; @0022                               return
;; }
;;
;; function u0:1(i64 vmctx, i64) -> i64 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64 vmctx) tail
;;     fn0 = colocated u0:0 sig0
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i64):
;; @0024                               jump block1
;;
;;                                 block1:
;; @0029                               v5 = load.i64 notrap aligned region1 v0+56
;; @0029                               v6 = iconst.i64 -8
;; @0029                               v7 = iadd v5, v6  ; v6 = -8
;; @0029                               v8 = icmp.i64 ugt v1, v7
;; @0029                               trapnz v8, heap_oob
;; @0027                               v3 = iconst.i64 1
;; @0024                               v4 = load.i64 notrap aligned readonly can_move v0+48
;; @0029                               v9 = iadd v4, v1
;; @0029                               store little region0 v3, v9  ; v3 = 1
;; @0030                               v12 = iconst.i64 -16
;; @0030                               v13 = iadd v5, v12  ; v12 = -16
;; @0030                               v14 = icmp.i64 ugt v1, v13
;; @0030                               trapnz v14, heap_oob
;; @002e                               v10 = iconst.i64 2
;; @0030                               store little region0 v10, v9+8  ; v10 = 2
;; @0035                               v17 = iconst.i64 -24
;; @0035                               v18 = iadd v5, v17  ; v17 = -24
;; @0035                               v19 = icmp.i64 ugt v1, v18
;; @0035                               trapnz v19, heap_oob
;; @0035                               v21 = load.i64 little region0 v9+16
;; @0039                               call fn0(v0)
;; @003d                               v22 = load.i64 notrap aligned region1 v0+56
;; @003d                               v23 = iconst.i64 -32
;; @003d                               v24 = iadd v22, v23  ; v23 = -32
;; @003d                               v25 = icmp.i64 ugt v1, v24
;; @003d                               trapnz v25, heap_oob
;; @003d                               v27 = load.i64 little region0 v9+24
;; @0040                               jump block2
;;
;;                                 block2:
;; @0040                               return v27
;; }
