;; kiln-test: target = "x86_64"
;; ref.null is 0, ref.func is the address of the VMFuncRef in the VMContext.
(module
  (elem declare func $f)
  (func $f (result i32)
    (drop (ref.func $f))
    (ref.is_null (ref.null extern))))

;; function u0:0(i64 vmctx) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64):
;; @001e                               jump block1
;;
;;                                 block1:
;; @001f                               v2 = iconst.i64 48
;; @001f                               v3 = iadd.i64 v0, v2  ; v2 = 48
;; @0022                               v4 = iconst.i64 0
;; @0024                               v5 = iconst.i64 0
;; @0024                               v6 = icmp eq v4, v5  ; v4 = 0, v5 = 0
;; @0024                               v7 = uextend.i32 v6
;; @0025                               jump block2(v7)
;;
;;                                 block2(v1: i32):
;; @0025                               return v1
;; }
