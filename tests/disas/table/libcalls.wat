;; kiln-test: target = "x86_64"
;; table.grow/fill/copy/init and elem.drop are libcalls.
(module
  (table $t 2 funcref)
  (elem $seg func $f)
  (func $f (param i32) (result i32)
    (table.fill $t (i32.const 0) (ref.null func) (i32.const 1))
    (table.copy $t $t (i32.const 0) (i32.const 1) (i32.const 1))
    (table.init $t $seg (i32.const 0) (i32.const 0) (i32.const 1))
    (elem.drop $seg)
    (table.grow $t (ref.func $f) (local.get 0))))

;; function u0:0(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64, i32, i32, i64, i32) -> i32 system_v
;;     sig1 = (i64, i32, i32, i32, i32, i32) -> i32 system_v
;;     sig2 = (i64, i32, i32, i32, i32, i32) -> i32 system_v
;;     sig3 = (i64, i32) system_v
;;     sig4 = (i64, i32, i32, i64) -> i32 system_v
;;     fn0 = u0:7 sig0
;;     fn1 = u0:8 sig1
;;     fn2 = u0:9 sig2
;;     fn3 = u0:10 sig3
;;     fn4 = u0:6 sig4
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @0025                               jump block1
;;
;;                                 block1:
;; @0026                               v3 = iconst.i32 0
;; @0028                               v4 = iconst.i64 0
;; @002a                               v5 = iconst.i32 1
;; @002c                               v6 = iconst.i32 0
;; @002c                               v7 = call fn0(v0, v6, v3, v4, v5)  ; v6 = 0, v3 = 0, v4 = 0, v5 = 1
;; @002c                               trapnz v7, user4
;; @002f                               v8 = iconst.i32 0
;; @0031                               v9 = iconst.i32 1
;; @0033                               v10 = iconst.i32 1
;; @0035                               v11 = iconst.i32 0
;; @0035                               v12 = iconst.i32 0
;; @0035                               v13 = call fn1(v0, v11, v12, v8, v9, v10)  ; v11 = 0, v12 = 0, v8 = 0, v9 = 1, v10 = 1
;; @0035                               trapnz v13, user4
;; @0039                               v14 = iconst.i32 0
;; @003b                               v15 = iconst.i32 0
;; @003d                               v16 = iconst.i32 1
;; @003f                               v17 = iconst.i32 0
;; @003f                               v18 = iconst.i32 0
;; @003f                               v19 = call fn2(v0, v17, v18, v14, v15, v16)  ; v17 = 0, v18 = 0, v14 = 0, v15 = 0, v16 = 1
;; @003f                               trapnz v19, user4
;; @0043                               v20 = iconst.i32 0
;; @0043                               call fn3(v0, v20)  ; v20 = 0
;; @0046                               v21 = iconst.i64 64
;; @0046                               v22 = iadd.i64 v0, v21  ; v21 = 64
;; @004a                               v23 = iconst.i32 0
;; @004a                               v24 = call fn4(v0, v23, v1, v22)  ; v23 = 0
;; @004d                               jump block2(v24)
;;
;;                                 block2(v2: i32):
;; @004d                               return v2
;; }
