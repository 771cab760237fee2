;; kiln-test: target = "x86_64"
;; Bulk memory operators are libcalls; the trapping ones trap on non-zero.
(module
  (memory 1)
  (data $d "hello")
  (func (param i32)
    (memory.fill (local.get 0) (i32.const 1) (i32.const 2))
    (memory.copy (local.get 0) (i32.const 1) (i32.const 2))
    (memory.init $d (local.get 0) (i32.const 1) (i32.const 2))
    (data.drop $d)))

;; function u0:0(i64 vmctx, i32) tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64, i32, i64, i32, i64) -> i32 system_v
;;     sig1 = (i64, i32, i32, i64, i64, i64) -> i32 system_v
;;     sig2 = (i64, i32, i32, i64, i32, i32) -> i32 system_v
;;     sig3 = (i64, i32) system_v
;;     fn0 = u0:2 sig0
;;     fn1 = u0:3 sig1
;;     fn2 = u0:4 sig2
;;     fn3 = u0:5 sig3
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @001f                               jump block1
;;
;;                                 block1:
;; @0022                               v2 = iconst.i32 1
;; @0024                               v3 = iconst.i32 2
;; @0026                               v4 = uextend.i64 v1
;; @0026                               v5 = uextend.i64 v3  ; v3 = 2
;; @0026                               v6 = iconst.i32 0
;; @0026                               v7 = call fn0(v0, v6, v4, v2, v5)  ; v6 = 0, v2 = 1
;; @0026                               trapnz v7, heap_oob
;; @002b                               v8 = iconst.i32 1
;; @002d                               v9 = iconst.i32 2
;; @002f                               v10 = uextend.i64 v1
;; @002f                               v11 = uextend.i64 v8  ; v8 = 1
;; @002f                               v12 = uextend.i64 v9  ; v9 = 2
;; @002f                               v13 = iconst.i32 0
;; @002f                               v14 = iconst.i32 0
;; @002f                               v15 = call fn1(v0, v13, v14, v10, v11, v12)  ; v13 = 0, v14 = 0
;; @002f                               trapnz v15, heap_oob
;; @0035                               v16 = iconst.i32 1
;; @0037                               v17 = iconst.i32 2
;; @0039                               v18 = uextend.i64 v1
;; @0039                               v19 = iconst.i32 0
;; @0039                               v20 = iconst.i32 0
;; @0039                               v21 = call fn2(v0, v19, v20, v18, v16, v17)  ; v19 = 0, v20 = 0, v16 = 1, v17 = 2
;; @0039                               trapnz v21, heap_oob
;; @003d                               v22 = iconst.i32 0
;; @003d                               call fn3(v0, v22)  ; v22 = 0
;; @0040                               jump block2
;;
;;                                 block2:
;; @0040                               return
;; }
