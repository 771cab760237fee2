;; kiln-test: target = "x86_64"
;; A narrow atomic read-modify-write: the effective address (index +
;; offset, in 64 bits) is checked for alignment first (`user3` =
;; HeapMisaligned), then the access itself is guarded like any other
;; (HEAP_OUT_OF_BOUNDS); the operand is narrowed and the old value
;; zero-extended.
(module
  (memory 1 1 shared)
  (func (param i32 i64) (result i64)
    (i64.atomic.rmw16.add_u offset=2 (local.get 0) (local.get 1))))

;; function u0:0(i64 vmctx, i32, i64) -> i64 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32, v2: i64):
;; @001f                               v9 = load.i64 notrap aligned readonly can_move v0+48
;; @001f                               jump block1
;;
;;                                 block1:
;; @0024                               v4 = uextend.i64 v1
;; @0024                               v5 = iconst.i64 2
;; @0024                               v6 = iadd v4, v5  ; v5 = 2
;; @0024                               v7 = iconst.i64 1
;; @0024                               v8 = band v6, v7  ; v7 = 1
;; @0024                               trapnz v8, user3
;; @0024                               v10 = uextend.i64 v1
;; @0024                               v11 = iadd.i64 v9, v10
;; @0024                               v12 = iconst.i64 2
;; @0024                               v13 = iadd v11, v12  ; v12 = 2
;; @0024                               v14 = ireduce.i16 v2
;; @0024                               v15 = atomic_rmw.i16 add v13, v14
;; @0024                               v16 = uextend.i64 v15
;; @0028                               jump block2(v16)
;;
;;                                 block2(v3: i64):
;; @0028                               return v3
;; }
