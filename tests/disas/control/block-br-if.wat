;; kiln-test: target = "x86_64"
;; A block with a result: `br_if` carries the value as a block argument.
(module
  (func (param i32) (result i32)
    (block (result i32)
      (br_if 0 (i32.const 1) (local.get 0))
      drop
      (i32.const 2))))

;; function u0:0(i64 vmctx, i32) -> i32 tail {
;;     region0 = 0 "wasm linear memory"
;;     region1 = 1 "linear memory lengths"
;;     gv0 = vmctx
;;     gv1 = load.i64 notrap aligned readonly can_move gv0+8
;;     stack_limit = gv1
;;
;;                                 block0(v0: i64, v1: i32):
;; @0018                               jump block1
;;
;;                                 block1:
;; @001b                               v4 = iconst.i32 1
;; @001f                               brif.i32 v1, block3(v4), block4  ; v4 = 1
;;
;;                                 block4:
;; @0022                               v5 = iconst.i32 2
;; @0024                               jump block3(v5)  ; v5 = 2
;;
;;                                 block3(v3: i32):
;; @0025                               jump block2(v3)
;;
;;                                 block2(v2: i32):
;; @0025                               return v2
;; }
