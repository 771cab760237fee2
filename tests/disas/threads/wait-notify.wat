;; kiln-test: target = "x86_64"
;; Wait and notify on a shared memory: alignment check, explicit bounds
;; check against the current length, then the runtime libcall with the
;; native address of the cell.
(module
  (memory 1 1 shared)
  (func (param i32 i64) (result i32)
    (memory.atomic.wait32 (local.get 0) (i32.const 0) (local.get 1))
    (memory.atomic.notify (local.get 0) (i32.const 1))
    i32.add))

;; function u0:0(i64 vmctx, i32, i64) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64, i64, i32, i64) -> i32 system_v
;;     sig1 = (i64, i64, i32) -> i32 system_v
;;     fn0 = u0:17 sig0
;;     fn1 = u0:19 sig1
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32, v2: i64):
;; @001f                               v12 = load.i64 notrap aligned readonly can_move v0+48
;; @001f                               jump block1
;;
;;                                 block1:
;; @0022                               v4 = iconst.i32 0
;; @0026                               v5 = uextend.i64 v1
;; @0026                               v6 = iconst.i64 3
;; @0026                               v7 = band v5, v6  ; v6 = 3
;; @0026                               trapnz v7, user3
;; @0026                               v8 = iconst.i64 4
;; @0026                               v9 = iadd v5, v8  ; v8 = 4
;; @0026                               v10 = load.i64 notrap aligned v0+56
;; @0026                               v11 = icmp ugt v9, v10
;; @0026                               trapnz v11, heap_oob
;; @0026                               v13 = uextend.i64 v1
;; @0026                               v14 = iadd.i64 v12, v13
;; @0026                               v15 = call fn0(v0, v14, v4, v2)  ; v4 = 0
;; @002c                               v16 = iconst.i32 1
;; @002e                               v17 = uextend.i64 v1
;; @002e                               v18 = iconst.i64 3
;; @002e                               v19 = band v17, v18  ; v18 = 3
;; @002e                               trapnz v19, user3
;; @002e                               v20 = iconst.i64 4
;; @002e                               v21 = iadd v17, v20  ; v20 = 4
;; @002e                               v22 = load.i64 notrap aligned v0+56
;; @002e                               v23 = icmp ugt v21, v22
;; @002e                               trapnz v23, heap_oob
;; @002e                               v24 = uextend.i64 v1
;; @002e                               v25 = iadd.i64 v12, v24
;; @002e                               v26 = call fn1(v0, v25, v16)  ; v16 = 1
;; @0032                               v27 = iadd v15, v26
;; @0033                               jump block2(v27)
;;
;;                                 block2(v3: i32):
;; @0033                               return v3
;; }
