;; kiln-test: target = "x86_64"
;; A direct call passes vmctx first; multi-value results come back as
;; several return values.
(module
  (func $g (param i32) (result i32 i64)
    (local.get 0) (i64.const 1))
  (func (param i32) (result i64) (local i64)
    (call $g (local.get 0))
    (local.set 1)
    (drop)
    (local.get 1)))

;; function u0:0(i64 vmctx, i32) -> i32, i64 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @001f                               jump block1
;;
;;                                 block1:
;; @0022                               v4 = iconst.i64 1
;; @0024                               jump block2(v1, v4)  ; v4 = 1
;;
;;                                 block2(v2: i32, v3: i64):
;; @0024                               return v2, v3
;; }
;;
;; function u0:1(i64 vmctx, i32) -> i64 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64 vmctx, i32) -> i32, i64 tail
;;     fn0 = colocated u0:0 sig0
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @0026                               v2 = iconst.i64 0
;; @0026                               jump block1
;;
;;                                 block1:
;; @002b                               v4, v5 = call fn0(v0, v1)
;; @0032                               jump block2(v5)
;;
;;                                 block2(v3: i64):
;; @0032                               return v3
;; }
