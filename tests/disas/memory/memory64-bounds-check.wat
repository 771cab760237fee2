;; kiln-test: target = "x86_64"
;; memory64: no guard region can cover a 64-bit index, so each access is
;; checked against the current length (reloaded: memory.grow changes it).
;; k = offset + size <= the minimum size: `index > len - k` traps; a larger
;; k adds with an overflow trap first (address + offset must not wrap).
(module
  (memory i64 1)
  (func (param i64) (result i64)
    (i64.store offset=8 (local.get 0) (i64.const 7))
    (i64.load offset=0x10000000000 (local.get 0))))

;; function u0:0(i64 vmctx, i64) -> i64 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i64):
;; @001d                               v4 = load.i64 notrap aligned readonly can_move v0+48
;; @001d                               jump block1
;;
;;                                 block1:
;; @0020                               v3 = iconst.i64 7
;; @0022                               v5 = load.i64 notrap aligned region1 v0+56
;; @0022                               v6 = iconst.i64 -16
;; @0022                               v7 = iadd v5, v6  ; v6 = -16
;; @0022                               v8 = icmp.i64 ugt v1, v7
;; @0022                               trapnz v8, heap_oob
;; @0022                               v9 = iadd.i64 v4, v1
;; @0022                               store little region0 v3, v9+8  ; v3 = 7
;; @0027                               v10 = load.i64 notrap aligned region1 v0+56
;; @0027                               v11 = iconst.i64 0x0100_0000_0008
;; @0027                               v12 = uadd_overflow_trap.i64 v1, v11, heap_oob  ; v11 = 0x0100_0000_0008
;; @0027                               v13 = icmp ugt v12, v10
;; @0027                               trapnz v13, heap_oob
;; @0027                               v14 = iadd.i64 v4, v1
;; @0027                               v15 = iconst.i64 0x0100_0000_0000
;; @0027                               v16 = iadd v14, v15  ; v15 = 0x0100_0000_0000
;; @0027                               v17 = load.i64 little region0 v16
;; @002f                               jump block2(v17)
;;
;;                                 block2(v2: i64):
;; @002f                               return v2
;; }
