;; kiln-test: target = "x86_64"
;; A 32-bit memory with 1-byte pages: page protection cannot enforce its
;; length, so accesses are checked explicitly; the 32-bit index plus offset
;; cannot overflow 64 bits, so there is no overflow trap. memory.size is the
;; byte length.
(module
  (memory 3 (pagesize 1))
  (func (param i32) (result i32)
    (drop (i32.load8_u offset=2 (local.get 0)))
    (i32.load offset=0xffffffff (local.get 0))
    (memory.size)
    (i32.add)))

;; function u0:0(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @001e                               v3 = load.i64 notrap aligned readonly can_move v0+48
;; @001e                               jump block1
;;
;;                                 block1:
;; @0021                               v4 = uextend.i64 v1
;; @0021                               v5 = load.i64 notrap aligned region1 v0+56
;; @0021                               v6 = iconst.i64 -3
;; @0021                               v7 = iadd v5, v6  ; v6 = -3
;; @0021                               v8 = icmp ugt v4, v7
;; @0021                               trapnz v8, heap_oob
;; @0021                               v9 = iadd.i64 v3, v4
;; @0021                               v10 = uload8.i32 little region0 v9+2
;; @0027                               v11 = uextend.i64 v1
;; @0027                               v12 = load.i64 notrap aligned region1 v0+56
;; @0027                               v13 = iconst.i64 0x0001_0000_0003
;; @0027                               v14 = iadd v11, v13  ; v13 = 0x0001_0000_0003
;; @0027                               v15 = icmp ugt v14, v12
;; @0027                               trapnz v15, heap_oob
;; @0027                               v16 = iadd.i64 v3, v11
;; @0027                               v17 = iconst.i64 0xffff_ffff
;; @0027                               v18 = iadd v16, v17  ; v17 = 0xffff_ffff
;; @0027                               v19 = load.i32 little region0 v18
;; @002e                               v20 = load.i64 notrap aligned region1 v0+56
;; @002e                               v21 = ireduce.i32 v20
;; @0030                               v22 = iadd v19, v21
;; @0031                               jump block2(v22)
;;
;;                                 block2(v2: i32):
;; @0031                               return v2
;; }
