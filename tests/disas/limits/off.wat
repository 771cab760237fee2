;; kiln-test: target = "x86_64"
;; Without `-W timeout` and `-W fuel`, a loop and a call compile to no
;; limit checks at all (the module of `interrupt.wat` and `fuel.wat`).
(module
  (func $leaf (result i32) (i32.const 1))
  (func (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (call $leaf)))
      (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
    (local.get 1)))

;; function u0:0(i64 vmctx) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64):
;; @001d                               jump block1
;;
;;                                 block1:
;; @001e                               v2 = iconst.i32 1
;; @0020                               jump block2(v2)  ; v2 = 1
;;
;;                                 block2(v1: i32):
;; @0020                               return v1
;; }
;;
;; function u0:1(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     sig0 = (i64 vmctx) -> i32 tail
;;     fn0 = colocated u0:0 sig0
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;;                                     v7 -> v1
;; @0022                               v2 = iconst.i32 0
;; @0022                               jump block1
;;
;;                                 block1:
;; @0025                               jump block3(v2)  ; v2 = 0
;;
;;                                 block3(v4: i32):
;; @0029                               v5 = call fn0(v0)
;; @002b                               v6 = iadd v4, v5
;; @0032                               v8 = icmp ult v6, v7
;; @0032                               v9 = uextend.i32 v8
;; @0033                               brif v9, block3(v6), block5
;;
;;                                 block5:
;; @0035                               jump block4
;;
;;                                 block4:
;; @0038                               jump block2(v6)
;;
;;                                 block2(v3: i32):
;; @0038                               return v3
;; }
