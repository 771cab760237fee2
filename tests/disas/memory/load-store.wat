;; kiln-test: target = "x86_64"
;; The memory base is loaded once in the entry block; accesses are
;; base + uextend(index) + offset with trap code heap_oob.
(module
  (memory 1)
  (func (param i32) (result i64)
    (i32.store8 offset=3 (local.get 0) (i32.load16_s (local.get 0)))
    (i64.load32_u offset=4294967295 (local.get 0))))

;; function u0:0(i64 vmctx, i32) -> i64 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @001d                               v3 = load.i64 notrap aligned readonly can_move v0+48
;; @001d                               jump block1
;;
;;                                 block1:
;; @0022                               v4 = uextend.i64 v1
;; @0022                               v5 = iadd.i64 v3, v4
;; @0022                               v6 = sload16.i32 little region0 v5
;; @0025                               v7 = uextend.i64 v1
;; @0025                               v8 = iadd.i64 v3, v7
;; @0025                               istore8 little region0 v6, v8+3
;; @002a                               v9 = uextend.i64 v1
;; @002a                               v10 = iadd.i64 v3, v9
;; @002a                               v11 = iconst.i64 0xffff_ffff
;; @002a                               v12 = iadd v10, v11  ; v11 = 0xffff_ffff
;; @002a                               v13 = uload32 little region0 v12
;; @0031                               jump block2(v13)
;;
;;                                 block2(v2: i64):
;; @0031                               return v2
;; }
